import { XadesError } from './errors.js';

/** XAdES levels as the Onaylarım platform names them (the vendor offers no C or X). */
export const LEVELS = ['aslBES', 'aslT', 'aslXL', 'aslA'] as const;
export type XadesLevel = (typeof LEVELS)[number];

export const PROFILES = ['P1', 'P2', 'P3', 'P4'] as const;
export type TurkishProfile = (typeof PROFILES)[number];

export type XadesMode = 'ENVELOPED' | 'ENVELOPING';
export type RevocationKind = 'OCSP' | 'CRL';

/** What a caller may ask for; every field optional, as in the vendor's request. */
export interface XadesRequest {
  level?: string | null;
  profile?: string | null;
  mode?: string | null;
  serialOrParallel?: string | null;
  signaturePath?: string | null;
  /** ENVELOPING only: the MimeType of a non-XML document (default application/pdf). */
  envelopingObjectMimeType?: string | null;
  /** ENVELOPING only: embed an XML document as XML (default) or always as base64 bytes. */
  envelopingXmlAsBase64?: boolean;
  /** Claimed signing time (default: now). */
  signingTime?: Date;
}

/** The request after defaults and profile rules: what prepare and complete act on. */
export interface XadesOptions {
  level: XadesLevel;
  profile: TurkishProfile | null;
  mode: XadesMode;
  placement: { kind: 'PARALLEL' } | { kind: 'SERIAL'; path: string };
  /** Kind of revocation data embedded at aslXL/aslA. */
  revocation: RevocationKind;
  envelopingObjectMimeType: string;
  envelopingXmlAsBase64: boolean;
}

export interface ProfileRule {
  policyOid: string | null;
  /** The level the profile requires; stronger requested levels are allowed only where listed. */
  level: XadesLevel;
  allowed: readonly XadesLevel[];
  revocation: RevocationKind;
}

/** Elektronik İmza Kullanım Profilleri Rehberi, as onaylarim-facts.md tabulates it. */
export const PROFILE_RULES: Record<TurkishProfile, ProfileRule> = {
  P1: { policyOid: null, level: 'aslBES', allowed: ['aslBES'], revocation: 'OCSP' },
  P2: { policyOid: '2.16.792.1.61.0.1.5070.3.1.1', level: 'aslT', allowed: ['aslT'], revocation: 'CRL' },
  P3: { policyOid: '2.16.792.1.61.0.1.5070.3.2.1', level: 'aslXL', allowed: ['aslXL', 'aslA'], revocation: 'CRL' },
  P4: { policyOid: '2.16.792.1.61.0.1.5070.3.3.1', level: 'aslXL', allowed: ['aslXL', 'aslA'], revocation: 'OCSP' },
};

export const POLICY_URI = 'http://www.eimza.gov.tr/EimzaPolitikalari/216792161015070321.pdf';
/** SHA-256 of the policy document (the SigPolicyHash every P2–P4 signature carries). */
export const POLICY_SHA256_HEX = 'FF39BD29463383F69B2052AC47439E06CE7C3B8646E888B6E5AE3E46BA08117A';
/** P2–P4: the signature time-stamp must lie within this long after SigningTime. */
export const PROFILE_TIMESTAMP_WINDOW_MS = 2 * 60 * 60 * 1000;

const LEVEL_ALIASES: Record<string, XadesLevel> = {
  aslbes: 'aslBES', bes: 'aslBES', aslt: 'aslT', t: 'aslT', aslxl: 'aslXL', xl: 'aslXL', asla: 'aslA', a: 'aslA',
};

export function levelRank(level: XadesLevel): number {
  return LEVELS.indexOf(level);
}

export function parseLevel(value: string | null | undefined): XadesLevel | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const level = LEVEL_ALIASES[value.trim().toLowerCase()];
  if (!level) throw new XadesError('ERR_XADES_OPTIONS', `unknown signature level "${value}" (aslBES, aslT, aslXL, aslA or BES, T, XL, A)`);
  return level;
}

function parseProfile(value: string | null | undefined): TurkishProfile | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const profile = value.trim().toUpperCase();
  if (!(PROFILES as readonly string[]).includes(profile)) {
    throw new XadesError('ERR_XADES_OPTIONS', `unknown Turkish signature profile "${value}" (P1, P2, P3 or P4)`);
  }
  return profile as TurkishProfile;
}

function parseEnum<T extends string>(value: string | null | undefined, allowed: readonly T[], fallback: T, what: string): T {
  if (value === null || value === undefined || value.trim() === '') return fallback;
  const v = value.trim().toUpperCase();
  if (!(allowed as readonly string[]).includes(v)) throw new XadesError('ERR_XADES_OPTIONS', `unknown ${what} "${value}" (${allowed.join(' or ')})`);
  return v as T;
}

/**
 * Applies the vendor's defaults (aslBES, PARALLEL, ENVELOPED) and the profile's rules: a weaker requested level
 * is raised to the profile's; a level the profile excludes (P1 with a time-stamp, P2 with XL) is an error.
 */
export function resolveOptions(request: XadesRequest = {}): XadesOptions {
  const requested = parseLevel(request.level);
  const profile = parseProfile(request.profile);
  let level: XadesLevel = requested ?? 'aslBES';
  let revocation: RevocationKind = 'OCSP';
  if (profile) {
    const rule = PROFILE_RULES[profile];
    if (requested === null || levelRank(requested) < levelRank(rule.level)) level = rule.level;
    if (!rule.allowed.includes(level)) {
      throw new XadesError('ERR_XADES_OPTIONS', `profile ${profile} is ${rule.allowed.join(' or ')}; it contradicts level ${requested}`);
    }
    revocation = rule.revocation;
  }
  const mode = parseEnum(request.mode, ['ENVELOPED', 'ENVELOPING'] as const, 'ENVELOPED', 'envelopingOrEnveloped');
  const kind = parseEnum(request.serialOrParallel, ['SERIAL', 'PARALLEL'] as const, 'PARALLEL', 'serialOrParallel');
  const path = request.signaturePath?.trim() || null;
  if (kind === 'SERIAL' && !path) throw new XadesError('ERR_XADES_PATH', 'a SERIAL signature needs signaturePath (e.g. S0 or S0:S0)');
  if (kind === 'PARALLEL' && path) throw new XadesError('ERR_XADES_OPTIONS', 'signaturePath is for SERIAL signatures; a PARALLEL one takes none');
  return {
    level,
    profile,
    mode,
    placement: kind === 'SERIAL' ? { kind, path: path as string } : { kind },
    revocation,
    envelopingObjectMimeType: request.envelopingObjectMimeType?.trim() || 'application/pdf',
    envelopingXmlAsBase64: request.envelopingXmlAsBase64 ?? false,
  };
}
