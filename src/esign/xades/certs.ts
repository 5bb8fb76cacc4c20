import { X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { XadesError } from './errors.js';
import { nameToString } from './names.js';
import { view } from './tokens.js';
import { sha256 } from './xml.js';

export interface CertInfo {
  der: Buffer;
  x509: X509Certificate;
  pkijs: pkijs.Certificate;
}

/**
 * Parsed certificates by their bytes, least recently used first: a signer's certificate is parsed by prepare, by
 * complete and by every validation, and parsing (OpenSSL and pkijs) costs more than the rest of a small signature.
 * Entries are shared, so callers treat a CertInfo as read-only.
 */
const parsed = new Map<string, CertInfo>();
const PARSED_MAX = 256;

export function parseCertificate(der: Buffer, what = 'certificate'): CertInfo {
  const key = der.toString('latin1');
  const hit = parsed.get(key);
  if (hit) {
    parsed.delete(key);
    parsed.set(key, hit);
    return hit;
  }
  let info: CertInfo;
  try {
    const x509 = new X509Certificate(der);
    info = { der: Buffer.from(x509.raw), x509, pkijs: pkijs.Certificate.fromBER(view(der)) };
  } catch (err) {
    throw new XadesError('ERR_XADES_CERTIFICATE', `${what} is not a DER/PEM X.509 certificate: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed.size >= PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
  parsed.set(key, info);
  return info;
}

/** Accepts DER or PEM. */
export function certificateBytes(input: Buffer | string): Buffer {
  const textual = typeof input === 'string' ? input : input.subarray(0, 40).toString('latin1').includes('-----BEGIN') ? input.toString('latin1') : null;
  if (textual === null) return input as Buffer;
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(textual);
  if (!m?.[1]) throw new XadesError('ERR_XADES_CERTIFICATE', 'no PEM certificate found');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

export function toPem(der: Buffer): string {
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** The subject serialNumber attribute (2.5.4.5): the TCKN in Turkish qualified certificates. */
export function subjectSerialNumber(cert: CertInfo): string | null {
  for (const tv of cert.pkijs.subject.typesAndValues) {
    if (tv.type === '2.5.4.5') return String((tv.value.valueBlock as { value?: unknown }).value ?? '');
  }
  return null;
}

export function serialDecimal(cert: CertInfo): string {
  return BigInt(`0x${cert.x509.serialNumber}`).toString(10);
}

/** issuerSerialV2 per (cached) certificate: re-encoding the issuer with asn1js costs as much as parsing. */
const issuerSerials = new WeakMap<CertInfo, string>();

/** DER of IssuerSerial {issuer GeneralNames(directoryName), serialNumber}: the XAdES IssuerSerialV2 content. */
export function issuerSerialV2(cert: CertInfo): string {
  const known = issuerSerials.get(cert);
  if (known !== undefined) return known;
  const seq = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.pkijs.issuer.toSchema()] })],
      }),
      cert.pkijs.serialNumber,
    ],
  });
  const encoded = Buffer.from(seq.toBER()).toString('base64');
  issuerSerials.set(cert, encoded);
  return encoded;
}

export function certDigest(cert: CertInfo): Buffer {
  return sha256(cert.der);
}

/**
 * Builds the path from a certificate to one of the roots through the pool, checking each signature and each
 * certificate's validity at `at`. Returns the path (leaf first) and what went wrong, if anything.
 */
export function buildChain(
  leaf: CertInfo,
  pool: CertInfo[],
  roots: CertInfo[],
  at: Date,
): { path: CertInfo[]; status: 'VALID' | 'INVALID' | 'UNTRUSTED' | 'EXPIRED'; reason: string | null } {
  const path: CertInfo[] = [leaf];
  let current = leaf;
  for (let depth = 0; depth < 8; depth++) {
    const when = at.getTime();
    if (when < Date.parse(current.x509.validFrom) || when > Date.parse(current.x509.validTo)) {
      return { path, status: 'EXPIRED', reason: `certificate "${nameToString(current.pkijs.subject)}" is not valid at ${at.toISOString()}` };
    }
    const root = roots.find((r) => r.der.equals(current.der));
    if (root) return { path, status: 'VALID', reason: null };
    const issuer = [...roots, ...pool].find((c) => current.x509.checkIssued(c.x509) && current.x509.verify(c.x509.publicKey));
    if (!issuer) return { path, status: 'UNTRUSTED', reason: `no trusted issuer found for "${nameToString(current.pkijs.subject)}"` };
    if (issuer.der.equals(current.der)) return { path, status: 'UNTRUSTED', reason: `self-signed "${nameToString(current.pkijs.subject)}" is not a trusted root` };
    path.push(issuer);
    current = issuer;
  }
  return { path, status: 'INVALID', reason: 'certificate chain too long' };
}
