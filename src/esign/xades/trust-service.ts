import type { TrustService } from '../../trust/index.js';
import type { XadesTrust } from './trust.js';

/** The engine's trust needs, served in-process by the sandbox's test PKI (src/trust). */
export function trustFromService(service: TrustService): XadesTrust {
  return {
    timestamp: (digest) => service.timestamp({ hashAlgorithm: 'SHA-256', hash: digest }),
    issuers: async (certificate) => (await service.chainOf(certificate)).map((c) => Buffer.from(c.rawData)),
    // Our responder and CRL endpoint find the issuing CA themselves.
    ocsp: (certificate) => service.ocspResponseFor(certificate),
    crl: (certificate) => service.crlFor(certificate),
    roots: async () => [Buffer.from((await service.rootCertificate()).rawData)],
  };
}
