import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { XadesError } from './errors.js';

export const NS = {
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  xades: 'http://uri.etsi.org/01903/v1.3.2#',
  xades141: 'http://uri.etsi.org/01903/v1.4.1#',
} as const;

export const ALG = {
  excC14n: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  xpath: 'http://www.w3.org/TR/1999/REC-xpath-19991116',
  base64: 'http://www.w3.org/2000/09/xmldsig#base64',
  sha256: 'http://www.w3.org/2001/04/xmlenc#sha256',
  rsaSha256: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  signedProperties: 'http://uri.etsi.org/01903#SignedProperties',
  counterSigned: 'http://uri.etsi.org/01903#CountersignedSignature',
} as const;

/** The one XPath filter written and understood: the document without any signature (so parallel ones coexist). */
export const XPATH_NO_SIGNATURES = 'not(ancestor-or-self::ds:Signature)';

/** Parses XML strictly: any well-formedness error is an error, never a silently repaired tree. */
export function parseXml(text: string, what = 'document'): Document {
  const problems: string[] = [];
  const onError = (level: string, msg: unknown): void => {
    if (level !== 'warning') problems.push(String(msg));
  };
  let doc: Document;
  try {
    doc = new DOMParser({ onError }).parseFromString(text, 'application/xml') as unknown as Document;
  } catch (err) {
    throw new XadesError('ERR_XADES_DOCUMENT', `${what} is not well-formed XML: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (problems.length > 0 || !doc.documentElement) {
    throw new XadesError('ERR_XADES_DOCUMENT', `${what} is not well-formed XML${problems[0] ? `: ${problems[0]}` : ''}`);
  }
  return doc;
}

/** The text of an XML document's bytes; only UTF-8 (with or without BOM) is accepted, never silently mangled. */
export function decodeXml(bytes: Buffer, what = 'document'): string {
  if ((bytes[0] === 0xfe && bytes[1] === 0xff) || (bytes[0] === 0xff && bytes[1] === 0xfe)) {
    throw new XadesError('ERR_XADES_DOCUMENT', `${what} is UTF-16; only UTF-8 XML is supported`);
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const declared = /^<\?xml[^>]*\sencoding\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  if (declared && !/^utf-?8$/i.test(declared)) throw new XadesError('ERR_XADES_DOCUMENT', `${what} declares encoding ${declared}; only UTF-8 XML is supported`);
  return text;
}

/** Whether bytes look like an XML document (so ENVELOPING embeds it as XML rather than base64). */
export function looksLikeXml(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 64).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return head.startsWith('<');
}

export { escapeAttr, escapeText, excC14n, serializeXml as serialize, XML_DECLARATION } from './c14n.js';

export function sha256(data: string | Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

export function children(parent: Node, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

export function child(parent: Node, ns: string, local: string): Element | null {
  return children(parent, ns, local)[0] ?? null;
}

/** Follows a path of (namespace, local name) steps through first children. */
export function descend(parent: Node, ...steps: [string, string][]): Element | null {
  let node: Node | null = parent;
  for (const [ns, local] of steps) {
    node = node ? child(node, ns, local) : null;
  }
  return node as Element | null;
}

export function text(el: Element | null): string | null {
  return el ? (el.textContent ?? '').trim() : null;
}

/** All elements (document order) whose Id attribute equals id. */
export function findById(root: Node, id: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Node): void => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      if ((c as Element).getAttribute('Id') === id) out.push(c as Element);
      walk(c);
    }
  };
  walk(root);
  return out;
}

/** Escapes text for element content or a double-quoted attribute. */
export function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
