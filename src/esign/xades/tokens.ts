import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
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

/** Checks the token's own CMS signature (the TSA chain is checked by the caller, against its roots). */
export async function timestampSignatureOk(info: TimestampInfo): Promise<boolean> {
  try {
    return await info.signedData.verify({ signer: 0, checkChain: false });
  } catch {
    return false;
  }
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
