import { createPrivateKey, sign, type KeyObject } from 'node:crypto';

/** A private key as PEM text (PKCS#1 `BEGIN RSA PRIVATE KEY` or PKCS#8 `BEGIN PRIVATE KEY`), DER bytes, or a KeyObject. */
export type PrivateKeyInput = string | Buffer | KeyObject;

/** Accepts both PEM forms (and PKCS#8 DER); rejects anything that is not an RSA private key up front. */
export function loadPrivateKey(input: PrivateKeyInput): KeyObject {
  let key: KeyObject;
  if (typeof input === 'string') {
    key = createPrivateKey({ key: input, format: 'pem' });
  } else if (Buffer.isBuffer(input)) {
    key = input.includes('-----BEGIN')
      ? createPrivateKey({ key: input, format: 'pem' })
      : createPrivateKey({ key: input, format: 'der', type: 'pkcs8' });
  } else {
    key = input;
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa') {
    throw new TypeError(`the request-signing key must be an RSA private key, got ${key.type} ${key.asymmetricKeyType ?? ''}`.trim());
  }
  return key;
}

export interface SignRequestInput {
  token: string;
  method: string;
  /** POST/PUT: the body exactly as it goes on the wire. A string is taken as UTF-8. */
  body?: string | Uint8Array | undefined;
  /** GET: the raw query as it appears on the wire, with or without the leading `?`, never re-encoded. */
  query?: string | undefined;
  privateKey: PrivateKeyInput;
}

/**
 * The bytes Kuveyt Türk's gateway verifies: UTF-8 of the access token followed by the payload (the body for
 * requests with one; `?` + raw query for a GET with a query; nothing otherwise).
 */
export function signedPayload(input: Omit<SignRequestInput, 'privateKey'>): Buffer {
  const token = Buffer.from(input.token, 'utf8');
  if (input.body !== undefined && /^(GET|HEAD|DELETE)$/i.test(input.method)) {
    throw new TypeError(`a ${input.method.toUpperCase()} request has no body to sign; sign its query`);
  }
  if (input.body !== undefined && input.query !== undefined && input.query !== '' && input.query !== '?') {
    throw new TypeError('sign either a body or a query, not both');
  }
  if (input.body !== undefined) {
    const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : Buffer.from(input.body);
    return Buffer.concat([token, body]);
  }
  if (input.query !== undefined) {
    const raw = input.query.startsWith('?') ? input.query.slice(1) : input.query;
    return raw === '' ? token : Buffer.concat([token, Buffer.from(`?${raw}`, 'utf8')]);
  }
  return token;
}

/** The `Signature` header value: RSASSA-PKCS1-v1_5 SHA-256 over `signedPayload`, standard Base64. */
export function signRequest(input: SignRequestInput): string {
  return sign('sha256', signedPayload(input), loadPrivateKey(input.privateKey)).toString('base64');
}
