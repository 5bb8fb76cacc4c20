import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { loadPrivateKey, signRequest, signedPayload } from '../../src/sdk/index.js';
import { opensslSign, testKeys } from './helpers/recorder.js';

const keys = testKeys();
afterAll(() => fs.rmSync(keys.dir, { recursive: true, force: true }));
const token = 'AH1HMLZ+nGZ6gHneIFk2F0dWj0zFpp2uD4AU/x==';

describe('signRequest', () => {
  it.each([
    ['PKCS#1', keys.pkcs1, keys.pkcs1File],
    ['PKCS#8', keys.pkcs8, keys.pkcs8File],
  ])('equals openssl dgst -sha256 -sign over token + body with a %s key', (_form, pem, file) => {
    const body = '{\n  "moneyTransferDescription": "Kira ödemesi — şubat, İğdır ÇÖĞÜŞ ı",\n  "moneyTransferAmount": 150\n}';
    const ours = signRequest({ token, method: 'POST', body, privateKey: pem });
    expect(ours).toBe(opensslSign(file, Buffer.from(token + body, 'utf8')));
  });

  it('signs "?" + the raw query for a GET, with or without the leading ?', () => {
    const query = 'beginDate=2024-01-01&x=%C5%9F&a=1&a=2';
    const expected = opensslSign(keys.pkcs8File, Buffer.from(`${token}?${query}`, 'utf8'));
    expect(signRequest({ token, method: 'GET', query, privateKey: keys.pkcs8 })).toBe(expected);
    expect(signRequest({ token, method: 'GET', query: `?${query}`, privateKey: keys.pkcs1 })).toBe(expected);
  });

  it('signs the token alone for a GET without a query', () => {
    expect(signRequest({ token, method: 'GET', privateKey: keys.pkcs1 })).toBe(opensslSign(keys.pkcs1File, Buffer.from(token)));
    expect(signedPayload({ token, method: 'GET', query: '?' })).toEqual(Buffer.from(token));
  });

  it('refuses a body on a GET, body and query together, and non-RSA or public keys', () => {
    expect(() => signedPayload({ token, method: 'GET', body: '{}' })).toThrow(/query/);
    expect(() => signedPayload({ token, method: 'POST', body: '{}', query: 'a=1' })).toThrow(/not both/);
    expect(() => loadPrivateKey(keys.publicPem)).toThrow();
    expect(() => loadPrivateKey('not a key')).toThrow();
  });
});
