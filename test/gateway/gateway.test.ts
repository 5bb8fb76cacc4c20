import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/platform.js';
import { gatewayHarness, type Harness } from './harness.js';
import { signRequest } from './ports.js';

const SIGNATURE_ERROR = '{"code":400,"message":"Client signature validation error"}';

/** Signs with the real openssl binary: the key in a temp file, the exact bytes in another. */
function opensslSign(privatePem: string, data: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-sig-'));
  try {
    fs.writeFileSync(path.join(dir, 'key.pem'), privatePem, { mode: 0o600 });
    fs.writeFileSync(path.join(dir, 'data'), data);
    execFileSync('openssl', ['dgst', '-sha256', '-sign', path.join(dir, 'key.pem'), '-out', path.join(dir, 'sig'), path.join(dir, 'data')]);
    return fs.readFileSync(path.join(dir, 'sig')).toString('base64');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe(`gateway (${testDialect})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness({ rate: 1000, burst: 1000 });
  });
  afterAll(async () => h.close());

  describe('answers exactly as the live gateway', () => {
    it('401 with an empty body for a missing, unknown, expired or revoked bearer token', async () => {
      const none = await h.app.inject({ method: 'GET', url: '/v3/accounts', headers: { signature: 'AAAA' } });
      const basic = await h.app.inject({ method: 'GET', url: '/v3/accounts', headers: { authorization: 'Basic abc', signature: 'AAAA' } });
      const unknown = await h.call('GET', '/v3/accounts', { headers: { authorization: 'Bearer no-such-token-at-all' } });
      const expiring = h.caller('app-anadolu', { expiresAt: Math.floor(Date.now() / 1000) - 1 });
      const expired = await h.call('GET', '/v3/accounts', { as: expiring });
      const revoking = h.caller('app-anadolu');
      expect((await h.call('GET', '/v3/accounts', { as: revoking })).statusCode).toBe(200);
      h.tokens.revoke(revoking.token);
      const revoked = await h.call('GET', '/v3/accounts', { as: revoking });
      for (const res of [none, basic, unknown, expired, revoked]) {
        expect(res.statusCode).toBe(401);
        expect(res.body).toBe('');
        expect(res.headers.executionreferenceid).toMatch(/^[0-9a-f-]{36}$/);
      }
    });

    it('400 "Signature header parameter is empty." when the header is missing or blank', async () => {
      for (const signature of [undefined, '', '   ']) {
        const headers: Record<string, string> = { authorization: `Bearer ${h.anadolu.token}` };
        if (signature !== undefined) headers.signature = signature;
        const res = await h.app.inject({ method: 'GET', url: '/v3/accounts', headers });
        expect(res.statusCode).toBe(400);
        expect(res.body).toBe('Signature header parameter is empty.');
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
      }
    });

    it('400 {"code":400,"message":"Client signature validation error"} when the signature does not verify', async () => {
      const res = await h.call('GET', '/v3/accounts', { signature: signRequest(h.anadolu.client.privateKey, h.anadolu.token, '?x=1') });
      expect(res.statusCode).toBe(400);
      expect(res.body).toBe(SIGNATURE_ERROR);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    });

    it('401 "Invalid grant type. Authorization Code is required." for a customer endpoint with a client-credentials token', async () => {
      for (const url of ['/v2/accounts', '/v2/accounts/1', '/v2/accounts/1/transactions']) {
        const res = await h.call('GET', url);
        expect(res.statusCode).toBe(401);
        expect(res.body).toBe('Invalid grant type. Authorization Code is required.');
      }
    });

    it('403 "Invalid Scope" when the token lacks the endpoint’s scope', async () => {
      const publicOnly = h.caller('app-anadolu', { scopes: ['public'] });
      const res = await h.call('GET', '/v3/accounts', { as: publicOnly });
      expect(res.statusCode).toBe(403);
      expect(res.body).toBe('Invalid Scope');
      const noTransfers = h.caller('app-anadolu', { scopes: ['accounts'] });
      expect((await h.call('POST', '/v1/moneytransfer/outgoingmoneytransfer', { as: noTransfers, body: '{}' })).body).toBe('Invalid Scope');
      expect((await h.call('GET', '/v1/fx/rates', { as: noTransfers })).body).toBe('Invalid Scope');
    });

    it('404 "Path not found" for an unknown path in the gateway’s space, with or without credentials', async () => {
      for (const url of ['/v3/nothing', '/v3/accounts/1/nothing', '/v1/unknown?x=1', '/v9/accounts']) {
        const res = await h.app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(404);
        expect(res.body).toBe('Path not found');
        expect(res.headers.executionreferenceid).toBeTruthy();
      }
      // The e-signature API shares /v2/: not the gateway's to answer.
      expect((await h.app.inject({ method: 'GET', url: '/v2/CoreApiFile/Nothing' })).body).not.toBe('Path not found');
    });

    it('checks in order: token, then signature, then grant type, then scope', async () => {
      const publicOnly = h.caller('app-anadolu', { scopes: ['public'] });
      const noTokenBadSig = await h.call('GET', '/v2/accounts', { headers: { authorization: 'Bearer unknown-token-xyz' }, signature: 'AAAA' });
      expect(noTokenBadSig.statusCode).toBe(401);
      expect(noTokenBadSig.body).toBe('');
      const badSigWrongScope = await h.call('GET', '/v2/accounts', { as: publicOnly, signature: 'AAAA' });
      expect(badSigWrongScope.body).toBe(SIGNATURE_ERROR);
      const wrongFlowWrongScope = await h.call('GET', '/v2/accounts', { as: publicOnly });
      expect(wrongFlowWrongScope.body).toBe('Invalid grant type. Authorization Code is required.');
      // A bad body is only looked at after the caller is authenticated and authorised.
      const badBodyBadSig = await h.call('POST', '/v1/moneytransfer/outgoingmoneytransfer', { body: '{not json', signature: 'AAAA' });
      expect(badBodyBadSig.body).toBe(SIGNATURE_ERROR);
      const badBodyNoScope = await h.call('POST', '/v1/moneytransfer/outgoingmoneytransfer', { as: publicOnly, body: '{not json' });
      expect(badBodyNoScope.body).toBe('Invalid Scope');
    });
  });

  describe('request signatures', () => {
    it('accepts requests signed by openssl dgst -sha256 -sign: GET without and with a query, POST with Turkish text', async () => {
      const { token, client } = h.anadolu;
      const plain = await h.app.inject({ method: 'GET', url: '/v3/accounts/1', headers: { authorization: `Bearer ${token}`, signature: opensslSign(client.privatePem, Buffer.from(token)) } });
      expect(plain.statusCode).toBe(200);
      const query = '?onlyOpen=true&itemCount=%35';
      const withQuery = await h.app.inject({ method: 'GET', url: `/v3/accounts${query}`, headers: { authorization: `Bearer ${token}`, signature: opensslSign(client.privatePem, Buffer.from(token + query)) } });
      expect(withQuery.statusCode).toBe(200);
      const body = '{\n  "senderAccountSuffix": 1,\n  "receiverIban": "TR320020500000040036800001",\n  "moneyTransferAmount": 1,\n  "moneyTransferDescription": "Şükran için ödeme: ığüşöç İĞÜŞÖÇ",\n  "corporateWebUserName": "gokcul"\n}';
      const post = await h.app.inject({
        method: 'POST', url: '/v1/moneytransfer/outgoingmoneytransfer', payload: body,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', signature: opensslSign(client.privatePem, Buffer.concat([Buffer.from(token), Buffer.from(body, 'utf8')])) },
      });
      expect(post.statusCode).toBe(200);
      expect(post.json().results[0].errorCode).toBe('SameAccount'); // reached the bank: signature accepted
    });

    it('refuses one tampered byte of body, query or token', async () => {
      const { token, client } = h.anadolu;
      const body = '{"senderAccountSuffix":1,"receiverIban":"TR320020500000040036800001","moneyTransferAmount":1,"corporateWebUserName":"gokcul"}';
      const sig = signRequest(client.privateKey, token, body);
      const tamperedBody = body.replace('"moneyTransferAmount":1', '"moneyTransferAmount":9');
      const res = await h.call('POST', '/v1/moneytransfer/outgoingmoneytransfer', { body: tamperedBody, signature: sig });
      expect(res.body).toBe(SIGNATURE_ERROR);
      const qsig = signRequest(client.privateKey, token, '?itemCount=5');
      expect((await h.call('GET', '/v3/accounts/1/transactions?itemCount=6', { signature: qsig })).body).toBe(SIGNATURE_ERROR);
      expect((await h.call('GET', '/v3/accounts/1/transactions?itemCount=5', { signature: qsig })).statusCode).toBe(200);
      // A byte changed in the token: either it is no longer a token (401), or, signed over another valid token, refused.
      const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
      expect((await h.call('GET', '/v3/accounts', { headers: { authorization: `Bearer ${flipped}` } })).statusCode).toBe(401);
      const other = h.caller('app-anadolu');
      const sigForOther = signRequest(client.privateKey, other.token);
      expect((await h.call('GET', '/v3/accounts', { signature: sigForOther })).body).toBe(SIGNATURE_ERROR);
      // The flipped signature itself.
      const good = signRequest(client.privateKey, token);
      const bytes = Buffer.from(good, 'base64');
      bytes[10] = bytes[10]! ^ 1;
      expect((await h.call('GET', '/v3/accounts', { signature: bytes.toString('base64') })).body).toBe(SIGNATURE_ERROR);
    });

    describe('names the client’s mistake in Signature-Hint, keeping the live body', () => {
      const bodyObj = { senderAccountSuffix: 1, receiverIban: 'TR320020500000040036800001', moneyTransferAmount: 1, moneyTransferDescription: 'Kira ödemesi Şubat', corporateWebUserName: 'gokcul' };
      const pretty = JSON.stringify(bodyObj, null, 2);
      const transfer = '/v1/moneytransfer/outgoingmoneytransfer';
      const cases: Array<[string, 'GET' | 'POST', string, string | undefined, (t: string) => Buffer]> = [
        ['token-only', 'GET', '/v3/accounts?onlyOpen=true', undefined, (t) => Buffer.from(t)],
        ['payload-only', 'GET', '/v3/accounts?onlyOpen=true', undefined, () => Buffer.from('?onlyOpen=true')],
        ['query-without-question-mark', 'GET', '/v3/accounts?onlyOpen=true', undefined, (t) => Buffer.from(`${t}onlyOpen=true`)],
        ['query-resorted', 'GET', '/v3/accounts?onlyOpen=true&onlyCurrent=true', undefined, (t) => Buffer.from(`${t}?onlyCurrent=true&onlyOpen=true`)],
        ['query-decoded', 'GET', '/v3/accounts/1/transactions?beginDate=2026-06-01T00%3A00%3A00', undefined, (t) => Buffer.from(`${t}?beginDate=2026-06-01T00:00:00`)],
        ['query-reencoded', 'GET', '/v3/accounts/1/transactions?beginDate=2026-06-01T00:00:00', undefined, (t) => Buffer.from(`${t}?beginDate=2026-06-01T00%3A00%3A00`)],
        ['body-reserialised', 'POST', transfer, pretty, (t) => Buffer.from(t + JSON.stringify(bodyObj))],
        ['body-whitespace-stripped', 'POST', transfer, pretty, (t) => Buffer.from(t + pretty.replace(/\s+/g, ''))],
        ['body-line-endings', 'POST', transfer, pretty, (t) => Buffer.from(t + pretty.replace(/\n/g, '\r\n'))],
        ['latin1-encoding', 'POST', transfer, pretty, (t) => Buffer.from(t + pretty, 'latin1')],
        ['ascii-encoding', 'POST', transfer, pretty, (t) => Buffer.from((t + pretty).replace(/[^\x00-\x7f]/g, '?'), 'latin1')],
        ['utf16-encoding', 'GET', '/v3/accounts', undefined, (t) => Buffer.from(t, 'utf16le')],
      ];
      for (const [hint, method, url, body, bytes] of cases) {
        it(hint, async () => {
          const signature = sign('sha256', bytes(h.anadolu.token), h.anadolu.client.privateKey).toString('base64');
          const before = h.logLines.length;
          const res = await h.call(method, url, { body, signature });
          expect(res.statusCode).toBe(400);
          expect(res.body).toBe(SIGNATURE_ERROR);
          expect(res.headers['signature-hint']).toMatch(new RegExp(`^${hint}: `));
          const logged = h.logLines.slice(before).join('\n');
          expect(logged).toContain(hint);
          expect(logged).not.toContain(h.anadolu.token);
          expect(res.body + JSON.stringify(res.headers)).not.toContain(h.anadolu.token);
        });
      }

      it('other-key: signed with a key registered on the application before', async () => {
        const rotating = h.caller('app-rotating');
        const old = rotating.client.privateKey;
        h.keyring.register('app-rotating');
        const res = await h.call('GET', '/v3/accounts', { as: rotating, signature: signRequest(old, rotating.token) });
        expect(res.body).toBe(SIGNATURE_ERROR);
        expect(res.headers['signature-hint']).toMatch(/^other-key: /);
      });

      it('signature-encoding, signature-malformed, no-key-registered and unknown', async () => {
        const good = signRequest(h.anadolu.client.privateKey, h.anadolu.token);
        const url = good.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
        const r1 = await h.call('GET', '/v3/accounts', { signature: url === good ? `${good.slice(0, 40)}\n${good.slice(40)}` : url });
        expect(r1.headers['signature-hint']).toMatch(/^signature-encoding: /);
        const r2 = await h.call('GET', '/v3/accounts', { signature: 'not base64 at all!' });
        expect(r2.headers['signature-hint']).toMatch(/^signature-malformed: /);
        const keyless = h.tokens.issue({ clientId: 'app-without-key', scopes: ['accounts'], flow: 'client_credentials', customerNo: '400368' });
        const r3 = await h.app.inject({ method: 'GET', url: '/v3/accounts', headers: { authorization: `Bearer ${keyless}`, signature: good } });
        expect(r3.body).toBe(SIGNATURE_ERROR);
        expect(r3.headers['signature-hint']).toMatch(/^no-key-registered: /);
        const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
        const r4 = await h.call('GET', '/v3/accounts', { signature: signRequest(stranger, h.anadolu.token) });
        expect(r4.headers['signature-hint']).toMatch(/^unknown: /);
        for (const r of [r1, r2, r4]) expect(r.body).toBe(SIGNATURE_ERROR);
      });
    });
  });

  it('answers hostile input with a 4xx in its own shape, never a 5xx', async () => {
    const big = 'A'.repeat(16 * 1024);
    const cases = [
      await h.call('GET', '/v3/accounts', { signature: big }),
      await h.call('GET', '/v3/accounts', { signature: `${signRequest(h.anadolu.client.privateKey, h.anadolu.token)}, AAAA` }),
      await h.call('GET', '/v3/accounts', { headers: { authorization: `Bearer ${big}` } }),
      await h.call('GET', '/v3/accounts', { headers: { authorization: 'Bearer' } }),
      await h.call('GET', `/v3/accounts?${'x=1&'.repeat(1500)}`),
      await h.call('GET', '/v3/accounts/1/transactions?beginDate=%E2%80%AE2026-01-01'),
      await h.call('GET', '/v3/accounts/1/transactions?itemCount=1&itemCount=2'),
      await h.call('GET', '/v3/accounts/..%2F..%2Fetc'),
      await h.call('GET', '/v1/moneytransfer/%00/customeribaninfo'),
      await h.call('POST', '/v1/moneytransfer/outgoingmoneytransfer', { body: '{"__proto__":{"x":1},"constructor":{"prototype":{}}}' }),
      await h.call('POST', '/v1/moneytransfer/outgoingmoneytransfer', { body: Buffer.from([0xff, 0xfe, 0x00]).toString('latin1') }),
      await h.call('POST', '/v1/moneytransfer/outgoingmoneytransfer', {}),
    ];
    for (const [i, res] of cases.entries()) {
      expect(res.statusCode, `case ${i}: ${res.body.slice(0, 200)}`).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, `case ${i}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
      expect(res.headers.executionreferenceid, `case ${i}`).toBeTruthy();
    }
    expect(cases[4]!.statusCode).toBe(200);
    expect(cases[6]!.statusCode).toBe(400);
  });

  it('carries executionReferenceId on every response, and in the envelope', async () => {
    const ok = await h.call('GET', '/v3/accounts/1');
    expect(ok.json().executionReferenceId).toBe(ok.headers.executionreferenceid);
    const ids = new Set<string>();
    for (const res of [ok, await h.call('GET', '/v3/accounts', { signature: 'AAAA' }), await h.call('GET', '/v2/accounts'), await h.app.inject({ url: '/v3/zzz' })]) {
      const id = res.headers.executionreferenceid as string;
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      ids.add(id);
    }
    expect(ids.size).toBe(4);
  });

  it('serves the same over a real socket, the query signed exactly as on the wire', async () => {
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { token, client } = h.anadolu;
      const query = '?itemCount=%33&beginDate=2026-06-01';
      const sig = opensslSign(client.privatePem, Buffer.from(token + query));
      const res = await fetch(`${address}/v3/accounts/1/transactions${query}`, { headers: { authorization: `Bearer ${token}`, signature: sig } });
      expect(res.status).toBe(200);
      expect(res.headers.get('executionreferenceid')).toBeTruthy();
      const json = (await res.json()) as { value: { accountActivities: { date: string }[] } };
      expect(json.value.accountActivities).toHaveLength(3);
      const decoded = signRequest(client.privateKey, token, '?itemCount=3&beginDate=2026-06-01');
      const bad = await fetch(`${address}/v3/accounts/1/transactions${query}`, { headers: { authorization: `Bearer ${token}`, signature: decoded } });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toBe(SIGNATURE_ERROR);
      expect(bad.headers.get('signature-hint')).toMatch(/^query-decoded: /);
      const missing = await fetch(`${address}/v3/accounts`);
      expect(missing.status).toBe(401);
      expect(await missing.text()).toBe('');
    } finally {
      await h.app.close();
    }
  });
});

describe(`gateway rate limit (${testDialect})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness({ rate: 0.5, burst: 3 });
  });
  afterAll(async () => h.close());

  it('answers 429 with Retry-After once a client’s bucket is empty; other clients are unaffected', async () => {
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<Harness['call']>> | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await h.call('GET', '/v3/accounts/1');
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited!.headers['retry-after'])).toBeLessThanOrEqual(2);
    expect(limited!.headers.executionreferenceid).toBeTruthy();
    const other = h.caller('app-other', { customerNo: '400512' });
    expect((await h.call('GET', '/v3/accounts/1', { as: other })).statusCode).toBe(200);
    // Unauthenticated noise does not drain anyone's bucket.
    expect((await h.app.inject({ url: '/v3/accounts' })).statusCode).toBe(401);
  });
});
