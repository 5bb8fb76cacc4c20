import { certDigest, parseCertificate, serialDecimal, type CertInfo } from './certs.js';
import { XadesError } from './errors.js';
import type { RevocationKind } from './model.js';
import { nameToString } from './names.js';
import { parseCrl, parseOcsp, type CrlInfo, type OcspInfo } from './tokens.js';
import type { XadesTrust } from './trust.js';
import { ALG, esc } from './xml.js';

/** The chains and revocation answers an XL signature embeds. */
export interface ValidationData {
  /** Every certificate to embed (signer's and TSA's chains, OCSP responders), no duplicates. */
  certificates: CertInfo[];
  /** CA certificates of the signer's chain (CompleteCertificateRefs leaves out the signing certificate). */
  signerCaRefs: CertInfo[];
  ocsp: OcspInfo[];
  crls: CrlInfo[];
}

async function trustCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof XadesError) throw err;
    throw new XadesError('ERR_XADES_TRUST', `${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Collects chains and, per non-root certificate, an OCSP response or its issuer's CRL. */
export async function collectValidationData(trust: XadesTrust, signer: CertInfo, tsaCerts: CertInfo[], kind: RevocationKind): Promise<ValidationData> {
  const certificates: CertInfo[] = [];
  const add = (c: CertInfo): void => {
    if (!certificates.some((x) => x.der.equals(c.der))) certificates.push(c);
  };
  const ocsp: OcspInfo[] = [];
  const crls: CrlInfo[] = [];
  let signerCaRefs: CertInfo[] = [];
  for (const [index, leaf] of [signer, ...tsaCerts].entries()) {
    const issuers = (await trustCall('certificate chain', () => trust.issuers(leaf.der))).map((d) => parseCertificate(d, 'CA certificate'));
    if (index === 0) signerCaRefs = issuers;
    const chain = [leaf, ...issuers];
    chain.forEach(add);
    for (let i = 0; i + 1 < chain.length; i++) {
      const cert = chain[i] as CertInfo;
      const issuer = chain[i + 1] as CertInfo;
      if (kind === 'OCSP') {
        const info = parseOcsp(await trustCall('OCSP', () => trust.ocsp(cert.der, issuer.der)));
        if (!ocsp.some((o) => o.der.equals(info.der))) ocsp.push(info);
        for (const c of info.certificates) add(parseCertificate(c, 'OCSP responder certificate'));
      } else {
        const info = parseCrl(await trustCall('CRL', () => trust.crl(cert.der, issuer.der)));
        if (!crls.some((c) => c.der.equals(info.der))) crls.push(info);
      }
    }
  }
  return { certificates, signerCaRefs, ocsp, crls };
}

const digestAlgAndValue = (bytes: Buffer, digest: (b: Buffer) => Buffer): string =>
  `<xades:DigestAlgAndValue><ds:DigestMethod Algorithm="${ALG.sha256}"/><ds:DigestValue>${digest(bytes).toString('base64')}</ds:DigestValue></xades:DigestAlgAndValue>`;

/** CompleteCertificateRefs, CompleteRevocationRefs, CertificateValues, RevocationValues, in schema order. */
export function validationDataXml(data: ValidationData, digest: (b: Buffer) => Buffer): string {
  const certRefs = data.signerCaRefs
    .map(
      (c) =>
        `<xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="${ALG.sha256}"/><ds:DigestValue>${certDigest(c).toString('base64')}</ds:DigestValue></xades:CertDigest>` +
        `<xades:IssuerSerial><ds:X509IssuerName>${esc(nameToString(c.pkijs.issuer))}</ds:X509IssuerName><ds:X509SerialNumber>${serialDecimal(c)}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert>`,
    )
    .join('');
  const ocspRefs = data.ocsp
    .map((o) => {
      const rid = o.responderByName ? `<xades:ByName>${esc(nameToString(o.responderByName))}</xades:ByName>` : `<xades:ByKey>${(o.responderByKey ?? Buffer.alloc(0)).toString('base64')}</xades:ByKey>`;
      return `<xades:OCSPRef><xades:OCSPIdentifier><xades:ResponderID>${rid}</xades:ResponderID><xades:ProducedAt>${o.producedAt.toISOString().replace(/\.\d{3}Z$/, 'Z')}</xades:ProducedAt></xades:OCSPIdentifier>${digestAlgAndValue(o.der, digest)}</xades:OCSPRef>`;
    })
    .join('');
  const crlRefs = data.crls
    .map(
      (c) =>
        `<xades:CRLRef>${digestAlgAndValue(c.der, digest)}<xades:CRLIdentifier><xades:Issuer>${esc(nameToString(c.issuer))}</xades:Issuer><xades:IssueTime>${c.thisUpdate.toISOString().replace(/\.\d{3}Z$/, 'Z')}</xades:IssueTime></xades:CRLIdentifier></xades:CRLRef>`,
    )
    .join('');
  const revRefs = (crlRefs ? `<xades:CRLRefs>${crlRefs}</xades:CRLRefs>` : '') + (ocspRefs ? `<xades:OCSPRefs>${ocspRefs}</xades:OCSPRefs>` : '');
  const crlValues = data.crls.map((c) => `<xades:EncapsulatedCRLValue>${c.der.toString('base64')}</xades:EncapsulatedCRLValue>`).join('');
  const ocspValues = data.ocsp.map((o) => `<xades:EncapsulatedOCSPValue>${o.der.toString('base64')}</xades:EncapsulatedOCSPValue>`).join('');
  return (
    `<xades:CompleteCertificateRefs><xades:CertRefs>${certRefs}</xades:CertRefs></xades:CompleteCertificateRefs>` +
    `<xades:CompleteRevocationRefs>${revRefs}</xades:CompleteRevocationRefs>` +
    `<xades:CertificateValues>${data.certificates.map((c) => `<xades:EncapsulatedX509Certificate>${c.der.toString('base64')}</xades:EncapsulatedX509Certificate>`).join('')}</xades:CertificateValues>` +
    `<xades:RevocationValues>${crlValues ? `<xades:CRLValues>${crlValues}</xades:CRLValues>` : ''}${ocspValues ? `<xades:OCSPValues>${ocspValues}</xades:OCSPValues>` : ''}</xades:RevocationValues>`
  );
}
