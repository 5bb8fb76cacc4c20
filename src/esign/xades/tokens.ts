import { createHash, verify, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCertificate, type CertInfo } from './certs.js';
import { XadesError } from './errors.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';

export function view(buf: Buffer | Uint8Array): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export interface TimestampInfo {
  genTime: Date;
  imprint: Buffer;
  hashOid: string;
  certificates: Buffer[];
  signedData: pkijs.SignedData;
}

/** Reads an RFC 3161 TimeStampToken (a CMS ContentInfo wrapping SignedData with TSTInfo). */
export function parseTimestamp(token: Buffer): TimestampInfo {
  try {
    const ci = pkijs.ContentInfo.fromBER(view(token));
    if (ci.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error('not CMS SignedData');
    const signedData = new pkijs.SignedData({ schema: ci.content });
    const econtent = signedData.encapContentInfo.eContent;
    if (!econtent) throw new Error('no TSTInfo');
    const tst = pkijs.TSTInfo.fromBER(econtent.getValue());
    const certificates = (signedData.certificates ?? [])
      .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
      .map((c) => Buffer.from(c.toSchema().toBER()));
    return {
      genTime: tst.genTime,
      imprint: Buffer.from(tst.messageImprint.hashedMessage.valueBlock.valueHexView),
      hashOid: tst.messageImprint.hashAlgorithm.algorithmId,
      certificates,
      signedData,
    };
  } catch (err) {
    throw new XadesError('ERR_XADES_TRUST', `time-stamp token unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

const DIGESTS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512', '1.3.14.3.2.26': 'sha1',
};
const MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

/**
 * Checks the token's own CMS signature with the signer's certificate: the messageDigest attribute against the
 * TSTInfo, the signature over the DER SET of signed attributes. (pkijs's SignedData.verify rejects TSTInfo
 * eContent it cannot read as one primitive OCTET STRING, so this is done with node:crypto.)
 */
export function timestampSignatureOk(info: TimestampInfo, tsaPublicKey: KeyObject): boolean {
  try {
    const si = info.signedData.signerInfos[0];
    const econtent = info.signedData.encapContentInfo.eContent;
    if (!si?.signedAttrs || !econtent) return false;
    const hashName = DIGESTS[si.digestAlgorithm.algorithmId];
    if (!hashName) return false;
    const md = si.signedAttrs.attributes.find((a) => a.type === MESSAGE_DIGEST)?.values[0] as asn1js.OctetString | undefined;
    const content = Buffer.from(econtent.getValue());
    if (!md || !Buffer.from(md.valueBlock.valueHexView).equals(createHash(hashName).update(content).digest())) return false;
    return verify(hashName, Buffer.from(si.signedAttrs.encodedValue), tsaPublicKey, Buffer.from(si.signature.valueBlock.valueHexView));
  } catch {
    return false;
  }
}

/** The TSA's certificate: the token's certificate whose serial the SignerInfo names. */
export function tsaCertificate(info: TimestampInfo): CertInfo | null {
  const sid = info.signedData.signerInfos[0]?.sid as { serialNumber?: { isEqual(o: unknown): boolean } } | undefined;
  for (const der of info.certificates) {
    const c = parseCertificate(der, 'TSA certificate');
    if (sid?.serialNumber?.isEqual(c.pkijs.serialNumber)) return c;
  }
  return null;
}

export function imprintMatches(info: TimestampInfo, digest: Buffer): boolean {
  return info.hashOid === SHA256_OID && info.imprint.equals(digest);
}

export interface OcspInfo {
  der: Buffer;
  basic: pkijs.BasicOCSPResponse;
  producedAt: Date;
  responderByName: pkijs.RelativeDistinguishedNames | null;
  responderByKey: Buffer | null;
  certificates: Buffer[];
}

export function parseOcsp(der: Buffer): OcspInfo {
  try {
    const resp = pkijs.OCSPResponse.fromBER(view(der));
    if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) {
      throw new Error(`responseStatus ${resp.responseStatus.valueBlock.valueDec}`);
    }
    const basic = pkijs.BasicOCSPResponse.fromBER(view(resp.responseBytes.response.valueBlock.valueHexView));
    const rid = basic.tbsResponseData.responderID as unknown;
    return {
      der,
      basic,
      producedAt: basic.tbsResponseData.producedAt,
      responderByName: rid instanceof pkijs.RelativeDistinguishedNames ? rid : null,
      responderByKey: rid instanceof asn1js.OctetString ? Buffer.from(rid.valueBlock.valueHexView) : null,
      certificates: (basic.certs ?? []).map((c) => Buffer.from(c.toSchema().toBER())),
    };
  } catch (err) {
    throw new XadesError('ERR_XADES_TRUST', `OCSP response unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export type CertStatus = { status: 'GOOD' | 'UNKNOWN' } | { status: 'REVOKED'; revokedAt: Date | null };

/** The status an OCSP response gives for one certificate; verifies the response's signature first. */
export async function ocspStatus(info: OcspInfo, cert: pkijs.Certificate, issuer: pkijs.Certificate, roots: pkijs.Certificate[]): Promise<CertStatus | null> {
  try {
    const ok = await info.basic.verify({ trustedCerts: roots, issuerCerts: [issuer] });
    if (!ok) return null;
    const st = await info.basic.getCertificateStatus(cert, issuer);
    if (!st.isForCertificate) return null;
    if (st.status === 0) return { status: 'GOOD' };
    if (st.status === 1) {
      const single = info.basic.tbsResponseData.responses.find((r) => r.certID.serialNumber.isEqual(cert.serialNumber));
      const revoked = single?.certStatus as { valueBlock?: { value?: { toDate?: () => Date }[] } } | undefined;
      const first = revoked?.valueBlock?.value?.[0] as { toDate?: () => Date } | undefined;
      return { status: 'REVOKED', revokedAt: first?.toDate ? first.toDate() : null };
    }
    return { status: 'UNKNOWN' };
  } catch {
    return null;
  }
}

export interface CrlInfo {
  der: Buffer;
  crl: pkijs.CertificateRevocationList;
  thisUpdate: Date;
  issuer: pkijs.RelativeDistinguishedNames;
}

export function parseCrl(der: Buffer): CrlInfo {
  try {
    const crl = pkijs.CertificateRevocationList.fromBER(view(der));
    return { der, crl, thisUpdate: crl.thisUpdate.value, issuer: crl.issuer };
  } catch (err) {
    throw new XadesError('ERR_XADES_TRUST', `CRL unreadable: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function crlStatus(info: CrlInfo, cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<CertStatus | null> {
  try {
    if (!info.crl.issuer.isEqual(issuer.subject) || !(await info.crl.verify({ issuerCertificate: issuer }))) return null;
    const entry = (info.crl.revokedCertificates ?? []).find((r) => r.userCertificate.isEqual(cert.serialNumber));
    return entry ? { status: 'REVOKED', revokedAt: entry.revocationDate.value } : { status: 'GOOD' };
  } catch {
    return null;
  }
}
