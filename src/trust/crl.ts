import * as asn1js from 'asn1js';
import { SIGNING_ALGORITHM, x509 } from './crypto.js';
import { keyIdOf, type Authority } from './hierarchy.js';
import type { RevocationReason } from './service.js';

export interface RevokedEntry {
  serialNumber: string;
  revokedAt: Date;
  reason: RevocationReason | null;
}

/** How long a CRL stays current; relying parties fetch a new one after nextUpdate. */
const VALIDITY_MS = 24 * 3600 * 1000;

/** A full CRL of one CA, signed by that CA, with CRL number and authority key identifier. */
export async function buildCrl(ca: Authority, revoked: RevokedEntry[], crlNumber: number, now = new Date()): Promise<Buffer> {
  const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subjectName,
    thisUpdate,
    nextUpdate: new Date(thisUpdate.getTime() + VALIDITY_MS),
    signingAlgorithm: SIGNING_ALGORITHM,
    signingKey: ca.privateKey,
    extensions: [
      new x509.AuthorityKeyIdentifierExtension(keyIdOf(ca.certificate)),
      new x509.Extension('2.5.29.20', false, asn1js.Integer.fromBigInt(BigInt(crlNumber)).toBER()),
    ],
    entries: revoked.map((r) => ({
      serialNumber: r.serialNumber,
      revocationDate: new Date(Math.floor(r.revokedAt.getTime() / 1000) * 1000),
      // RFC 5280 §5.3.1: leave reasonCode out rather than say "unspecified".
      ...(r.reason && r.reason !== 'unspecified' ? { reason: x509.X509CrlReason[r.reason] } : {}),
    })),
  });
  return Buffer.from(crl.rawData);
}
