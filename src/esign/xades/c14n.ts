import { XMLSerializer } from '@xmldom/xmldom';

// Exclusive XML Canonicalization 1.0 without comments (W3C REC xml-exc-c14n, no InclusiveNamespaces) and a
// faithful serialiser, both over the DOM. Ours rather than xmldsigjs's canonicaliser and xmldom's serialiser:
// the first renders xmlns="" on prefixed elements, the second writes CR and TAB raw so they do not survive a
// reparse; xmlsec1 then rejects the signature.

const ELEMENT = 1;
const ATTRIBUTE_NS = 'http://www.w3.org/2000/xmlns/';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** Text as canonical XML writes it (and as a reparse reads it back unchanged). */
export function escapeText(s: string): string {
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#xD;'));
}

/** A double-quoted attribute value as canonical XML writes it. */
export function escapeAttr(s: string): string {
  return s.replace(/[&<"\t\n\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '"': '&quot;', '\t': '&#x9;', '\n': '&#xA;', '\r': '&#xD;' })[c] as string);
}

/** What serializeXml writes before a document's root. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

function isNamespaceDecl(a: Attr): boolean {
  return a.namespaceURI === ATTRIBUTE_NS || a.name === 'xmlns' || a.name.startsWith('xmlns:');
}

/** xmldom keeps the XML declaration as a processing instruction; it is not one in the XPath data model. */
function isDeclaration(n: Node): boolean {
  return n.nodeType === 7 && (n as ProcessingInstruction).target.toLowerCase() === 'xml';
}

function pi(node: ProcessingInstruction): string {
  return `<?${node.target}${node.data ? ` ${node.data}` : ''}?>`;
}

/** Canonical form of an element's subtree or of a whole document (exclusive, comments omitted). */
export function excC14n(node: Node): string {
  const out: string[] = [];
  const element = (el: Element, rendered: Map<string, string>): void => {
    const prefix = el.prefix ?? '';
    const needed = new Map<string, string>([[prefix, el.namespaceURI ?? '']]);
    const attrs: Attr[] = [];
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i) as Attr;
      if (isNamespaceDecl(a)) continue;
      attrs.push(a);
      if (a.prefix && a.namespaceURI !== XML_NS) needed.set(a.prefix, a.namespaceURI ?? '');
    }
    const scope = new Map(rendered);
    const decls: [string, string][] = [];
    for (const [p, uri] of needed) {
      const current = scope.get(p) ?? '';
      if (current === uri && (p === '' || scope.has(p))) continue;
      decls.push([p, uri]);
      scope.set(p, uri);
    }
    decls.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    attrs.sort((x, y) => {
      const nx = x.prefix ? (x.namespaceURI ?? '') : '';
      const ny = y.prefix ? (y.namespaceURI ?? '') : '';
      if (nx !== ny) return nx < ny ? -1 : 1;
      const lx = x.localName ?? x.name;
      const ly = y.localName ?? y.name;
      return lx < ly ? -1 : lx > ly ? 1 : 0;
    });
    out.push('<', el.nodeName);
    for (const [p, uri] of decls) out.push(p ? ` xmlns:${p}="` : ' xmlns="', escapeAttr(uri), '"');
    for (const a of attrs) out.push(' ', a.name, '="', escapeAttr(a.value), '"');
    out.push('>');
    children(el, scope);
    out.push('</', el.nodeName, '>');
  };
  const children = (parent: Node, rendered: Map<string, string>): void => {
    for (let c = parent.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === ELEMENT) element(c as Element, rendered);
      else if (c.nodeType === 3 || c.nodeType === 4) out.push(escapeText((c as Text).data));
      else if (c.nodeType === 7) out.push(pi(c as ProcessingInstruction));
    }
  };
  if (node.nodeType === 9) {
    let seenRoot = false;
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === ELEMENT) {
        element(c as Element, new Map());
        seenRoot = true;
      } else if (c.nodeType === 7 && !isDeclaration(c)) out.push(seenRoot ? `\n${pi(c as ProcessingInstruction)}` : `${pi(c as ProcessingInstruction)}\n`);
    }
  } else if (node.nodeType === ELEMENT) element(node as Element, new Map());
  return out.join('');
}

/**
 * Serialises a document (with an XML declaration) or an element as written (namespace declarations where they are, comments, CDATA, PIs, the DOCTYPE),
 * escaping what a reparse would otherwise change: CR in text, TAB/LF/CR in attribute values.
 */
export function serializeXml(node: Node): string {
  const out: string[] = [];
  const write = (n: Node): void => {
    switch (n.nodeType) {
      case ELEMENT: {
        const el = n as Element;
        out.push('<', el.nodeName);
        for (let i = 0; i < el.attributes.length; i++) {
          const a = el.attributes.item(i) as Attr;
          out.push(' ', a.name, '="', escapeAttr(a.value), '"');
        }
        if (!el.firstChild) {
          out.push('/>');
          return;
        }
        out.push('>');
        for (let c: Node | null = el.firstChild; c; c = c.nextSibling) write(c);
        out.push('</', el.nodeName, '>');
        return;
      }
      case 3:
        out.push(escapeText((n as Text).data));
        return;
      case 4:
        out.push('<![CDATA[', (n as CDATASection).data, ']]>');
        return;
      case 7:
        out.push(pi(n as ProcessingInstruction));
        return;
      case 8:
        out.push('<!--', (n as Comment).data, '-->');
        return;
      case 10:
        out.push(new XMLSerializer().serializeToString(n as never));
        return;
    }
  };
  if (node.nodeType !== 9) {
    write(node);
    return out.join('');
  }
  // Whitespace between top-level nodes is kept as text nodes; only the declaration is ours.
  out.push(XML_DECLARATION);
  let c = node.firstChild;
  while (c && (isDeclaration(c) || (c.nodeType === 3 && !(c as Text).data.trim()))) c = c.nextSibling;
  for (; c; c = c.nextSibling) if (!isDeclaration(c)) write(c);
  return out.join('');
}
