import { verify as verifySignature } from 'node:crypto';
import { buildChain, certDigest, certificateBytes, parseCertificate, subjectSerialNumber, type CertInfo } from './certs.js';
import { archiveTimestampDigest, signatureTimestampDigest, unsignedSignatureProperties } from './digests.js';
import { XadesError } from './errors.js';
import { POLICY_SHA256_HEX, PROFILE_RULES, PROFILE_TIMESTAMP_WINDOW_MS, levelRank, type TurkishProfile, type XadesLevel } from './model.js';
import { nameToString } from './names.js';
import { allSignatures, counterSignatures } from './paths.js';
import { documentDigestOnce, referenceDigest, signedInfoReferences } from './references.js';
import { crlStatus, imprintMatches, ocspStatus, parseCrl, parseOcsp, parseTimestamp, timestampSignatureOk, tsaCertificate, type CertStatus, type CrlInfo, type OcspInfo } from './tokens.js';
import type { XadesTrust } from './trust.js';
import { ALG, NS, child, children, decodeXml, descend, excC14n, parseXml, text } from './xml.js';

export type Indication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

/** One signature's findings, shaped after the EU DSS simple report. */
export interface SignatureReport {
  /** The vendor's entityLabel: S0, S0:S0, … */
  path: string;
  id: string | null;
  indication: Indication;
  valid: boolean;
  errors: string[];
  warnings: string[];
  /** Highest level whose elements are present and valid. */
  level: XadesLevel | null;
  /** Turkish profile the signature meets (null: none). */
  profile: TurkishProfile | null;
  signer: { subject: string; issuer: string; serialNumber: string; citizenshipNo: string | null } | null;
  signingTime: string | null;
  timestampTime: string | null;
  archiveTimestampTime: string | null;
  checks: { references: boolean; signatureValue: boolean; signingCertificate: boolean };
  chain: { status: 'VALID' | 'INVALID' | 'UNTRUSTED' | 'EXPIRED'; certificates: string[]; reason: string | null };
  revocation: { status: 'GOOD' | 'REVOKED' | 'UNKNOWN' | 'NOT_CHECKED'; source: 'OCSP' | 'CRL' | null; embedded: boolean; revokedAt: string | null };
  policy: { oid: string; uri: string | null; hashValid: boolean } | null;
  counterSignatures: string[];
}

/** Items of the vendor's GetSignatureListCore. */
export interface SignatureListItem {
  entityLabel: string;
  level: XadesLevel | null;
  subjectRDN: string | null;
  timestamped: boolean;
  claimedSigningTime: string | null;
  citizenshipNo: string | null;
}

export interface ValidationReport {
  valid: boolean;
  /** Like the vendor's VerifyXadesCore summary. */
  summary: 'ALL_VALID' | 'CONTAINS_INVALID' | 'CONTAINS_INCOMPLETE' | 'NO_SIGNATURE';
  signatureCount: number;
  signatures: SignatureReport[];
  signatureList: SignatureListItem[];
}

export interface ValidateOptions {
  /** Trust anchors and live revocation; without it chains are UNTRUSTED unless `roots` is given. */
  trust?: XadesTrust;
  roots?: Buffer[];
  /** Validation time (default now). */
  now?: Date;
}

interface Context {
  doc: Document;
  documentDigest: () => Buffer;
  roots: CertInfo[];
  trust: XadesTrust | undefined;
  now: Date;
}

const OID_URN = /^urn:oid:/i;

function certificatesIn(parent: Element | null, ns: string, local: string): CertInfo[] {
  if (!parent) return [];
  const out: CertInfo[] = [];
  for (const el of parent.getElementsByTagNameNS(ns, local) as unknown as Iterable<Element>) {
    try {
      out.push(parseCertificate(Buffer.from(text(el) ?? '', 'base64')));
    } catch {
      /* an unreadable embedded certificate is simply not a candidate */
    }
  }
  return out;
}

function elementsIn(parent: Element | null, ns: string, local: string): Element[] {
  return parent ? Array.from(parent.getElementsByTagNameNS(ns, local) as unknown as ArrayLike<Element>) : [];
}

async function validateTimestamp(
  token: Buffer,
  digest: Buffer,
  pool: CertInfo[],
  ctx: Context,
): Promise<{ ok: boolean; genTime: Date | null; error: string | null; tsa: CertInfo | null }> {
  let info;
  try {
    info = parseTimestamp(token);
  } catch (err) {
    return { ok: false, genTime: null, error: (err as Error).message, tsa: null };
  }
  if (!imprintMatches(info, digest)) return { ok: false, genTime: info.genTime, error: 'message imprint does not match', tsa: null };
  const certs = info.certificates.map((d) => parseCertificate(d));
  const tsa = tsaCertificate(info);
  if (!tsa) return { ok: false, genTime: info.genTime, error: 'TSA certificate missing from token', tsa: null };
  if (!timestampSignatureOk(info, tsa.x509.publicKey)) return { ok: false, genTime: info.genTime, error: 'token signature is invalid', tsa: null };
  const chain = buildChain(tsa, [...certs, ...pool], ctx.roots, info.genTime);
  if (chain.status !== 'VALID') return { ok: false, genTime: info.genTime, error: `TSA chain: ${chain.reason}`, tsa };
  return { ok: true, genTime: info.genTime, error: null, tsa };
}

/** Status of cert from embedded OCSP/CRL values, else asked live of the trust services. */
async function revocationOf(
  cert: CertInfo,
  issuer: CertInfo | undefined,
  embedded: { ocsp: OcspInfo[]; crls: CrlInfo[] },
  ctx: Context,
): Promise<{ status: CertStatus | null; source: 'OCSP' | 'CRL' | null; embedded: boolean }> {
  if (!issuer) return { status: null, source: null, embedded: false };
  const roots = ctx.roots.map((r) => r.pkijs);
  for (const o of embedded.ocsp) {
    const st = await ocspStatus(o, cert.pkijs, issuer.pkijs, roots);
    if (st) return { status: st, source: 'OCSP', embedded: true };
  }
  for (const c of embedded.crls) {
    const st = await crlStatus(c, cert.pkijs, issuer.pkijs);
    if (st) return { status: st, source: 'CRL', embedded: true };
  }
  if (!ctx.trust) return { status: null, source: null, embedded: false };
  try {
    const st = await ocspStatus(parseOcsp(await ctx.trust.ocsp(cert.der, issuer.der)), cert.pkijs, issuer.pkijs, roots);
    if (st) return { status: st, source: 'OCSP', embedded: false };
  } catch {
    /* fall through to the CRL */
  }
  try {
    const st = await crlStatus(parseCrl(await ctx.trust.crl(cert.der, issuer.der)), cert.pkijs, issuer.pkijs);
    if (st) return { status: st, source: 'CRL', embedded: false };
  } catch {
    /* no revocation information */
  }
  return { status: null, source: null, embedded: false };
}

async function validateOne(path: string, sig: Element, ctx: Context): Promise<SignatureReport> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const report: SignatureReport = {
    path,
    id: sig.getAttribute('Id'),
    indication: 'TOTAL_FAILED',
    valid: false,
    errors,
    warnings,
    level: null,
    profile: null,
    signer: null,
    signingTime: null,
    timestampTime: null,
    archiveTimestampTime: null,
    checks: { references: false, signatureValue: false, signingCertificate: false },
    chain: { status: 'UNTRUSTED', certificates: [], reason: null },
    revocation: { status: 'NOT_CHECKED', source: null, embedded: false, revokedAt: null },
    policy: null,
    counterSignatures: counterSignatures(sig).map((_, i) => `${path}:S${i}`),
  };
  const fail = (message: string): SignatureReport => {
    errors.push(message);
    return report;
  };

  const signedInfo = child(sig, NS.ds, 'SignedInfo');
  if (!signedInfo) return fail('no ds:SignedInfo');
  if (child(signedInfo, NS.ds, 'CanonicalizationMethod')?.getAttribute('Algorithm') !== ALG.excC14n) return fail('unsupported SignedInfo canonicalisation (exclusive c14n expected)');
  if (child(signedInfo, NS.ds, 'SignatureMethod')?.getAttribute('Algorithm') !== ALG.rsaSha256) return fail('unsupported signature method (rsa-sha256 expected)');
  const qp = children(sig, NS.ds, 'Object').map((o) => child(o, NS.xades, 'QualifyingProperties')).find((q): q is Element => q !== null) ?? null;
  const sp = qp ? child(qp, NS.xades, 'SignedProperties') : null;
  if (!sp) return fail('no xades:SignedProperties (not a XAdES signature)');

  // References: every digest, and SignedProperties among them.
  let refsOk = true;
  let coversSignedProperties = false;
  for (const ref of signedInfoReferences(sig)) {
    const uri = ref.getAttribute('URI') ?? '';
    try {
      if (child(ref, NS.ds, 'DigestMethod')?.getAttribute('Algorithm') !== ALG.sha256) throw new XadesError('ERR_XADES_DOCUMENT', 'digest method is not SHA-256');
      const actual = referenceDigest(ref, ctx.doc, ctx.documentDigest);
      if (!actual.equals(Buffer.from(text(child(ref, NS.ds, 'DigestValue')) ?? '', 'base64'))) throw new XadesError('ERR_XADES_DOCUMENT', 'digest mismatch');
      if (uri === `#${sp.getAttribute('Id') ?? ''}`) coversSignedProperties = true;
    } catch (err) {
      refsOk = false;
      errors.push(`reference "${uri}": ${(err as Error).message}`);
    }
  }
  if (!coversSignedProperties) errors.push('SignedProperties are not covered by a reference');
  report.checks.references = refsOk && coversSignedProperties;

  // Signer certificate: KeyInfo, bound by SigningCertificateV2 (or V1).
  const keyInfoCerts = certificatesIn(child(sig, NS.ds, 'KeyInfo'), NS.ds, 'X509Certificate');
  const signer = keyInfoCerts[0];
  if (!signer) return fail('no signer certificate in ds:KeyInfo');
  report.signer = {
    subject: nameToString(signer.pkijs.subject),
    issuer: nameToString(signer.pkijs.issuer),
    serialNumber: signer.x509.serialNumber,
    citizenshipNo: subjectSerialNumber(signer),
  };
  const ssp = child(sp, NS.xades, 'SignedSignatureProperties');
  const certDigests = elementsIn(child(ssp ?? sp, NS.xades, 'SigningCertificateV2') ?? child(ssp ?? sp, NS.xades, 'SigningCertificate'), NS.xades, 'CertDigest');
  report.checks.signingCertificate = certDigests.some((cd) => {
    const alg = child(cd, NS.ds, 'DigestMethod')?.getAttribute('Algorithm');
    return alg === ALG.sha256 && certDigest(signer).equals(Buffer.from(text(child(cd, NS.ds, 'DigestValue')) ?? '', 'base64'));
  });
  if (!report.checks.signingCertificate) errors.push('SigningCertificateV2 does not match the KeyInfo certificate');
  const sv = child(sig, NS.ds, 'SignatureValue');
  report.checks.signatureValue = verifySignature('sha256', Buffer.from(excC14n(signedInfo), 'utf8'), signer.x509.publicKey, Buffer.from(text(sv) ?? '', 'base64'));
  if (!report.checks.signatureValue) errors.push('signature value does not verify');

  const signingTime = text(descend(sp, [NS.xades, 'SignedSignatureProperties'], [NS.xades, 'SigningTime']));
  report.signingTime = signingTime && !Number.isNaN(Date.parse(signingTime)) ? new Date(signingTime).toISOString() : null;

  // Policy.
  const policyId = descend(sp, [NS.xades, 'SignedSignatureProperties'], [NS.xades, 'SignaturePolicyIdentifier'], [NS.xades, 'SignaturePolicyId']);
  if (policyId) {
    const oid = (text(descend(policyId, [NS.xades, 'SigPolicyId'], [NS.xades, 'Identifier'])) ?? '').replace(OID_URN, '');
    const hash = text(descend(policyId, [NS.xades, 'SigPolicyHash'], [NS.ds, 'DigestValue'])) ?? '';
    const known = Object.values(PROFILE_RULES).some((r) => r.policyOid === oid);
    const hashValid = known && Buffer.from(hash, 'base64').toString('hex').toUpperCase() === POLICY_SHA256_HEX;
    report.policy = { oid, uri: text(elementsIn(policyId, NS.xades, 'SPURI')[0] ?? null), hashValid };
    if (known && !hashValid) errors.push('SigPolicyHash does not match the policy document');
  }

  // Unsigned properties: time-stamps and validation data.
  const usp = unsignedSignatureProperties(sig);
  const embeddedCerts = certificatesIn(usp ? child(usp, NS.xades, 'CertificateValues') : null, NS.xades, 'EncapsulatedX509Certificate');
  const pool = [...keyInfoCerts, ...embeddedCerts];
  if (ctx.trust) {
    try {
      pool.push(...(await ctx.trust.issuers(signer.der)).map((d) => parseCertificate(d)));
    } catch {
      /* a signer from another PKI: its chain must be embedded */
    }
  }
  const revValues = usp ? child(usp, NS.xades, 'RevocationValues') : null;
  const embedded = {
    ocsp: elementsIn(revValues, NS.xades, 'EncapsulatedOCSPValue').flatMap((e) => {
      try {
        return [parseOcsp(Buffer.from(text(e) ?? '', 'base64'))];
      } catch {
        warnings.push('an embedded OCSP value is unreadable');
        return [];
      }
    }),
    crls: elementsIn(revValues, NS.xades, 'EncapsulatedCRLValue').flatMap((e) => {
      try {
        return [parseCrl(Buffer.from(text(e) ?? '', 'base64'))];
      } catch {
        warnings.push('an embedded CRL value is unreadable');
        return [];
      }
    }),
  };

  let level: XadesLevel = 'aslBES';
  let tsa: CertInfo | null = null;
  const sts = usp ? child(usp, NS.xades, 'SignatureTimeStamp') : null;
  if (sts) {
    const r = await validateTimestamp(Buffer.from(text(child(sts, NS.xades, 'EncapsulatedTimeStamp')) ?? '', 'base64'), signatureTimestampDigest(sig), pool, ctx);
    report.timestampTime = r.genTime?.toISOString() ?? null;
    if (r.ok) {
      level = 'aslT';
      tsa = r.tsa;
    } else errors.push(`SignatureTimeStamp: ${r.error}`);
  }
  const hasXl = usp && child(usp, NS.xades, 'CompleteCertificateRefs') && child(usp, NS.xades, 'CompleteRevocationRefs') && child(usp, NS.xades, 'CertificateValues') && revValues;
  if (level === 'aslT' && hasXl) {
    const refs = elementsIn(child(usp, NS.xades, 'CompleteCertificateRefs'), NS.xades, 'CertDigest').map((cd) => text(child(cd, NS.ds, 'DigestValue')));
    const embeddedDigests = pool.map((c) => certDigest(c).toString('base64'));
    if (refs.every((r) => r !== null && embeddedDigests.includes(r))) level = 'aslXL';
    else errors.push('CompleteCertificateRefs name certificates missing from CertificateValues');
  }
  const ats = usp ? child(usp, NS.xades141, 'ArchiveTimeStamp') : null;
  if (ats) {
    const r = await validateTimestamp(Buffer.from(text(child(ats, NS.xades, 'EncapsulatedTimeStamp')) ?? '', 'base64'), archiveTimestampDigest(sig, ctx.doc, undefined, ats), pool, ctx);
    report.archiveTimestampTime = r.genTime?.toISOString() ?? null;
    if (r.ok && level === 'aslXL') level = 'aslA';
    else if (!r.ok) errors.push(`ArchiveTimeStamp: ${r.error}`);
  }
  report.level = level;

  // Chain and revocation at the best signature time: the time-stamp's when there is one, else now.
  const at = level !== 'aslBES' && report.timestampTime ? new Date(report.timestampTime) : ctx.now;
  const chain = buildChain(signer, pool, ctx.roots, at);
  report.chain = { status: chain.status, certificates: chain.path.map((c) => nameToString(c.pkijs.subject)), reason: chain.reason };
  if (chain.status === 'EXPIRED' || chain.status === 'INVALID') errors.push(`certificate chain: ${chain.reason}`);
  else if (chain.status === 'UNTRUSTED') warnings.push(`certificate chain: ${chain.reason}`);
  const rev = await revocationOf(signer, chain.path[1], embedded, ctx);
  if (rev.status) {
    const revokedAt = rev.status.status === 'REVOKED' ? rev.status.revokedAt : null;
    report.revocation = { status: rev.status.status, source: rev.source, embedded: rev.embedded, revokedAt: revokedAt?.toISOString() ?? null };
    if (rev.status.status === 'REVOKED') {
      if (!revokedAt || revokedAt.getTime() <= at.getTime()) errors.push(`signer certificate revoked${revokedAt ? ` at ${revokedAt.toISOString()}` : ''}`);
      else warnings.push(`signer certificate revoked at ${revokedAt.toISOString()}, after the signature time-stamp`);
    }
  } else report.revocation.status = 'UNKNOWN';

  let tsaOcsp = false;
  if (tsa) {
    const tsaIssuer = buildChain(tsa, pool, ctx.roots, at).path[1];
    const r = tsaIssuer ? await revocationOf(tsa, tsaIssuer, { ocsp: embedded.ocsp, crls: [] }, { ...ctx, trust: undefined }) : null;
    tsaOcsp = r?.source === 'OCSP';
  }
  report.profile = profileMet(report, embedded, tsaOcsp, warnings);

  if (errors.length > 0) report.indication = 'TOTAL_FAILED';
  else if (report.chain.status !== 'VALID' || report.revocation.status !== 'GOOD') report.indication = 'INDETERMINATE';
  else report.indication = 'TOTAL_PASSED';
  report.valid = report.indication === 'TOTAL_PASSED';
  return report;
}

/** Which Turkish profile the signature meets; a claimed-but-unmet profile is a warning. */
function profileMet(
  report: SignatureReport,
  embedded: { ocsp: OcspInfo[]; crls: CrlInfo[] },
  tsaOcspEmbedded: boolean,
  warnings: string[],
): TurkishProfile | null {
  if (!report.signingTime || !report.checks.signingCertificate) return null;
  if (!report.policy) return 'P1';
  const claimed = (Object.entries(PROFILE_RULES) as [TurkishProfile, (typeof PROFILE_RULES)[TurkishProfile]][]).find(([, r]) => r.policyOid === report.policy?.oid)?.[0];
  if (!claimed) return null;
  const rule = PROFILE_RULES[claimed];
  const unmet = (why: string): null => {
    warnings.push(`claims profile ${claimed} but ${why}`);
    return null;
  };
  if (!report.policy.hashValid) return unmet('the policy hash is wrong');
  if (!report.level || levelRank(report.level) < levelRank(rule.level)) return unmet(`its level is ${report.level}, ${rule.level} needed`);
  const ts = report.timestampTime ? Date.parse(report.timestampTime) : NaN;
  if (!(ts - Date.parse(report.signingTime) <= PROFILE_TIMESTAMP_WINDOW_MS)) return unmet('its time-stamp is more than 2 hours after SigningTime');
  if (claimed === 'P3' && embedded.crls.length === 0) return unmet('it embeds no CRL values');
  if (claimed === 'P4') {
    if (!(report.revocation.embedded && report.revocation.source === 'OCSP')) return unmet("it embeds no OCSP value for the signer's certificate");
    if (!tsaOcspEmbedded) return unmet("it embeds no OCSP value for the time-stamp's certificate");
  }
  return claimed;
}

/**
 * Validates every signature of a document (top-level ones and their counter-signatures, depth first) and returns
 * one report per signature plus the vendor's signature list. Malformed XML is an XadesError (ERR_XADES_DOCUMENT).
 */
export async function validateXades(document: Buffer | string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const doc = parseXml(typeof document === 'string' ? document : decodeXml(document));
  const bytes = typeof document === 'string' ? Buffer.from(document, 'utf8') : document;
  const rootDers = options.roots ?? (options.trust ? await options.trust.roots() : []);
  const ctx: Context = { doc, documentDigest: documentDigestOnce(bytes, doc), roots: rootDers.map((r) => parseCertificate(certificateBytes(r), 'trusted root')), trust: options.trust, now: options.now ?? new Date() };
  const signatures: SignatureReport[] = [];
  for (const { path, element } of allSignatures(doc)) signatures.push(await validateOne(path, element, ctx));
  const summary =
    signatures.length === 0
      ? 'NO_SIGNATURE'
      : signatures.some((s) => s.indication === 'TOTAL_FAILED')
        ? 'CONTAINS_INVALID'
        : signatures.some((s) => s.indication === 'INDETERMINATE')
          ? 'CONTAINS_INCOMPLETE'
          : 'ALL_VALID';
  return {
    valid: summary === 'ALL_VALID',
    summary,
    signatureCount: signatures.length,
    signatures,
    signatureList: signatures.map((s) => ({
      entityLabel: s.path,
      level: s.level,
      subjectRDN: s.signer?.subject ?? null,
      timestamped: s.timestampTime !== null,
      claimedSigningTime: s.signingTime,
      citizenshipNo: s.signer?.citizenshipNo ?? null,
    })),
  };
}
