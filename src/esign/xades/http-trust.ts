import { randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificateBytes, parseCertificate, type CertInfo } from './certs.js';
import { XadesError } from './errors.js';
import { view } from './tokens.js';
import type { XadesTrust } from './trust.js';

export interface HttpTrustOptions {
  /** RFC 3161 endpoint (POST application/timestamp-query). */
  tsaUrl: string;
  /** Trust anchors (DER or PEM). */
  roots: (Buffer | string)[];
  /** Intermediate CA certificates the chains go through (DER or PEM). */
  caCertificates?: (Buffer | string)[];
  /** OCSP responder to ask instead of the one a certificate's AuthorityInfoAccess names. */
  ocspUrl?: string;
  /** Per-request time limit. */
  timeoutMs?: number;
}

const CRL_DISTRIBUTION_POINTS = '2.5.29.31';
const SHA256_OID = '2.16.840.1.101.3.4.2.1';

async function post(url: string, type: string, body: ArrayBuffer, accept: string, timeoutMs: number): Promise<Buffer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type, accept }, body, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new XadesError('ERR_XADES_TRUST', `${url} answered HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

function ocspUrlOf(cert: CertInfo): string | null {
  return /OCSP - URI:(\S+)/.exec(cert.x509.infoAccess ?? '')?.[1] ?? null;
}

function crlUrlOf(cert: CertInfo): string | null {
  const ext = cert.pkijs.extensions?.find((e) => e.extnID === CRL_DISTRIBUTION_POINTS);
  const points = (ext?.parsedValue as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? [];
  for (const p of points) {
    const names = Array.isArray(p.distributionPoint) ? p.distributionPoint : [];
    const uri = names.find((n) => n.type === 6)?.value;
    if (typeof uri === 'string' && /^https?:\/\//.test(uri)) return uri;
  }
  return null;
}

/**
 * Trust services over the network: a remote RFC 3161 TSA, the OCSP responders and CRL distribution points the
 * certificates name, chains from configured CA certificates. The engine works the same with this as in-process.
 */
export function httpTrust(options: HttpTrustOptions): XadesTrust {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const roots = options.roots.map((r) => parseCertificate(certificateBytes(r), 'trusted root'));
  const pool = [...roots, ...(options.caCertificates ?? []).map((c) => parseCertificate(certificateBytes(c), 'CA certificate'))];

  return {
    async timestamp(digest) {
      const request = new pkijs.TimeStampReq({
        version: 1,
        messageImprint: new pkijs.MessageImprint({
          hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID, algorithmParams: new asn1js.Null() }),
          hashedMessage: new asn1js.OctetString({ valueHex: view(digest) }),
        }),
        nonce: new asn1js.Integer({ valueHex: view(randomBytes(8)) }),
        certReq: true,
      });
      const der = await post(options.tsaUrl, 'application/timestamp-query', request.toSchema().toBER(), 'application/timestamp-reply', timeoutMs);
      const response = pkijs.TimeStampResp.fromBER(view(der));
      if (response.status.status > 1 || !response.timeStampToken) {
        throw new XadesError('ERR_XADES_TRUST', `the TSA refused (status ${response.status.status}${response.status.statusStrings?.length ? `: ${response.status.statusStrings.map((s) => s.valueBlock.value).join('; ')}` : ''})`);
      }
      return Buffer.from(response.timeStampToken.toSchema().toBER());
    },

    async issuers(certificate) {
      const chain: Buffer[] = [];
      let current = parseCertificate(certificate);
      for (let depth = 0; depth < 8; depth++) {
        if (roots.some((r) => r.der.equals(current.der))) return chain;
        const issuer = pool.find((c) => current.x509.checkIssued(c.x509) && current.x509.verify(c.x509.publicKey));
        if (!issuer || issuer.der.equals(current.der)) throw new XadesError('ERR_XADES_TRUST', `no configured issuer for "${current.x509.subject.replace(/\n/g, ', ')}"`);
        chain.push(issuer.der);
        current = issuer;
      }
      throw new XadesError('ERR_XADES_TRUST', 'certificate chain too long');
    },

    async ocsp(certificate, issuer) {
      const cert = parseCertificate(certificate);
      const url = options.ocspUrl ?? ocspUrlOf(cert);
      if (!url) throw new XadesError('ERR_XADES_TRUST', 'the certificate names no OCSP responder and none is configured');
      const request = new pkijs.OCSPRequest();
      await request.createForCertificate(cert.pkijs, { hashAlgorithm: 'SHA-256', issuerCertificate: parseCertificate(issuer).pkijs });
      return post(url, 'application/ocsp-request', request.toSchema(true).toBER(), 'application/ocsp-response', timeoutMs);
    },

    async crl(certificate) {
      const url = crlUrlOf(parseCertificate(certificate));
      if (!url) throw new XadesError('ERR_XADES_TRUST', 'the certificate names no CRL distribution point');
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) throw new XadesError('ERR_XADES_TRUST', `${url} answered HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },

    roots: async () => roots.map((r) => r.der),
  };
}
