import { verify, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  attribute,
  attributeValue,
  der,
  flatten,
  OID,
  parseSignedData,
  pathSteps,
  sha256,
  signedAttributes,
  signerCertificate,
  signerTree,
  signingCertificateV2,
  subjectOf,
  view,
  wrapSignedData,
  type SignerNode,
} from './cms.js';
import { CadesError } from './errors.js';

export type CadesLevel = 'BES' | 'T';

/** What a caller may ask for (the vendor's CadesMobile fields). */
export interface CadesRequest {
  level?: string | null;
  profile?: string | null;
  serialOrParallel?: string | null;
  signaturePath?: string | null;
  signingTime?: Date;
}

/** What `assemble` needs once the signature value arrives; JSON, kept by the pending store. */
export interface CadesPendingState {
  level: CadesLevel;
  /** undefined: a PARALLEL signature (a new SignerInfo); else the path of the signature to counter-sign. */
  counterSigns?: string;
  signingTime: string;
  messageDigest: string;
  certificate: string;
  /** SHA-256 of the signed attributes: the operator's DataToBeSigned. */
  digest: string;
}

const LEVELS: Record<string, CadesLevel> = { bes: 'BES', aslbes: 'BES', cadesbes: 'BES', t: 'T', aslt: 'T', cadest: 'T' };

function parseLevel(value: string | null | undefined): CadesLevel {
  if (value === null || value === undefined || value.trim() === '') return 'BES';
  const level = LEVELS[value.trim().toLowerCase()];
  if (!level) throw new CadesError('ERR_CADES_OPTIONS', `signature level "${value}" is not offered for CAdES here (BES or T)`);
  return level;
}

function placement(request: CadesRequest): string | undefined {
  const kind = (request.serialOrParallel?.trim() || 'PARALLEL').toUpperCase();
  const path = request.signaturePath?.trim() || undefined;
  if (kind === 'PARALLEL') {
    if (path) throw new CadesError('ERR_CADES_OPTIONS', 'signaturePath is for SERIAL signatures; a PARALLEL one takes none');
    return undefined;
  }
  if (kind !== 'SERIAL') throw new CadesError('ERR_CADES_OPTIONS', `unknown serialOrParallel "${request.serialOrParallel}" (SERIAL or PARALLEL)`);
  if (!path) throw new CadesError('ERR_CADES_PATH', 'a SERIAL signature needs signaturePath (e.g. S0 or S0:S0)');
  return path;
}

function find(nodes: SignerNode[], path: string): SignerNode {
  const steps = pathSteps(path);
  let level = nodes;
  let node: SignerNode | undefined;
  for (const step of steps) {
    node = level[step];
    if (!node) throw new CadesError('ERR_CADES_PATH', `signaturePath ${path} names no signature in this document`);
    level = node.children;
  }
  return node as SignerNode;
}

/** The bytes a new signature covers: the document, or the content of the SignedData it joins. */
function content(document: Buffer, signedData: pkijs.SignedData | undefined): Buffer {
  if (!signedData) return document;
  const eContent = signedData.encapContentInfo.eContent;
  if (!eContent) throw new CadesError('ERR_CADES_DOCUMENT', 'the document is a detached CMS signature: its content is not here to sign');
  return Buffer.from(eContent.getValue());
}

/**
 * First phase: the signed attributes (content type, signing time, message digest, ESS signing certificate v2)
 * and their SHA-256, which the operator signs. A PARALLEL signature covers the content (the document, or the
 * content of the CMS it joins); a SERIAL one counter-signs the signature value at signaturePath (RFC 5652 11.4).
 */
export function prepareCades(document: Buffer, request: CadesRequest, signerDer: Buffer): { state: CadesPendingState; digest: Buffer; fingerprint: string } {
  if (request.profile !== null && request.profile !== undefined && request.profile.trim() !== '') {
    throw new CadesError('ERR_CADES_OPTIONS', 'Turkish signature profiles are offered for XAdES; leave signatureTurkishProfile empty for CAdES');
  }
  const level = parseLevel(request.level);
  const counterSigns = placement(request);
  const signedData = parseSignedData(document);
  let covered: Buffer;
  if (counterSigns === undefined) {
    covered = content(document, signedData);
  } else {
    if (!signedData) throw new CadesError('ERR_CADES_PATH', `signaturePath ${counterSigns}: the document has no CAdES signature to counter-sign`);
    covered = Buffer.from(find(signerTree(signedData), counterSigns).info.signature.valueBlock.valueHexView);
  }
  const signingTime = request.signingTime ?? new Date();
  const state: CadesPendingState = {
    level,
    ...(counterSigns !== undefined ? { counterSigns } : {}),
    signingTime: signingTime.toISOString(),
    messageDigest: sha256(covered).toString('base64'),
    certificate: signerDer.toString('base64'),
    digest: '',
  };
  const digest = sha256(signedAttributesOf(state).signedBytes);
  state.digest = digest.toString('base64');
  return { state, digest, fingerprint: digest.toString('hex').toUpperCase() };
}

function signedAttributesOf(state: CadesPendingState) {
  const certDer = Buffer.from(state.certificate, 'base64');
  const cert = pkijs.Certificate.fromBER(view(certDer));
  const attributes = [
    attribute(OID.signingTime, new asn1js.UTCTime({ valueDate: new Date(state.signingTime) })),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: view(Buffer.from(state.messageDigest, 'base64')) })),
    attribute(OID.signingCertificateV2, signingCertificateV2(cert, certDer)),
  ];
  // A counter-signature has no content type (RFC 5652 11.4); a signature of the content has.
  if (state.counterSigns === undefined) attributes.push(attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })));
  return { cert, certDer, ...signedAttributes(attributes) };
}

export interface CadesCompleteContext {
  /** RFC 3161 token over a SHA-256 digest (level T). */
  timestamp(sha256Digest: Buffer): Promise<Buffer>;
  /** The signer's issuers, nearest first (carried in the SignedData so verifiers can build the chain). */
  issuers(certificate: Buffer): Promise<Buffer[]>;
}

/** Second phase: checks the signature value and writes the SignerInfo where the first phase planned it. */
export async function assembleCades(state: CadesPendingState, signatureValue: Buffer, document: Buffer, context: CadesCompleteContext): Promise<Buffer> {
  const { cert, certDer, attrs, signedBytes } = signedAttributesOf(state);
  if (!sha256(signedBytes).equals(Buffer.from(state.digest, 'base64'))) throw new CadesError('ERR_CADES_STATE', 'the pending state does not reproduce its digest');
  if (!verify('sha256', signedBytes, new X509Certificate(certDer).publicKey, signatureValue)) {
    throw new CadesError('ERR_CADES_SIGNATURE_VALUE', 'the signature value does not verify over the signed attributes with the signer certificate');
  }
  const info = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
    digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
    signedAttrs: attrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
    signature: new asn1js.OctetString({ valueHex: view(signatureValue) }),
  });
  if (state.level === 'T') {
    const token = await context.timestamp(sha256(signatureValue));
    info.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [attribute(OID.signatureTimeStampToken, asn1js.fromBER(view(token)).result)] });
  }

  const signedData =
    parseSignedData(document) ??
    new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data, eContent: new asn1js.OctetString({ valueHex: view(document) }) }),
      signerInfos: [],
      certificates: [],
    });
  if (!signedData.digestAlgorithms.some((a) => a.algorithmId === OID.sha256)) signedData.digestAlgorithms.push(new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }));
  const certificates = (signedData.certificates ??= []);
  for (const der of [certDer, ...(await context.issuers(certDer)).slice(0, -1)]) {
    const c = pkijs.Certificate.fromBER(view(der));
    if (!certificates.some((known) => known instanceof pkijs.Certificate && known.issuer.isEqual(c.issuer) && known.serialNumber.isEqual(c.serialNumber))) certificates.push(c);
  }
  if (state.counterSigns === undefined) {
    signedData.signerInfos.push(info);
  } else {
    addCounterSignature(signedData, state.counterSigns, info);
  }
  return wrapSignedData(signedData);
}

/** Adds `info` below the signature at `path`, rebuilding each SignerInfo on the way up (they are values). */
function addCounterSignature(signedData: pkijs.SignedData, path: string, info: pkijs.SignerInfo): void {
  const steps = pathSteps(path);
  const insert = (target: pkijs.SignerInfo, rest: number[]): void => {
    if (rest.length === 0) {
      appendUnsigned(target, attribute(OID.countersignature, info.toSchema()));
      return;
    }
    const children = attributeValue(target, OID.countersignature, 'unsigned').map((v) => new pkijs.SignerInfo({ schema: v }));
    const child = children[rest[0] as number];
    if (!child) throw new CadesError('ERR_CADES_PATH', `signaturePath ${path} names no signature in this document`);
    insert(child, rest.slice(1));
    const others = (target.unsignedAttrs?.attributes ?? []).filter((a) => a.type !== OID.countersignature);
    target.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
      type: 1,
      attributes: [...others, ...children.map((c) => attribute(OID.countersignature, c.toSchema()))],
    });
  };
  const top = signedData.signerInfos[steps[0] as number];
  if (!top) throw new CadesError('ERR_CADES_PATH', `signaturePath ${path} names no signature in this document`);
  insert(top, steps.slice(1));
}

function appendUnsigned(info: pkijs.SignerInfo, attr: pkijs.Attribute): void {
  info.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: [...(info.unsignedAttrs?.attributes ?? []), attr] });
}

export interface CadesListItem {
  entityLabel: string;
  level: CadesLevel;
  subjectRDN: string | null;
  timestamped: boolean;
  claimedSigningTime: string | null;
  citizenshipNo: string | null;
}

/** The vendor's GetSignatureListCore items for a CMS document; a document that is no CMS has none. */
export function cadesSignatureList(document: Buffer): CadesListItem[] {
  const signedData = parseSignedData(document);
  if (!signedData) return [];
  return flatten(signerTree(signedData)).map(({ path, info }) => {
    const cert = signerCertificate(signedData, info);
    const subject = cert ? subjectOf(der(cert.toSchema())) : null;
    const time = attributeValue(info, OID.signingTime)[0];
    const timestamped = attributeValue(info, OID.signatureTimeStampToken, 'unsigned').length > 0;
    return {
      entityLabel: path,
      level: timestamped ? 'T' : 'BES',
      subjectRDN: subject?.subject ?? null,
      timestamped,
      claimedSigningTime: time instanceof asn1js.UTCTime || time instanceof asn1js.GeneralizedTime ? time.toDate().toISOString() : null,
      citizenshipNo: subject?.serialNumber ?? null,
    };
  });
}
