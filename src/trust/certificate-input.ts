import { bytes, fromPem, x509 } from './crypto.js';
import { TrustError } from './errors.js';

/** What callers may hand us as a certificate: a parsed object, DER bytes, PEM, or bare base64 of DER. */
export type CertificateInput = x509.X509Certificate | Uint8Array | ArrayBuffer | string;

export function toCertificate(input: CertificateInput): x509.X509Certificate {
  if (input instanceof x509.X509Certificate) return input;
  try {
    if (typeof input === 'string') return new x509.X509Certificate(input.includes('-----BEGIN') ? fromPem(input) : bytes(Buffer.from(input, 'base64')));
    return new x509.X509Certificate(bytes(input));
  } catch {
    throw new TrustError('ERR_TRUST_BAD_INPUT', 'not an X.509 certificate');
  }
}

export function derOf(cert: x509.X509Certificate): Buffer {
  return Buffer.from(cert.rawData);
}
