import { createHash, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CadesError } from './errors.js';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  countersignature: '1.2.840.113549.1.9.6',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

export function view(buf: Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export function der(schema: { toBER(sizeOnly?: boolean): ArrayBuffer }): Buffer {
  return Buffer.from(schema.toBER(false));
}

/** A CMS SignedData in a ContentInfo, or undefined when the bytes are something else (a document to wrap). */
export function parseSignedData(bytes: Buffer): pkijs.SignedData | undefined {
  if (bytes[0] !== 0x30) return undefined;
  try {
    const info = pkijs.ContentInfo.fromBER(view(bytes));
    if (info.contentType !== OID.signedData) return undefined;
    return new pkijs.SignedData({ schema: info.content });
  } catch {
    return undefined;
  }
}

export function wrapSignedData(signedData: pkijs.SignedData): Buffer {
  return der(new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) }).toSchema());
}

/** DER SET OF ordering (X.690 11.6): by encoding, a shorter one as if padded with zeros. */
function derOrder(a: Buffer, b: Buffer): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Signed attributes in DER order, and their encoding as the SET OF the signature covers (RFC 5652 5.4): verifiers
 * such as OpenSSL re-encode them in DER, so an unordered set would not verify.
 */
export function signedAttributes(attributes: pkijs.Attribute[]): { attrs: pkijs.SignedAndUnsignedAttributes; signedBytes: Buffer } {
  const sorted = attributes.map((a) => ({ a, bytes: der(a.toSchema()) })).sort((x, y) => derOrder(x.bytes, y.bytes));
  const attrs = new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted.map((s) => s.a) });
  const signedBytes = Buffer.concat([der(new asn1js.Set({ value: sorted.map((s) => s.a.toSchema()) }))]);
  return { attrs, signedBytes };
}

/** ESS SigningCertificateV2 (RFC 5035) naming the signer certificate by its SHA-256 and issuer/serial. */
export function signingCertificateV2(cert: pkijs.Certificate, certDer: Buffer): asn1js.Sequence {
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })] }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: view(sha256(certDer)) }), issuerSerial] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

export function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

export function attributeValue(info: pkijs.SignerInfo, type: string, which: 'signed' | 'unsigned' = 'signed'): asn1js.AsnType[] {
  const set = which === 'signed' ? info.signedAttrs : info.unsignedAttrs;
  return (set?.attributes ?? []).filter((a) => a.type === type).flatMap((a) => a.values as asn1js.AsnType[]);
}

/** The counter-signatures of a SignerInfo, in order (each an unsigned countersignature attribute value). */
export function counterSignatures(info: pkijs.SignerInfo): pkijs.SignerInfo[] {
  return attributeValue(info, OID.countersignature, 'unsigned').map((v) => new pkijs.SignerInfo({ schema: v }));
}

export interface SignerNode {
  path: string;
  info: pkijs.SignerInfo;
  /** Where the node lives: to replace it after adding a counter-signature below it. */
  children: SignerNode[];
}

/** Every signature, depth first, labelled as the vendor does: S0, S1, … and S0:S0 for counter-signatures. */
export function signerTree(signedData: pkijs.SignedData): SignerNode[] {
  const walk = (info: pkijs.SignerInfo, path: string): SignerNode => ({
    path,
    info,
    children: counterSignatures(info).map((c, i) => walk(c, `${path}:S${i}`)),
  });
  return signedData.signerInfos.map((info, i) => walk(info, `S${i}`));
}

export function flatten(nodes: SignerNode[]): SignerNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

/** The steps of a signaturePath (S0:S1 → [0, 1]); malformed paths are ERR_CADES_PATH. */
export function pathSteps(path: string): number[] {
  if (!/^S\d{1,4}(:S\d{1,4}){0,15}$/.test(path)) throw new CadesError('ERR_CADES_PATH', `signaturePath "${path}" is not S<n>(:S<n>)*, e.g. S0 or S0:S0`);
  return path.split(':').map((s) => Number(s.slice(1)));
}

/** The certificate a SignerInfo names (issuer and serial), from the SignedData's certificates. */
export function signerCertificate(signedData: pkijs.SignedData, info: pkijs.SignerInfo): pkijs.Certificate | undefined {
  const sid = info.sid;
  if (!(sid instanceof pkijs.IssuerAndSerialNumber)) return undefined;
  return (signedData.certificates ?? []).find(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate && c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber),
  );
}

/** The subject as one line and its serialNumber (the TCKN in Turkish qualified certificates). */
export function subjectOf(certDer: Buffer): { subject: string; serialNumber: string | null } {
  const lines = new X509Certificate(certDer).subject.split('\n');
  const serial = lines.find((l) => l.startsWith('serialNumber='));
  return { subject: lines.join(', '), serialNumber: serial ? serial.slice('serialNumber='.length) : null };
}
