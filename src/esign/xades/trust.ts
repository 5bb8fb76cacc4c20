/**
 * What the engine needs from trust services. The in-process test CA/TSA/OCSP (src/trust) implements it through
 * `trustFromServices`; a real remote TSA/OCSP is another implementation, a configuration change for the engine.
 * Every value is DER.
 */
export interface XadesTrust {
  /** RFC 3161: a TimeStampToken (CMS ContentInfo) whose message imprint is this SHA-256 digest. */
  timestamp(sha256Digest: Buffer): Promise<Buffer>;
  /** The issuers of a certificate, nearest first, up to and including its root. */
  issuers(certificate: Buffer): Promise<Buffer[]>;
  /** An RFC 6960 OCSPResponse for certificate from its issuer's responder. */
  ocsp(certificate: Buffer, issuer: Buffer): Promise<Buffer>;
  /** The current CRL of the issuer of certificate. */
  crl(certificate: Buffer, issuer: Buffer): Promise<Buffer>;
  /** Trust anchors a validation chains to. */
  roots(): Promise<Buffer[]>;
}
