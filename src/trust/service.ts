import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { Platform } from '../platform/platform.js';
import { bytes, pkijs, toPublicKey, x509 } from './crypto.js';
import { buildCrl } from './crl.js';
import { derOf, toCertificate, type CertificateInput } from './certificate-input.js';
import { TrustError } from './errors.js';
import { OID, qcStatementsExtension } from './extensions.js';
import {
  canonicalSerial,
  caOfOperator,
  distributionUrls,
  newSerial,
  parseOperator,
  ROOT,
  signCertificate,
  TSA,
  type Authority,
  type Operator,
} from './hierarchy.js';
import { OcspResponder, type CertificateStatus } from './ocsp.js';
import { loadOrCreatePki, type Pki } from './pki.js';
import { KeySealer } from './sealing.js';
import { nextCounter, trustDb, type TrustDb } from './store.js';
import { TimeStampAuthority, type MessageImprint, type TimestampOptions } from './tsa.js';
import { assertTckn } from './tckn.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** RFC 5280 CRLReason names accepted by `revoke` (removeFromCRL is a delta-CRL device we do not issue). */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  'privilegeWithdrawn',
  'aACompromise',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface SubscriberRequest {
  /** Turkish ID number; written as the subject serialNumber. Rejected with ERR_TRUST_TCKN_INVALID if bad. */
  tckn: string;
  givenName: string;
  surname: string;
  /** TURKCELL | VODAFONE | AVEA (case-insensitive); picks the issuing sub-CA. */
  operator: Operator | string;
  /** The subscriber's key (public or private KeyObject, or a WebCrypto key). Omitted: we generate RSA 2048. */
  publicKey?: KeyObject | CryptoKey;
  /** Keep the generated key (sealed) in our tables, retrievable with `subscriberKey(serial)`. */
  storeKey?: boolean;
  /** Validity in days from now (default 730). */
  validDays?: number;
}

export interface IssuedSubscriber {
  certificate: x509.X509Certificate;
  der: Buffer;
  pem: string;
  /** Lowercase hex, our canonical form (what `revoke` and `imzala pki revoke --serial` take). */
  serialNumber: string;
  operator: Operator;
  /** Name of the issuing sub-CA (turkcell, vodafone, avea): also the CRL file name. */
  ca: string;
  /** Issuer chain, nearest first: [sub-CA, root]. */
  chain: x509.X509Certificate[];
  /** Present when we generated the key pair. */
  privateKey?: KeyObject;
  privateKeyPem?: string;
}

export interface CertificateRecord {
  serialNumber: string;
  ca: string;
  kind: string;
  subject: string;
  tckn: string | null;
  operator: string | null;
  notBefore: Date;
  notAfter: Date;
  status: 'good' | 'revoked';
  revokedAt: Date | null;
  revocationReason: RevocationReason | null;
}

type CertificateRow = {
  serial: string;
  ca: string;
  kind: string;
  subject: string;
  tckn: string | null;
  operator: string | null;
  not_before: number;
  not_after: number;
  status: string;
  revoked_at: number | null;
  revocation_reason: string | null;
};

function toRecord(row: CertificateRow): CertificateRecord {
  return {
    serialNumber: row.serial,
    ca: row.ca,
    kind: row.kind,
    subject: row.subject,
    tckn: row.tckn,
    operator: row.operator,
    notBefore: new Date(Number(row.not_before)),
    notAfter: new Date(Number(row.not_after)),
    status: row.status === 'revoked' ? 'revoked' : 'good',
    revokedAt: row.revoked_at === null ? null : new Date(Number(row.revoked_at)),
    revocationReason: (row.revocation_reason as RevocationReason | null) ?? null,
  };
}

export function parseReason(value: string): RevocationReason {
  const found = REVOCATION_REASONS.find((r) => r.toLowerCase() === value.trim().toLowerCase());
  if (!found) throw new TrustError('ERR_TRUST_BAD_REASON', `unknown revocation reason "${value}" (expected ${REVOCATION_REASONS.join(', ')})`);
  return found;
}

/**
 * The trust services other parts build on: subscriber certificates for the operator simulators, chains,
 * time-stamps, OCSP responses and CRLs for the XAdES engine. All state lives in the database, so every
 * process on the same data shares one PKI.
 */
export class TrustService {
  protected readonly db: TrustDb;
  private pki: Promise<Pki> | undefined;
  private sealerInstance: KeySealer | undefined;

  private readonly tsa: TimeStampAuthority;
  private readonly ocsp: OcspResponder;

  constructor(protected readonly platform: Platform) {
    this.db = trustDb(platform);
    this.tsa = new TimeStampAuthority(() => this.authority(TSA), () => nextCounter(this.db, 'tsa_serial'));
    this.ocsp = new OcspResponder(() => this.ready(), (ca, serial) => this.statusOf(ca, serial));
  }

  protected get sealer(): KeySealer {
    this.sealerInstance ??= KeySealer.open(this.platform.config);
    return this.sealerInstance;
  }

  /** Creates the PKI on first start (race-safe) and loads it; every other method calls it. */
  ready(): Promise<Pki> {
    if (!this.pki) {
      this.pki = loadOrCreatePki(this.platform, this.sealer);
      this.pki.catch(() => (this.pki = undefined));
    }
    return this.pki;
  }

  protected async authority(name: string): Promise<Authority> {
    const found = (await this.ready()).authorities.get(name);
    if (!found) throw new TrustError('ERR_TRUST_UNKNOWN_CA', `no authority named "${name}"`);
    return found;
  }

  /** The root every verifier is to trust. */
  async rootCertificate(): Promise<x509.X509Certificate> {
    return (await this.ready()).root.certificate;
  }

  /** A CA's certificate by name: root, turkcell, vodafone, avea. */
  async caCertificate(ca: string): Promise<x509.X509Certificate> {
    const a = await this.authority(ca);
    if (a.kind !== 'root' && a.kind !== 'sub-ca') throw new TrustError('ERR_TRUST_UNKNOWN_CA', `"${ca}" is not a CA`);
    return a.certificate;
  }

  /** Names of the CAs (root first), as used in /crl/<ca>.crl and /ca/<ca>.crt. */
  async caNames(): Promise<string[]> {
    const pki = await this.ready();
    return [...pki.authorities.values()].filter((a) => a.kind === 'root' || a.kind === 'sub-ca').map((a) => a.name).sort((a, b) => (a === ROOT ? -1 : b === ROOT ? 1 : a.localeCompare(b)));
  }

  /** The sub-CA certificate that issues an operator's subscribers. */
  async operatorCaCertificate(operator: Operator | string): Promise<x509.X509Certificate> {
    return this.caCertificate(caOfOperator(parseOperator(operator)));
  }

  /** The time-stamping unit's certificate (issued by the root, EKU timeStamping critical). */
  async tsaCertificate(): Promise<x509.X509Certificate> {
    return (await this.authority(TSA)).certificate;
  }

  /** Issuer chain of a certificate issued by this PKI, nearest first, ending with the root (cert itself excluded). */
  async chainOf(input: CertificateInput): Promise<x509.X509Certificate[]> {
    const pki = await this.ready();
    const chain: x509.X509Certificate[] = [];
    let current = toCertificate(input);
    for (let depth = 0; depth < 5; depth++) {
      const issuer = [...pki.authorities.values()].find(
        (a) => (a.kind === 'root' || a.kind === 'sub-ca') && a.certificate.subject === current.issuer,
      );
      if (!issuer || !(await current.verify({ publicKey: issuer.certificate.publicKey, signatureOnly: true }))) {
        throw new TrustError('ERR_TRUST_NOT_OUR_CERTIFICATE', `${current.subject} was not issued by this PKI`);
      }
      if (issuer.kind === 'root' && current.subject === issuer.certificate.subject) return chain;
      chain.push(issuer.certificate);
      if (issuer.kind === 'root') return chain;
      current = issuer.certificate;
    }
    throw new TrustError('ERR_TRUST_NOT_OUR_CERTIFICATE', 'chain too long');
  }

  /** Issues a qualified mobile-signature certificate for a subscriber of one operator. */
  async issueSubscriber(request: SubscriberRequest): Promise<IssuedSubscriber> {
    const tckn = assertTckn(String(request.tckn ?? '').trim());
    const operator = parseOperator(String(request.operator ?? ''));
    const givenName = String(request.givenName ?? '').trim();
    const surname = String(request.surname ?? '').trim();
    if (!givenName || !surname || givenName.length > 64 || surname.length > 64) {
      throw new TrustError('ERR_TRUST_BAD_INPUT', 'givenName and surname are required (at most 64 characters each)');
    }
    const validDays = request.validDays ?? 730;
    if (!Number.isInteger(validDays) || validDays < 1 || validDays > 3650) throw new TrustError('ERR_TRUST_BAD_INPUT', 'validDays must be 1-3650');
    const ca = await this.authority(caOfOperator(operator));
    const root = (await this.ready()).root;

    let privateKey: KeyObject | undefined;
    let keySource = request.publicKey;
    if (!keySource) {
      const pair = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
      privateKey = pair.privateKey;
      keySource = pair.publicKey;
    }
    const now = Date.now();
    const notBefore = new Date(now - 5 * 60 * 1000);
    const notAfter = new Date(Math.min(now + validDays * 86_400_000, ca.certificate.notAfter.getTime()));
    const urls = distributionUrls(this.platform.config.publicUrl, ca.name);
    const serial = newSerial();
    const certificate = await signCertificate({
      serial,
      subject: [
        { C: ['TR'] },
        { [OID.subjectSerialNumber]: [tckn] },
        { [OID.givenName]: [givenName] },
        { [OID.surname]: [surname] },
        { CN: [`${givenName} ${surname}`] },
      ],
      publicKey: await toPublicKey(keySource),
      issuer: ca,
      signingKey: ca.privateKey,
      notBefore,
      notAfter,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.nonRepudiation, true),
        new x509.CertificatePolicyExtension([OID.turkishQualifiedPolicy, OID.etsiQcpNQscd]),
        qcStatementsExtension(),
        new x509.CRLDistributionPointsExtension([urls.crl]),
        new x509.AuthorityInfoAccessExtension({ ocsp: urls.ocsp, caIssuers: urls.caIssuers }),
      ],
    });
    const pem = `${certificate.toString('pem').trimEnd()}\n`;
    const privateKeyPem = privateKey?.export({ type: 'pkcs8', format: 'pem' }).toString();
    await this.db
      .insertInto('trust_certificates')
      .values({
        serial,
        ca: ca.name,
        kind: 'subscriber',
        subject: certificate.subject,
        tckn,
        operator,
        certificate_pem: pem,
        not_before: notBefore.getTime(),
        not_after: notAfter.getTime(),
        status: 'good',
        revoked_at: null,
        revocation_reason: null,
        private_key: request.storeKey && privateKeyPem ? this.sealer.seal(privateKeyPem) : null,
        created_at: now,
      })
      .execute();
    return {
      certificate,
      der: derOf(certificate),
      pem,
      serialNumber: serial,
      operator,
      ca: ca.name,
      chain: [ca.certificate, root.certificate],
      ...(privateKey ? { privateKey, privateKeyPem } : {}),
    };
  }

  /** The software key kept for a subscriber issued with `storeKey: true`, or null. */
  async subscriberKey(serial: string): Promise<KeyObject | null> {
    const row = await this.db.selectFrom('trust_certificates').select('private_key').where('serial', '=', canonicalSerial(serial)).executeTakeFirst();
    return row?.private_key ? createPrivateKey(this.sealer.unseal(row.private_key)) : null;
  }

  /** Revokes a certificate this PKI issued; shows at once in OCSP answers and the issuing CA's CRL. */
  async revoke(serial: string, reason: RevocationReason | string = 'unspecified'): Promise<CertificateRecord> {
    const key = canonicalSerial(serial);
    const why = parseReason(reason);
    const result = await this.db
      .updateTable('trust_certificates')
      .set({ status: 'revoked', revoked_at: Date.now(), revocation_reason: why })
      .where('serial', '=', key)
      .where('status', '=', 'good')
      .executeTakeFirst();
    const record = await this.certificateRecord(key);
    if (!record) throw new TrustError('ERR_TRUST_UNKNOWN_CERTIFICATE', `no certificate with serial ${key}`);
    if (Number(result.numUpdatedRows) === 0) throw new TrustError('ERR_TRUST_ALREADY_REVOKED', `certificate ${key} is already revoked`);
    return record;
  }

  async certificateRecord(serial: string): Promise<CertificateRecord | null> {
    const row = await this.db.selectFrom('trust_certificates').selectAll().where('serial', '=', canonicalSerial(serial)).executeTakeFirst();
    return row ? toRecord(row) : null;
  }

  /** The stored certificate with that serial (any CA of ours), or null. */
  async certificateBySerial(serial: string): Promise<x509.X509Certificate | null> {
    const row = await this.db.selectFrom('trust_certificates').select('certificate_pem').where('serial', '=', canonicalSerial(serial)).executeTakeFirst();
    return row ? new x509.X509Certificate(row.certificate_pem) : null;
  }

  /** Issued certificates, newest first; filter by kind, CA, TCKN or status. */
  async list(filter: { kind?: string; ca?: string; tckn?: string; status?: 'good' | 'revoked' } = {}): Promise<CertificateRecord[]> {
    let q = this.db.selectFrom('trust_certificates').selectAll();
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.ca) q = q.where('ca', '=', filter.ca);
    if (filter.tckn) q = q.where('tckn', '=', filter.tckn);
    if (filter.status) q = q.where('status', '=', filter.status);
    const rows = await q.orderBy('created_at', 'desc').orderBy('serial').execute();
    return rows.map(toRecord);
  }

  /** RFC 3161 TimeStampToken (CMS ContentInfo DER) over a digest, e.g. of a canonical XAdES SignatureValue. */
  timestamp(imprint: MessageImprint, options: TimestampOptions = {}): Promise<Buffer> {
    return this.tsa.token(imprint, options);
  }

  /** DER TimeStampReq in, DER TimeStampResp out (what POST /tsa serves); bad requests get a rejection status. */
  timestampResponse(requestDer: Uint8Array): Promise<Buffer> {
    return this.tsa.respond(requestDer);
  }

  /** DER OCSPResponse about one certificate of ours (CertID hashed with SHA-1 unless told otherwise). */
  async ocspResponseFor(input: CertificateInput, options: { hashAlgorithm?: string } = {}): Promise<Buffer> {
    const cert = pkijs.Certificate.fromBER(bytes(toCertificate(input).rawData));
    return this.ocsp.responseFor(cert, options.hashAlgorithm);
  }

  /** DER OCSPRequest in, DER OCSPResponse out (what POST /ocsp serves); malformed input gets malformedRequest. */
  ocspRespond(requestDer: Uint8Array): Promise<Buffer> {
    return this.ocsp.respond(requestDer);
  }

  /** The current CRL (DER) of one CA: root, turkcell, vodafone or avea. */
  async crlOf(ca: string): Promise<Buffer> {
    const authority = await this.authority(ca);
    if (authority.kind !== 'root' && authority.kind !== 'sub-ca') throw new TrustError('ERR_TRUST_UNKNOWN_CA', `"${ca}" is not a CA`);
    const rows = await this.db
      .selectFrom('trust_certificates')
      .select(['serial', 'revoked_at', 'revocation_reason'])
      .where('ca', '=', ca)
      .where('status', '=', 'revoked')
      .orderBy('revoked_at')
      .execute();
    const entries = rows.map((r) => ({
      serialNumber: r.serial,
      revokedAt: new Date(Number(r.revoked_at ?? 0)),
      reason: (r.revocation_reason as RevocationReason | null) ?? null,
    }));
    return buildCrl(authority, entries, await nextCounter(this.db, `crl:${ca}`));
  }

  /** The CRL of the CA that issued this certificate. */
  async crlFor(input: CertificateInput): Promise<Buffer> {
    const [issuer] = await this.chainOf(input);
    const pki = await this.ready();
    const ca = [...pki.authorities.values()].find((a) => issuer && a.certificate.serialNumber === issuer.serialNumber);
    return this.crlOf(ca?.name ?? ROOT);
  }

  private async statusOf(ca: string, serial: string): Promise<CertificateStatus | null> {
    const row = await this.db
      .selectFrom('trust_certificates')
      .select(['status', 'revoked_at', 'revocation_reason'])
      .where('serial', '=', serial)
      .where('ca', '=', ca)
      .executeTakeFirst();
    if (!row) return null;
    return row.status === 'revoked'
      ? { status: 'revoked', revokedAt: new Date(Number(row.revoked_at ?? 0)), reason: (row.revocation_reason as RevocationReason | null) ?? null }
      : { status: 'good', revokedAt: null, reason: null };
  }
}
