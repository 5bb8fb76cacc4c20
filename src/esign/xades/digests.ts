import { createHash } from 'node:crypto';
import { referenceData, signedInfoReferences } from './references.js';
import { NS, child, children, descend, excC14n, sha256 } from './xml.js';

/** SignatureTimeStamp input: the canonical ds:SignatureValue element. */
export function signatureTimestampDigest(signature: Element): Buffer {
  return sha256(excC14n(child(signature, NS.ds, 'SignatureValue') as Element));
}

export function unsignedSignatureProperties(signature: Element): Element | null {
  for (const object of children(signature, NS.ds, 'Object')) {
    const usp = descend(object, [NS.xades, 'QualifyingProperties'], [NS.xades, 'UnsignedProperties'], [NS.xades, 'UnsignedSignatureProperties']);
    if (usp) return usp;
  }
  return null;
}

/**
 * ArchiveTimeStamp input (XAdES 1.4.1 / EN 319 132-1 5.5.2, without the ds:Object part): each reference's
 * transformed data in SignedInfo order, then canonical SignedInfo, SignatureValue and KeyInfo, then every unsigned
 * signature property that precedes the archive time-stamp (`before`; all of them when null).
 */
export function archiveTimestampDigest(signature: Element, doc: Document, objectBytes?: { id: string; bytes: Buffer }, before: Element | null = null): Buffer {
  const hash = createHash('sha256');
  for (const ref of signedInfoReferences(signature)) hash.update(referenceData(ref, doc, objectBytes));
  for (const name of ['SignedInfo', 'SignatureValue', 'KeyInfo']) {
    const el = child(signature, NS.ds, name);
    if (el) hash.update(excC14n(el));
  }
  const usp = unsignedSignatureProperties(signature);
  for (let n = usp?.firstChild ?? null; n && n !== before; n = n.nextSibling) {
    if (n.nodeType === 1) hash.update(excC14n(n));
  }
  return hash.digest();
}
