import { verify, type KeyObject } from 'node:crypto';

/**
 * The Kuveyt Türk request signature: RSASSA-PKCS1-v1_5 with SHA-256 over the UTF-8 bytes of
 * `accessToken + payload`, where the payload is the raw body (POST/PUT), or "?" + the raw query as sent (GET with
 * a query), or nothing. Standard Base64 with padding on the wire.
 */

export interface SignedRequest {
  token: string;
  /** The raw body bytes for methods that carry one, else null. */
  body: Buffer | null;
  /** The query exactly as on the wire, without its "?"; null when the URL has none. */
  rawQuery: string | null;
}

/**
 * What the signature is over: for a method without a body the token and "?" + the raw query as text (its UTF-8
 * is what was signed), else the token's UTF-8 followed by the raw body bytes.
 */
export function signedData(req: SignedRequest): string | Buffer {
  if (req.body) return signedBytes(req);
  return req.rawQuery === null ? req.token : `${req.token}?${req.rawQuery}`;
}

/** The payload after the token: what the client must have appended. */
function payloadOf(req: SignedRequest): Buffer {
  if (req.body) return req.body;
  return req.rawQuery === null ? Buffer.alloc(0) : Buffer.from(`?${req.rawQuery}`, 'utf8');
}

export function signedBytes(req: SignedRequest): Buffer {
  return Buffer.concat([Buffer.from(req.token, 'utf8'), payloadOf(req)]);
}

const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether a Signature header is strict standard Base64 with padding, as the live gateway requires. */
export function isStrictBase64(header: string): boolean {
  return STRICT_BASE64.test(header);
}

/** The signature bytes if the header is strict standard Base64, else null. */
export function decodeSignature(header: string): Buffer | null {
  return isStrictBase64(header) ? Buffer.from(header, 'base64') : null;
}

export function verifyBytes(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify('sha256', data, key, signature);
  } catch {
    // A key that is not RSA, or a signature of the wrong length: not a valid signature.
    return false;
  }
}

export interface SignatureHint {
  code: string;
  message: string;
}

const hint = (code: string, message: string): SignatureHint => ({ code, message });

function sortedQuery(raw: string): string {
  return raw.split('&').sort().join('&');
}

function safeDecode(raw: string): string | null {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

/** .NET's Encoding.ASCII: every character outside 0-127 becomes "?". */
function asciiBytes(text: string): Buffer {
  return Buffer.from(text.replace(/[^\x00-\x7f]/gu, '?'), 'latin1');
}

/**
 * Why a signature failed, when it is one of the mistakes clients are known to make: each candidate is the
 * bytes that mistake would have signed, checked against the key. Costs a dozen public-key verifications,
 * spent only on requests that already failed.
 */
export function diagnose(
  req: SignedRequest,
  signatureHeader: string,
  current: KeyObject | null,
  others: readonly KeyObject[],
): SignatureHint {
  if (!current) return hint('no-key-registered', 'the application has no public key registered; upload one in the developer portal');
  const signature = decodeSignature(signatureHeader);
  if (!signature) {
    const lenient = Buffer.from(signatureHeader.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (lenient.length > 0 && verifyBytes(current, signedBytes(req), lenient)) {
      return hint('signature-encoding', 'the signature is right but not standard Base64 with padding on one line (Base64URL, missing padding or line breaks)');
    }
    return hint('signature-malformed', 'the Signature header is not standard Base64');
  }
  const token = Buffer.from(req.token, 'utf8');
  const payload = payloadOf(req);
  const text = `${req.token}${payload.toString('utf8')}`;
  const candidates: Array<[SignatureHint, () => Buffer | null]> = [];
  const withToken = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(`${req.token}${s}`, 'utf8'));

  if (payload.length > 0) {
    candidates.push([hint('token-only', 'the token alone was signed; sign the token followed by the ' + (req.body ? 'request body' : '"?" and the query')), () => token]);
    candidates.push([hint('payload-only', 'the payload was signed without the access token in front of it'), () => payload]);
  }
  if (req.rawQuery !== null) {
    const raw = req.rawQuery;
    candidates.push([hint('query-without-question-mark', 'the query was signed without its leading "?"'), () => withToken(raw)]);
    candidates.push([hint('query-resorted', 'the query was signed with its parameters in another order; sign it exactly as sent'), () => withToken(`?${sortedQuery(raw)}`)]);
    candidates.push([hint('query-decoded', 'the query was signed percent-decoded; sign it exactly as sent, encoding included'), () => withToken(raw.includes('%') || raw.includes('+') ? `?${safeDecode(raw)}` : null)]);
    candidates.push([hint('query-reencoded', 'the query was signed re-encoded; sign it exactly as sent'), () => withToken(`?${new URLSearchParams(raw).toString()}`)]);
  }
  if (req.body && req.body.length > 0) {
    const bodyText = req.body.toString('utf8');
    let parsed: unknown;
    let isJson = false;
    try {
      parsed = JSON.parse(bodyText);
      isJson = true;
    } catch {
      // Not JSON: only the whitespace and line-ending mistakes apply.
    }
    if (isJson) {
      candidates.push([hint('body-reserialised', 'the body was signed as compact JSON but sent formatted differently; sign the exact bytes you send'), () => withToken(JSON.stringify(parsed))]);
      for (const indent of [2, 4, '\t'] as const) {
        candidates.push([hint('body-reserialised', 'the body was signed as re-serialised JSON, not the exact bytes sent'), () => withToken(JSON.stringify(parsed, null, indent))]);
      }
    }
    candidates.push([hint('body-whitespace-stripped', 'the body was signed with its whitespace stripped; sign the exact bytes you send'), () => withToken(bodyText.replace(/\s+/g, ''))]);
    candidates.push([hint('body-line-endings', 'the body was signed with other line endings (CRLF/LF) than sent'), () => withToken(bodyText.includes('\r\n') ? bodyText.replace(/\r\n/g, '\n') : bodyText.replace(/\n/g, '\r\n'))]);
  }
  if (/[^\x00-\x7f]/.test(text)) {
    candidates.push([hint('latin1-encoding', 'the text was signed as Latin-1/Windows-1254 bytes, not UTF-8 (Turkish letters differ)'), () => Buffer.from(text, 'latin1')]);
    candidates.push([hint('ascii-encoding', 'the text was signed as ASCII (non-ASCII letters became "?"), not UTF-8'), () => asciiBytes(text)]);
  }
  candidates.push([hint('utf16-encoding', 'the text was signed as UTF-16 (.NET Encoding.Unicode), not UTF-8'), () => Buffer.from(text, 'utf16le')]);

  const seen = new Set<string>();
  const right = signedBytes(req);
  for (const [h, bytes] of candidates) {
    const data = bytes();
    if (!data || data.equals(right)) continue;
    const id = data.toString('base64');
    if (seen.has(id)) continue;
    seen.add(id);
    if (verifyBytes(current, data, signature)) return h;
  }
  for (const other of others) {
    if (verifyBytes(other, right, signature)) {
      return hint('other-key', 'signed with the private key of another public key than the one registered on this application now');
    }
  }
  return hint('unknown', 'no known mistake matches: check the private key and that exactly token + payload is signed');
}
