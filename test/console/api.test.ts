import { generateKeyPairSync, sign } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/app.js';
import { testSystem } from '../helpers/platform.js';

const publicKey = (): string => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

function cookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = String(res.headers['set-cookie'] ?? '');
  return raw.split(';')[0] ?? '';
}

describe('console JSON API', () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let app: FastifyInstance;
  beforeAll(async () => {
    system = await testSystem();
    app = await buildServer(system);
  });
  afterAll(async () => {
    await app.close();
    await system.cleanup();
  });

  it('serves the console at / with a strict CSP and correct content types', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\//);
    const js = await app.inject({ method: 'GET', url: '/console/assets/js/app.js' });
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const css = await app.inject({ method: 'GET', url: '/console/assets/style.css' });
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const url of ['/console/assets/../src/app.ts', '/console/assets/%2e%2e/package.json', '/console/assets/nope.js']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(404);
    }
  });

  it('signs up with a hashed password, signs in, refuses bad input with 4xx in its own shape', async () => {
    const bad = [
      { email: 'not-an-email', password: 'long enough password' },
      { email: 'a@b.c', password: 'short' },
      { email: 'a@b.c' },
      { email: 'a@b.c', password: 'x'.repeat(500) },
      { email: ['a@b.c'], password: 'long enough password' },
    ];
    for (const payload of bad) {
      const res = await app.inject({ method: 'POST', url: '/console/api/signup', payload });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.json().error).toMatch(/^ERR_/);
    }
    const garbage = await app.inject({ method: 'POST', url: '/console/api/signup', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(garbage.statusCode).toBe(400);

    const up = await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'Dev@Example.com', password: 'correct horse battery' } });
    expect(up.statusCode).toBe(201);
    expect(up.headers['set-cookie']).toMatch(/HttpOnly; SameSite=Strict/);
    const again = await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'dev@example.com', password: 'correct horse battery' } });
    expect(again.statusCode).toBe(409);

    const row = await system.platform.database.db
      .withTables<{ console_developers: { email: string; password_hash: string } }>()
      .selectFrom('console_developers').selectAll().executeTakeFirstOrThrow();
    expect(row.email).toBe('dev@example.com');
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('correct horse');

    const wrong = await app.inject({ method: 'POST', url: '/console/api/signin', payload: { email: 'dev@example.com', password: 'wrong password!!' } });
    expect(wrong.statusCode).toBe(401);
    const signin = await app.inject({ method: 'POST', url: '/console/api/signin', payload: { email: 'DEV@example.com', password: 'correct horse battery' } });
    expect(signin.statusCode).toBe(200);
    const me = await app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie: cookieOf(signin) } });
    expect(me.json().developer.email).toBe('dev@example.com');
    expect((await app.inject({ method: 'GET', url: '/console/api/me' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/console/api/me', headers: { cookie: 'imzala_console=forged' } })).statusCode).toBe(401);
  });

  it('throttles guessing: five wrong passwords lock the e-mail (429, Retry-After) for right and wrong ones alike; unknown e-mails too', async () => {
    await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'guess@example.com', password: 'the right password' } });
    for (let i = 0; i < 5; i++) {
      const wrong = await app.inject({ method: 'POST', url: '/console/api/signin', payload: { email: 'guess@example.com', password: `wrong guess ${i}!` } });
      expect(wrong.statusCode).toBe(401);
    }
    const locked = await app.inject({ method: 'POST', url: '/console/api/signin', payload: { email: 'Guess@example.com', password: 'the right password' } });
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: 'ERR_TOO_MANY_ATTEMPTS' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    for (let i = 0; i < 5; i++) {
      expect((await app.inject({ method: 'POST', url: '/console/api/signin', payload: { email: 'nobody@example.com', password: 'whatever it is' } })).statusCode).toBe(401);
    }
    expect((await app.inject({ method: 'POST', url: '/console/api/signin', payload: { email: 'nobody@example.com', password: 'whatever it is' } })).statusCode).toBe(429);
    // Another account is not affected.
    await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'other@example.com', password: 'the other password' } });
    expect((await app.inject({ method: 'POST', url: '/console/api/signin', payload: { email: 'other@example.com', password: 'the other password' } })).statusCode).toBe(200);
  });

  it("creates, lists and rotates only the developer's own applications; another developer sees none of them", async () => {
    const a = await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'a@example.com', password: 'password of a!' } });
    const b = await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'b@example.com', password: 'password of b!' } });
    const ca = { cookie: cookieOf(a) };
    const cb = { cookie: cookieOf(b) };

    expect((await app.inject({ method: 'POST', url: '/console/api/apps', payload: { name: 'x', scopes: ['public'], publicKey: publicKey() } })).statusCode).toBe(401);
    for (const payload of [
      { name: 'x', scopes: ['nope'], publicKey: publicKey() },
      { name: 'x', scopes: ['public'], publicKey: 'not a key' },
      { name: 'x', scopes: ['public'], publicKey: publicKey(), redirectUris: ['javascript:alert(1)'] },
      { name: '', scopes: ['public'], publicKey: publicKey() },
      { name: 'x', scopes: [], publicKey: publicKey() },
    ]) {
      const res = await app.inject({ method: 'POST', url: '/console/api/apps', headers: ca, payload });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 60)).toBe(400);
    }

    const created = await app.inject({ method: 'POST', url: '/console/api/apps', headers: ca, payload: { name: 'Mine', scopes: ['public', 'accounts'], redirectUris: ['https://example.com/cb'], publicKey: publicKey() } });
    expect(created.statusCode).toBe(201);
    const { application, clientSecret } = created.json();
    expect(clientSecret).toMatch(/\S{40,}/);
    expect((await app.inject({ method: 'GET', url: '/console/api/apps', headers: ca })).json().applications.map((x: { clientId: string }) => x.clientId)).toEqual([application.clientId]);
    expect((await app.inject({ method: 'GET', url: '/console/api/apps', headers: cb })).json().applications).toEqual([]);

    // The secret is shown once and works at the token endpoint; rotation stops the old one.
    const token = (secret: string) =>
      app.inject({ method: 'POST', url: '/connect/token', payload: new URLSearchParams({ grant_type: 'client_credentials', scope: 'public', client_id: application.clientId, client_secret: secret }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect((await token(clientSecret)).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: `/console/api/apps/${application.clientId}/secret`, headers: cb })).statusCode).toBe(404);
    const rotated = await app.inject({ method: 'POST', url: `/console/api/apps/${application.clientId}/secret`, headers: ca });
    expect(rotated.statusCode).toBe(200);
    expect((await token(clientSecret)).statusCode).toBe(401);
    expect((await token(rotated.json().clientSecret)).statusCode).toBe(200);

    const key = publicKey();
    expect((await app.inject({ method: 'PUT', url: `/console/api/apps/${application.clientId}/key`, headers: cb, payload: { publicKey: key } })).statusCode).toBe(404);
    const rekeyed = await app.inject({ method: 'PUT', url: `/console/api/apps/${application.clientId}/key`, headers: ca, payload: { publicKey: key } });
    expect(rekeyed.statusCode).toBe(200);
    expect(rekeyed.json().application.publicKey.trim()).toBe(key.trim());
    expect((await app.inject({ method: 'GET', url: '/console/api/apps/not-a-uuid/calls', headers: ca })).statusCode).toBe(400);
    const calls = await app.inject({ method: 'GET', url: `/console/api/apps/${application.clientId}/calls`, headers: ca });
    expect(calls.json()).toEqual({ calls: [] });
  });

  it("shows the gateway's recent calls of the developer's application, with the Signature-Hint of a refused one", async () => {
    const s = await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'calls@example.com', password: 'password of calls' } });
    const headers = { cookie: cookieOf(s) };
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const created = (await app.inject({
      method: 'POST', url: '/console/api/apps', headers,
      payload: { name: 'Caller', scopes: ['public'], publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    })).json();
    const tokenRes = await app.inject({
      method: 'POST', url: '/connect/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', scope: 'public', client_id: created.application.clientId, client_secret: created.clientSecret }).toString(),
    });
    const token = tokenRes.json().access_token as string;
    const good = sign('sha256', Buffer.from(token, 'utf8'), pair.privateKey).toString('base64');
    const bad = sign('sha256', Buffer.from(`${token}x`, 'utf8'), pair.privateKey).toString('base64');
    const call = (signature: string) => app.inject({ method: 'GET', url: '/v1/data/testcustomers', headers: { authorization: `Bearer ${token}`, signature } });
    expect((await call(good)).statusCode).toBe(200);
    expect((await call(bad)).statusCode).toBe(400);
    const { calls } = (await app.inject({ method: 'GET', url: `/console/api/apps/${created.application.clientId}/calls`, headers })).json();
    expect(calls.map((c: { status: number }) => c.status)).toEqual([400, 200]);
    expect(calls[0].signatureHint).toMatch(/^unknown: /);
    expect(calls[1]).toMatchObject({ method: 'GET', url: '/v1/data/testcustomers', signatureHint: null, clientId: created.application.clientId });
  });

  it('lists the virtual phones, issues an e-signature demo key only when signed in, and serves the OpenAPI document', async () => {
    const phones = (await app.inject({ method: 'GET', url: '/console/api/phones' })).json().phones;
    expect(phones.length).toBeGreaterThan(0);
    expect(phones[0].phone).toMatch(/^5\d{9}$/);
    expect((await app.inject({ method: 'POST', url: '/console/api/esign-key' })).statusCode).toBe(401);
    const s = await app.inject({ method: 'POST', url: '/console/api/signup', payload: { email: 'e@example.com', password: 'password of e!' } });
    const key = (await app.inject({ method: 'POST', url: '/console/api/esign-key', headers: { cookie: cookieOf(s) } })).json().apiKey;
    expect(key).toMatch(/\S{16,}/);
    const openapi = (await app.inject({ method: 'GET', url: '/console/api/openapi' })).json();
    expect(Object.keys(openapi.paths)).toContain('/v3/accounts');
    expect(Object.keys(openapi.paths)).toContain('/console/api/apps');
  });
});
