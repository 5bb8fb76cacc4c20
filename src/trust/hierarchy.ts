import { randomBytes } from 'node:crypto';
import { bytes, exportPkcs8Pem, generateSigningKey, pkijs, SIGNING_ALGORITHM, x509 } from './crypto.js';
import { TrustError } from './errors.js';
import { ocspNoCheckExtension, OID } from './extensions.js';

/** The vendor's operator names (Onaylarım `operator` field); each has its own qualified-signature sub-CA. */
export const OPERATORS = ['TURKCELL', 'VODAFONE', 'AVEA'] as const;
export type Operator = (typeof OPERATORS)[number];

export type AuthorityKind = 'root' | 'sub-ca' | 'tsa' | 'ocsp';

/** A key-holding identity of the PKI: a CA, the time-stamping unit, or an OCSP signer. */
export interface Authority {
  name: string;
  kind: AuthorityKind;
  /** Name of the issuing authority; null for the self-signed root. */
  issuer: string | null;
  certificate: x509.X509Certificate;
  privateKey: CryptoKey;
}

const parsed = new WeakMap<Authority, pkijs.Certificate>();

/** The authority's certificate as pkijs objects, parsed once (CMS and OCSP building need that form). */
export function pkijsCertificateOf(authority: Authority): pkijs.Certificate {
  let cert = parsed.get(authority);
  if (!cert) {
    cert = pkijs.Certificate.fromBER(bytes(authority.certificate.rawData));
    parsed.set(authority, cert);
  }
  return cert;
}

export const ROOT = 'root';
export const TSA = 'tsa';

const SUB_CAS: Record<Operator, { name: string; cn: string }> = {
  TURKCELL: { name: 'turkcell', cn: 'imzala Test Turkcell Mobil NES Hizmet Sağlayıcısı' },
  VODAFONE: { name: 'vodafone', cn: 'imzala Test Vodafone Mobil NES Hizmet Sağlayıcısı' },
  AVEA: { name: 'avea', cn: 'imzala Test Türk Telekom (AVEA) Mobil NES Hizmet Sağlayıcısı' },
};

export function parseOperator(value: string): Operator {
  const upper = value.trim().toUpperCase();
  if (!(OPERATORS as readonly string[]).includes(upper)) {
    throw new TrustError('ERR_TRUST_UNKNOWN_OPERATOR', `unknown operator "${value}" (expected ${OPERATORS.join(', ')})`);
  }
  return upper as Operator;
}

/** The sub-CA (its name in URLs and tables) that issues an operator's subscribers. */
export function caOfOperator(operator: Operator): string {
  return SUB_CAS[operator].name;
}

export function ocspSignerOf(ca: string): string {
  return `ocsp-${ca}`;
}

export const CA_NAMES: readonly string[] = [ROOT, ...OPERATORS.map(caOfOperator)];

/** Where relying parties find status and issuer certificates; written into every issued certificate. */
export function distributionUrls(publicUrl: string, ca: string): { ocsp: string; caIssuers: string; crl: string } {
  return { ocsp: `${publicUrl}/ocsp`, caIssuers: `${publicUrl}/ca/${ca}.crt`, crl: `${publicUrl}/crl/${ca}.crl` };
}

/** 128-bit positive serial whose first byte is 0x01-0x7f, so its hex form never needs a leading 00. */
export function newSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) % 0x7f) + 1;
  return bytes.toString('hex');
}

/** Hex serial in our canonical form: lowercase, no separators, no leading zero bytes. */
export function canonicalSerial(value: string): string {
  const hex = value.trim().replace(/^0x/i, '').replace(/[:\s]/g, '').toLowerCase();
  if (!/^[0-9a-f]+$/.test(hex) || hex.length > 64) throw new TrustError('ERR_TRUST_BAD_SERIAL', `"${value}" is not a hex serial number`);
  const even = hex.length % 2 ? `0${hex}` : hex;
  return even.replace(/^(00)+(?=..)/, '');
}

export function keyIdOf(cert: x509.X509Certificate): string {
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (!ski) throw new TrustError('ERR_TRUST_NOT_OUR_CERTIFICATE', `${cert.subject} has no subject key identifier`);
  return ski.keyId;
}

export interface SignParams {
  serial: string;
  subject: x509.JsonName;
  publicKey: x509.PublicKey | CryptoKey;
  /** Null for the self-signed root. */
  issuer: Authority | null;
  signingKey: CryptoKey;
  notBefore: Date;
  notAfter: Date;
  extensions: x509.Extension[];
}

/** Signs one certificate; adds SKI and (unless self-signed) AKI from the issuer's SKI. */
export async function signCertificate(p: SignParams): Promise<x509.X509Certificate> {
  const extensions = [...p.extensions, await x509.SubjectKeyIdentifierExtension.create(p.publicKey)];
  if (p.issuer) extensions.push(new x509.AuthorityKeyIdentifierExtension(keyIdOf(p.issuer.certificate)));
  const subject = new x509.Name(p.subject);
  return x509.X509CertificateGenerator.create({
    serialNumber: p.serial,
    subject,
    issuer: p.issuer ? p.issuer.certificate.subjectName : subject,
    notBefore: p.notBefore,
    notAfter: p.notAfter,
    publicKey: p.publicKey,
    signingKey: p.signingKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions,
  });
}

const YEAR = 365 * 24 * 3600 * 1000;

function orgName(cn: string): x509.JsonName {
  return [{ C: ['TR'] }, { O: ['imzala Test'] }, { CN: [cn] }];
}

function statusExtensions(publicUrl: string, issuerCa: string): x509.Extension[] {
  const urls = distributionUrls(publicUrl, issuerCa);
  return [
    new x509.CRLDistributionPointsExtension([urls.crl]),
    new x509.AuthorityInfoAccessExtension({ ocsp: urls.ocsp, caIssuers: urls.caIssuers }),
  ];
}

export interface GeneratedAuthority extends Authority {
  privateKeyPem: string;
}

/**
 * Builds the whole hierarchy in memory: root, one sub-CA per operator, the time-stamping unit (issued by the
 * root), and one delegated OCSP signer per CA (RFC 6960 wants the signer issued by the CA whose certificates it
 * answers for). The caller stores it, or discards it if another process stored one first.
 */
export async function generateHierarchy(publicUrl: string, now = new Date()): Promise<GeneratedAuthority[]> {
  const notBefore = new Date(now.getTime() - 3600 * 1000);
  const subNames = OPERATORS.map((op) => SUB_CAS[op]);
  const keys = await Promise.all(Array.from({ length: 2 + subNames.length * 2 + 1 }, () => generateSigningKey()));
  const nextKey = (): CryptoKeyPair => {
    const k = keys.pop();
    if (!k) throw new Error('key pool exhausted');
    return k;
  };
  const out: GeneratedAuthority[] = [];
  const make = async (
    name: string,
    kind: AuthorityKind,
    issuer: Authority | null,
    subject: x509.JsonName,
    years: number,
    extensions: x509.Extension[],
  ): Promise<GeneratedAuthority> => {
    const pair = nextKey();
    const certificate = await signCertificate({
      serial: newSerial(),
      subject,
      publicKey: pair.publicKey,
      issuer,
      signingKey: issuer ? issuer.privateKey : pair.privateKey,
      notBefore,
      notAfter: new Date(now.getTime() + years * YEAR),
      extensions,
    });
    const authority = { name, kind, issuer: issuer?.name ?? null, certificate, privateKey: pair.privateKey, privateKeyPem: await exportPkcs8Pem(pair.privateKey) };
    out.push(authority);
    return authority;
  };

  const caUsage = new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);
  const root = await make(ROOT, 'root', null, orgName('imzala Test Kök Elektronik Sertifika Hizmet Sağlayıcısı'), 20, [
    new x509.BasicConstraintsExtension(true, undefined, true),
    caUsage,
  ]);
  const ocspSigner = (ca: Authority, label: string): Promise<GeneratedAuthority> =>
    make(ocspSignerOf(ca.name), 'ocsp', ca, orgName(`imzala Test OCSP İmzacısı (${label})`), 2, [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.ocspSigning], false),
      ocspNoCheckExtension(),
    ]);
  await ocspSigner(root, 'Kök');
  await make(TSA, 'tsa', root, orgName('imzala Test Zaman Damgası Birimi'), 5, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.timeStamping], true),
    ...statusExtensions(publicUrl, ROOT),
  ]);
  for (const sub of subNames) {
    const ca = await make(sub.name, 'sub-ca', root, orgName(sub.cn), 10, [
      new x509.BasicConstraintsExtension(true, 0, true),
      caUsage,
      new x509.CertificatePolicyExtension([OID.turkishQualifiedPolicy]),
      ...statusExtensions(publicUrl, ROOT),
    ]);
    await ocspSigner(ca, sub.name);
  }
  return out;
}
