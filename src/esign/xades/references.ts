import { digestWithoutSignatures, type ScannedDocument } from './c14n-scan.js';
import { XadesError } from './errors.js';
import { topLevelSignatures } from './paths.js';
import { ALG, NS, XPATH_NO_SIGNATURES, children, child, decodeXml, excC14n, findById, parseXml, sha256 } from './xml.js';

/** The octets a ds:Reference digests, for the reference shapes this engine writes (and reads). */
export type ReferenceData = string | Buffer;

function transformsOf(ref: Element): string[] {
  const t = child(ref, NS.ds, 'Transforms');
  return t ? children(t, NS.ds, 'Transform').map((e) => e.getAttribute('Algorithm') ?? '') : [];
}

function xpathOf(ref: Element): string | null {
  const t = child(ref, NS.ds, 'Transforms');
  const x = t ? children(t, NS.ds, 'Transform').find((e) => e.getAttribute('Algorithm') === ALG.xpath) : undefined;
  return x ? (child(x, NS.ds, 'XPath')?.textContent ?? '').trim() : null;
}

/** Canonical document without any ds:Signature (the XPath filter's node-set), detaching them only meanwhile. */
export function documentWithoutSignatures(doc: Document): string {
  const detached = topLevelSignatures(doc).map((el) => ({ el, parent: el.parentNode as Node, next: el.nextSibling }));
  for (const d of detached) d.parent.removeChild(d.el);
  try {
    return excC14n(doc);
  } finally {
    for (const d of detached.reverse()) d.parent.insertBefore(d.el, d.next);
  }
}

/**
 * The enveloped reference's digest over a document's bytes, and whether its root is a ds:Signature: streamed from
 * the bytes when the scanner handles the document, else over the DOM (which also reports malformed XML).
 */
export function envelopedDigest(document: Buffer): ScannedDocument {
  const scanned = digestWithoutSignatures(document);
  if (scanned) return scanned;
  const what = 'an ENVELOPED document';
  const doc = parseXml(decodeXml(document, what), what);
  const root = doc.documentElement;
  return { digest: sha256(documentWithoutSignatures(doc)), rootIsSignature: root.namespaceURI === NS.ds && root.localName === 'Signature', slice: null };
}

/** Checks a reference is of a shape this engine reads; returns its URI. */
function checkedUri(ref: Element): string {
  const uri = ref.getAttribute('URI');
  const unknown = transformsOf(ref).find((t) => t !== ALG.xpath && t !== ALG.excC14n && t !== ALG.base64);
  if (unknown) throw new XadesError('ERR_XADES_DOCUMENT', `unsupported transform ${unknown}`);
  if (uri === null) throw new XadesError('ERR_XADES_DOCUMENT', 'a reference without URI (detached content) is not supported');
  if (uri === '' && xpathOf(ref) !== XPATH_NO_SIGNATURES) throw new XadesError('ERR_XADES_DOCUMENT', `URI="" needs the XPath filter ${XPATH_NO_SIGNATURES}`);
  return uri;
}

/**
 * Resolves and transforms one reference of `signature` inside `doc`: `URI=""` with the XPath filter (the document
 * without any signature, so a later parallel signature breaks no earlier one), `#id` with exclusive c14n (an element in the document or the
 * signature), `#id` with base64 (the decoded text of a ds:Object). `objectBytes` supplies an ENVELOPING object's
 * bytes directly, so a large object is never decoded from the tree.
 */
export function referenceData(ref: Element, doc: Document, objectBytes?: { id: string; bytes: Buffer }): ReferenceData {
  const uri = checkedUri(ref);
  if (uri === '') return documentWithoutSignatures(doc);
  if (!uri.startsWith('#')) throw new XadesError('ERR_XADES_DOCUMENT', `external reference "${uri}" is not supported`);
  const id = uri.slice(1);
  const transforms = transformsOf(ref);
  if (transforms.includes(ALG.base64) && objectBytes?.id === id) return objectBytes.bytes;
  const found = findById(doc, id);
  if (found.length !== 1) throw new XadesError('ERR_XADES_DOCUMENT', `reference "${uri}" matches ${found.length} elements`);
  const target = found[0] as Element;
  if (transforms.includes(ALG.base64)) return Buffer.from((target.textContent ?? '').replace(/\s+/g, ''), 'base64');
  return excC14n(target);
}

/**
 * SHA-256 of a reference's data. The URI="" data (the document without any signature) is the same for every
 * signature of a document: `documentDigest` supplies it, so a caller checking several signatures computes it once.
 */
export function referenceDigest(ref: Element, doc: Document, documentDigest: () => Buffer): Buffer {
  return checkedUri(ref) === '' ? documentDigest() : sha256(referenceData(ref, doc));
}

/** The URI="" digest of a parsed document, from its bytes when the streaming canonicaliser handles them, computed once. */
export function documentDigestOnce(bytes: Buffer, doc: Document): () => Buffer {
  let digest: Buffer | undefined;
  return () => (digest ??= digestWithoutSignatures(bytes)?.digest ?? sha256(documentWithoutSignatures(doc)));
}

export function signedInfoReferences(signature: Element): Element[] {
  const si = child(signature, NS.ds, 'SignedInfo');
  return si ? children(si, NS.ds, 'Reference') : [];
}
