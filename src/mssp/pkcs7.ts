import { constants, privateEncrypt, publicDecrypt, X509Certificate, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MsspError } from './status.js';

/**
 * The mobile signature as a CMS SignedData. Choice (documented for the XAdES engine): NO signed attributes and
 * detached content, so the SignerInfo's signature is RSASSA-PKCS1-v1_5 directly over the hash the AP sent —
 * exactly a ds:SignatureValue when that hash is SHA-256(canonical SignedInfo). It is also a valid CMS
 * signature over the (absent) content, as Turkish operators return it.
 */
export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

const HASHES: Record<HashName, { oid: string; length: number; digestInfoPrefix: string }> = {
  'SHA-256': { oid: '2.16.840.1.101.3.4.2.1', length: 32, digestInfoPrefix: '3031300d060960864801650304020105000420' },
  'SHA-384': { oid: '2.16.840.1.101.3.4.2.2', length: 48, digestInfoPrefix: '3041300d060960864801650304020205000430' },
  'SHA-512': { oid: '2.16.840.1.101.3.4.2.3', length: 64, digestInfoPrefix: '3051300d060960864801650304020305000440' },
};
const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
const SIGNED_DATA = '1.2.840.113549.1.7.2';
const DATA = '1.2.840.113549.1.7.1';

/** Which hash a to-be-signed value is, by its length; undefined when it is none we sign. */
export function hashOfLength(length: number): HashName | undefined {
  return (Object.keys(HASHES) as HashName[]).find((h) => HASHES[h].length === length);
}

function digestInfo(hash: HashName, digest: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(HASHES[hash].digestInfoPrefix, 'hex'), digest]);
}

function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Signs `digest` with the subscriber's key and wraps it, with the certificate chain, as DER ContentInfo. */
export function signDigest(digest: Buffer, privateKey: KeyObject, certificates: Buffer[]): Buffer {
  const hash = hashOfLength(digest.length);
  if (!hash) throw new MsspError('WRONG_DATA_LENGTH', `cannot sign ${digest.length} bytes: not a SHA-256/384/512 hash`);
  const signature = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, digestInfo(hash, digest));
  const certs = certificates.map((der) => pkijs.Certificate.fromBER(toArrayBuffer(der)));
  const signer = certs[0];
  if (!signer) throw new MsspError('NO_CERT_FOUND', 'subscriber has no certificate');
  const digestAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: HASHES[hash].oid, algorithmParams: new asn1js.Null() });
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [digestAlgorithm],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: DATA }),
    certificates: certs,
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.issuer, serialNumber: signer.serialNumber }),
        digestAlgorithm,
        signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: RSA_ENCRYPTION, algorithmParams: new asn1js.Null() }),
        signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
      }),
    ],
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: SIGNED_DATA, content: signedData.toSchema(true) });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

export interface ExtractedSignature {
  /** RSASSA-PKCS1-v1_5 signature value over the hash: a ds:SignatureValue as is. */
  signatureValue: Buffer;
  hash: HashName;
  /** DER of the signer's certificate. */
  signerCertificate: Buffer;
  /** DER of every certificate the SignedData carries (signer first). */
  certificates: Buffer[];
}

/**
 * Reads an operator's PKCS#7 and checks it: one SignerInfo, no signed attributes, signed by a certificate it
 * carries, and the signature verifies over `digest` with that certificate's key. Anything else is 503
 * INVALID_SIGNATURE (a signature we cannot use is as bad as a wrong one).
 */
export function extractSignature(der: Buffer, digest: Buffer): ExtractedSignature {
  let signedData: pkijs.SignedData;
  try {
    const contentInfo = pkijs.ContentInfo.fromBER(toArrayBuffer(der));
    if (contentInfo.contentType !== SIGNED_DATA) throw new Error('not a SignedData');
    signedData = new pkijs.SignedData({ schema: contentInfo.content });
  } catch (err) {
    throw new MsspError('INVALID_SIGNATURE', `operator signature is not a CMS SignedData: ${(err as Error).message}`, { cause: err });
  }
  const info = signedData.signerInfos[0];
  if (!info || signedData.signerInfos.length !== 1) throw new MsspError('INVALID_SIGNATURE', 'expected exactly one SignerInfo');
  if (info.signedAttrs) throw new MsspError('INVALID_SIGNATURE', 'SignerInfo has signed attributes: no raw signature over the hash');
  const certs = (signedData.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const sid = info.sid;
  const signer = certs.find((c) =>
    sid instanceof pkijs.IssuerAndSerialNumber
      ? c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber)
      : false,
  );
  if (!signer) throw new MsspError('NO_CERT_FOUND', 'signer certificate not included in the PKCS#7');
  const hash = (Object.keys(HASHES) as HashName[]).find((h) => HASHES[h].oid === info.digestAlgorithm.algorithmId);
  if (!hash || HASHES[hash].length !== digest.length) throw new MsspError('INVALID_SIGNATURE', 'digest algorithm does not match the data to be signed');
  const signerDer = Buffer.from(signer.toSchema().toBER(false));
  const signatureValue = Buffer.from(info.signature.valueBlock.valueHexView);
  let recovered: Buffer | undefined;
  try {
    recovered = publicDecrypt({ key: new X509Certificate(signerDer).publicKey, padding: constants.RSA_PKCS1_PADDING }, signatureValue);
  } catch {
    recovered = undefined;
  }
  if (!recovered?.equals(digestInfo(hash, digest))) throw new MsspError('INVALID_SIGNATURE', 'signature does not verify over the hash with the signer certificate');
  return {
    signatureValue,
    hash,
    signerCertificate: signerDer,
    certificates: [signerDer, ...certs.filter((c) => c !== signer).map((c) => Buffer.from(c.toSchema().toBER(false)))],
  };
}
