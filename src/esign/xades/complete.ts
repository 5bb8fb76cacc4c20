import { verify as verifySignature } from 'node:crypto';
import { parseCertificate } from './certs.js';
import { archiveTimestampDigest, signatureTimestampDigest, unsignedSignatureProperties } from './digests.js';
import { XadesError } from './errors.js';
import { levelRank, PROFILE_TIMESTAMP_WINDOW_MS } from './model.js';
import { resolvePath } from './paths.js';
import type { DocumentCheck, PendingState } from './prepare.js';
import { imprintMatches, parseTimestamp, tsaCertificate, type TimestampInfo } from './tokens.js';
import type { XadesTrust } from './trust.js';
import { encodeBase64Into, sha256Meanwhile } from './native.js';
import { collectValidationData, validationDataXml } from './validation-data.js';
import { ALG, NS, XML_DECLARATION, child, children, decodeXml, parseXml, serialize, sha256 } from './xml.js';

export interface CompleteContext {
  /** The same document bytes prepare was given (checked against the state's SHA-256). */
  document: Buffer;
  /** Needed from aslT up. */
  trust?: XadesTrust;
}

/** Appends a parsed XML fragment (namespace prefixes ds/xades/xades141 bound) to parent. */
function appendFragment(parent: Element, xml: string): Element[] {
  const wrapper = parseXml(`<w xmlns:ds="${NS.ds}" xmlns:xades="${NS.xades}" xmlns:xades141="${NS.xades141}">${xml}</w>`, 'fragment').documentElement;
  const out: Element[] = [];
  for (let n = wrapper.firstChild; n; n = n.nextSibling) {
    const imported = parent.ownerDocument.importNode(n, true) as Element;
    parent.appendChild(imported);
    out.push(imported);
  }
  return out;
}

/** The signature's xades:UnsignedSignatureProperties, created when absent. */
function ensureUnsignedSignatureProperties(signature: Element): Element {
  const existing = unsignedSignatureProperties(signature);
  if (existing) return existing;
  const qp = children(signature, NS.ds, 'Object')
    .map((o) => child(o, NS.xades, 'QualifyingProperties'))
    .find((q): q is Element => q !== null);
  if (!qp) throw new XadesError('ERR_XADES_DOCUMENT', 'signature has no xades:QualifyingProperties');
  const doc = signature.ownerDocument;
  const prefix = qp.prefix ? `${qp.prefix}:` : '';
  let up = child(qp, NS.xades, 'UnsignedProperties');
  if (!up) up = qp.appendChild(doc.createElementNS(NS.xades, `${prefix}UnsignedProperties`)) as Element;
  return up.appendChild(doc.createElementNS(NS.xades, `${prefix}UnsignedSignatureProperties`)) as Element;
}

function checkState(state: PendingState): void {
  const ok =
    state && state.version === 1 && typeof state.signatureXml === 'string' && typeof state.signedInfo === 'string' &&
    typeof state.signerCertificate === 'string' && state.options && state.placement && isDocumentCheck(state.document);
  if (!ok) throw new XadesError('ERR_XADES_STATE', 'pending state is malformed or of an unknown version');
  if (sha256(state.signedInfo).toString('base64') !== state.digest) throw new XadesError('ERR_XADES_STATE', 'pending state digest does not match its SignedInfo');
}

function isDocumentCheck(check: DocumentCheck | undefined): boolean {
  if (!check || !Number.isSafeInteger(check.size)) return false;
  if ('sha256' in check) return typeof check.sha256 === 'string';
  const slice = (check as { slice?: Partial<Record<string, unknown>> }).slice;
  return !!slice && Number.isSafeInteger(slice.start) && Number.isSafeInteger(slice.end) && ['sha256', 'head', 'tail'].every((k) => typeof slice[k] === 'string');
}

/** Starts checking `document` is the one prepared (hashing it on another thread where it can); confirm() waits and throws when it is not. */
function checkDocument(check: DocumentCheck, document: Buffer): { confirm(): void; cancel(): void } {
  const [from, to, expected] = 'sha256' in check ? [0, document.length, check.sha256] : [check.slice.start, check.slice.end, check.slice.sha256];
  const around =
    document.length === check.size && ('sha256' in check || (document.toString('base64', 0, from) === check.slice.head && document.toString('base64', to) === check.slice.tail));
  const pending = around ? sha256Meanwhile(document.subarray(from, to)) : null;
  return {
    confirm() {
      if (pending === null || pending.digest().toString('hex') !== expected) {
        throw new XadesError('ERR_XADES_STATE', 'the document is not the one this signature was prepared for');
      }
    },
    cancel: () => pending?.cancel(),
  };
}

async function timestamp(trust: XadesTrust, digest: Buffer): Promise<{ token: Buffer; info: TimestampInfo }> {
  let token: Buffer;
  try {
    token = await trust.timestamp(digest);
  } catch (err) {
    throw new XadesError('ERR_XADES_TRUST', `time-stamp authority failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  const info = parseTimestamp(token);
  if (!imprintMatches(info, digest)) throw new XadesError('ERR_XADES_TRUST', 'time-stamp token does not cover the requested digest');
  return { token, info };
}

/**
 * Phase two: checks the returned signature value against the prepared SignedInfo, inserts it, adds the unsigned
 * properties the level needs (time-stamp, validation data, archive time-stamp) and returns the signed document.
 */
export async function complete(state: PendingState, signatureValue: Buffer, ctx: CompleteContext): Promise<Buffer> {
  checkState(state);
  const document = checkDocument(state.document, ctx.document);
  try {
    // From aslT on, the check comes before a time-stamp authority is asked; below, nothing leaves the process, so
    // the signature is assembled while the document is hashed, and a wrong document still wins over other errors.
    if (levelRank(state.options.level) > 0) document.confirm();
    const signed = await assemble(state, signatureValue, ctx);
    document.confirm();
    return signed;
  } catch (err) {
    document.confirm();
    throw err;
  } finally {
    document.cancel();
  }
}

async function assemble(state: PendingState, signatureValue: Buffer, ctx: CompleteContext): Promise<Buffer> {
  const signer = parseCertificate(Buffer.from(state.signerCertificate, 'base64'), 'signer certificate');
  if (!verifySignature('sha256', Buffer.from(state.signedInfo, 'utf8'), signer.x509.publicKey, signatureValue)) {
    throw new XadesError('ERR_XADES_SIGNATURE_VALUE', 'the signature value does not verify over the prepared SignedInfo with the signer certificate');
  }
  const { options, placement } = state;
  const trust = ctx.trust;
  if (levelRank(options.level) > 0 && !trust) throw new XadesError('ERR_XADES_OPTIONS', `${options.level} needs trust services (a time-stamp authority)`);

  // Enveloped below aslA needs nothing from the document's tree: finish the signature alone, splice it into the
  // bytes (prepare has checked they are UTF-8 XML; the BOM goes, as on the tree path).
  const bytes = placement.kind === 'enveloped' && options.level !== 'aslA' ? withoutBom(ctx.document) : null;
  const rootEnd = bytes === null ? -1 : rootEndTag(bytes);
  // aslBES adds nothing but the value: no tree at all when the prepared text has the shape prepare writes.
  const filled = levelRank(options.level) === 0 && placement.kind !== 'serial' ? withSignatureValue(state, signatureValue) : null;
  if (filled !== null) {
    if (bytes !== null && rootEnd >= 0) return Buffer.concat([bytes.subarray(0, rootEnd), Buffer.from(filled.slice(XML_DECLARATION.length), 'utf8'), bytes.subarray(rootEnd)]);
    if (placement.kind === 'enveloping-xml') return Buffer.from(filled, 'utf8');
    if (placement.kind === 'enveloping-binary') {
      const marked = withObjectMarker(filled, placement.objectId);
      if (marked !== null) return output(marked, { id: placement.objectId, bytes: ctx.document });
    }
  }

  let doc: Document;
  let sig: Element;
  let objectBytes: { id: string; bytes: Buffer } | undefined;
  const prepared = parseXml(state.signatureXml, 'prepared signature');
  if (rootEnd >= 0) {
    doc = prepared;
    sig = prepared.documentElement;
  } else if (placement.kind === 'enveloped' || placement.kind === 'serial') {
    doc = parseXml(decodeXml(ctx.document));
    sig = doc.importNode(prepared.documentElement, true) as Element;
    if (placement.kind === 'enveloped') {
      doc.documentElement.appendChild(sig);
    } else {
      const target = resolvePath(doc, placement.path);
      const sv = child(target, NS.ds, 'SignatureValue') as Element;
      if (placement.addId) sv.setAttribute('Id', placement.signatureValueId);
      const usp = ensureUnsignedSignatureProperties(target);
      const cs = usp.appendChild(doc.createElementNS(NS.xades, `${usp.prefix ? `${usp.prefix}:` : ''}CounterSignature`)) as Element;
      cs.appendChild(sig);
    }
  } else {
    doc = prepared;
    sig = prepared.documentElement;
    if (placement.kind === 'enveloping-binary') objectBytes = { id: placement.objectId, bytes: ctx.document };
  }
  (child(sig, NS.ds, 'SignatureValue') as Element).textContent = signatureValue.toString('base64');

  if (trust && levelRank(options.level) >= levelRank('aslT')) {
    const usp = ensureUnsignedSignatureProperties(sig);
    const ts = await timestamp(trust, signatureTimestampDigest(sig));
    const signingTime = Date.parse(state.signingTime);
    if (options.profile && options.profile !== 'P1' && ts.info.genTime.getTime() - signingTime > PROFILE_TIMESTAMP_WINDOW_MS) {
      throw new XadesError('ERR_XADES_PROFILE', `profile ${options.profile}: the time-stamp (${ts.info.genTime.toISOString()}) is more than 2 hours after SigningTime (${state.signingTime})`);
    }
    appendFragment(
      usp,
      `<xades:SignatureTimeStamp Id="SignatureTimeStamp-${state.signatureId}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"/><xades:EncapsulatedTimeStamp>${ts.token.toString('base64')}</xades:EncapsulatedTimeStamp></xades:SignatureTimeStamp>`,
    );
    if (levelRank(options.level) >= levelRank('aslXL')) {
      const tsa = tsaCertificate(ts.info);
      if (!tsa) throw new XadesError('ERR_XADES_TRUST', 'the time-stamp token carries no TSA certificate');
      const data = await collectValidationData(trust, signer, [tsa], options.revocation);
      appendFragment(usp, validationDataXml(data, sha256));
    }
    if (options.level === 'aslA') {
      const ats = await timestamp(trust, archiveTimestampDigest(sig, doc, objectBytes));
      appendFragment(
        usp,
        `<xades141:ArchiveTimeStamp xmlns:xades141="${NS.xades141}" Id="ArchiveTimeStamp-${state.signatureId}"><ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"/><xades:EncapsulatedTimeStamp>${ats.token.toString('base64')}</xades:EncapsulatedTimeStamp></xades141:ArchiveTimeStamp>`,
      );
    }
  }
  if (bytes !== null && rootEnd >= 0) return Buffer.concat([bytes.subarray(0, rootEnd), Buffer.from(serialize(sig), 'utf8'), bytes.subarray(rootEnd)]);
  if (!objectBytes) return Buffer.from(serialize(doc), 'utf8');
  const object = doc.getElementsByTagNameNS(NS.ds, 'Object');
  for (let i = 0; i < object.length; i++) {
    if (object.item(i)?.getAttribute('Id') === objectBytes.id) (object.item(i) as Element).textContent = objectMarker(objectBytes.id);
  }
  return output(serialize(doc), objectBytes);
}

/**
 * The prepared signature document's text with the signature value in its empty ds:SignatureValue, which prepare
 * writes right after SignedInfo with Id "SignatureValue-" and the signature's id; null when the text differs.
 */
function withSignatureValue(state: PendingState, signatureValue: Buffer): string | null {
  const xml = state.signatureXml;
  const id = state.signatureId.replace(/^Signature-/, '');
  const end = '</ds:SignedInfo>';
  const at = xml.indexOf(end);
  const empty = `${end}<ds:SignatureValue Id="SignatureValue-${id}"/>`;
  if (!xml.startsWith(XML_DECLARATION) || at < 0 || !xml.startsWith(empty, at)) return null;
  return `${xml.slice(0, at)}${end}<ds:SignatureValue Id="SignatureValue-${id}">${signatureValue.toString('base64')}</ds:SignatureValue>${xml.slice(at + empty.length)}`;
}

function objectMarker(objectId: string): string {
  return `IMZALA-OBJECT-${objectId}`;
}

/**
 * The signature text with the marker as the content of the empty binary ds:Object, the first element with its Id
 * (it follows KeyInfo, whose content is base64); null when the element is not written as prepare writes it.
 */
function withObjectMarker(xml: string, objectId: string): string | null {
  const at = xml.indexOf(`<ds:Object Id="${objectId}" `);
  // Attribute values have their quotes escaped, so the first `"/>` closes the start tag.
  const close = at < 0 ? -1 : xml.indexOf('"/>', at);
  if (close < 0) return null;
  return `${xml.slice(0, close)}">${objectMarker(objectId)}</ds:Object>${xml.slice(close + 3)}`;
}

function withoutBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

function endsWith(bytes: Buffer, suffix: string, end: number): boolean {
  return end >= suffix.length && bytes.toString('latin1', end - suffix.length, end) === suffix;
}

/**
 * Offset of the root element's end tag in a well-formed document, found from the end past trailing comments,
 * PIs and white space; -1 when in doubt (an empty-element root, PI data containing `<?`), so the caller takes
 * the tree path.
 */
function rootEndTag(bytes: Buffer): number {
  let end = bytes.length;
  for (;;) {
    while (end > 0 && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[end - 1] as number)) end--;
    if (endsWith(bytes, '-->', end)) end = bytes.lastIndexOf('<!--', end - 3, 'latin1');
    else if (endsWith(bytes, '?>', end)) end = bytes.lastIndexOf('<?', end - 2, 'latin1');
    else break;
    if (end < 0) return -1;
  }
  const start = bytes.lastIndexOf('</', end, 'latin1');
  return start >= 0 && /^<\/[^\s<>/!?]+\s*>$/.test(bytes.toString('utf8', start, end)) ? start : -1;
}

/** The signed text with the binary ENVELOPING object's marker replaced by its base64, written straight into the output, never as one string. */
function output(xml: string, objectBytes: { id: string; bytes: Buffer }): Buffer {
  const marker = objectMarker(objectBytes.id);
  const at = xml.indexOf(marker);
  const head = Buffer.from(xml.slice(0, at), 'utf8');
  const tail = Buffer.from(xml.slice(at + marker.length), 'utf8');
  const bytes = objectBytes.bytes;
  const b64Length = 4 * Math.ceil(bytes.length / 3);
  const out = Buffer.allocUnsafe(head.length + b64Length + tail.length);
  head.copy(out, 0);
  const offset = head.length + encodeBase64Into(bytes, out, head.length);
  tail.copy(out, offset);
  return out;
}
