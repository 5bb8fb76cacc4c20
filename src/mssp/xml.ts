import { DOMParser, type Element as XmlElement } from '@xmldom/xmldom';

export type { XmlElement };

export class XmlError extends Error {
  readonly code = 'ERR_XML';
}

/** SOAP envelopes of this protocol are a few kilobytes; anything far larger is hostile or a mistake. */
export const MAX_XML_BYTES = 256 * 1024;

/**
 * Parses untrusted XML. DTDs are refused outright (no entity expansion, no XXE, no billion laughs), as are
 * processing oddities xmldom would otherwise tolerate: any warning or error is a rejection.
 */
export function parseXml(text: string): XmlElement {
  if (Buffer.byteLength(text, 'utf8') > MAX_XML_BYTES) throw new XmlError(`XML larger than ${MAX_XML_BYTES} bytes`);
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlError('DTDs are not accepted');
  const doc = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new XmlError(`malformed XML: ${String(message).split('\n')[0]}`);
    },
  }).parseFromString(text, 'text/xml');
  const root = doc.documentElement;
  if (!root) throw new XmlError('malformed XML: no root element');
  return root;
}

export function childElements(parent: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as XmlElement);
  return out;
}

/** The first child element with this local name (and namespace, when given). */
export function child(parent: XmlElement, localName: string, ns?: string): XmlElement | undefined {
  return childElements(parent).find((e) => e.localName === localName && (ns === undefined || e.namespaceURI === ns));
}

/** The first descendant element with this local name and namespace, depth first. */
export function descendant(parent: XmlElement, localName: string, ns?: string): XmlElement | undefined {
  for (const e of childElements(parent)) {
    if (e.localName === localName && (ns === undefined || e.namespaceURI === ns)) return e;
    const deeper = descendant(e, localName, ns);
    if (deeper) return deeper;
  }
  return undefined;
}

export function text(element: XmlElement | undefined): string | undefined {
  return element?.textContent?.trim() ?? undefined;
}

/** Escapes text for element content and double-quoted attribute values alike. */
export function esc(value: string | number): string {
  // Characters XML 1.0 forbids are dropped rather than escaped: no escape makes them legal.
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
