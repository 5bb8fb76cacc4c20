import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, openSystem, type System } from '../../src/app.js';
import { SANDBOX_PASSWORD } from '../../src/banking/seed.js';
import { createLogger } from '../../src/platform/logger.js';
import type { IdentityTables } from '../../src/identity/migrations.js';
import { testSystem } from '../helpers/platform.js';
import { Browser, FORM, form, identityOf, parseForm, registerApp } from './helpers.js';

const REDIRECT = 'https://app.example.test/callback';
const CUSTOMER = '500101';

describe('authorization code flow, driven over HTTP like a browser', () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let app: FastifyInstance;
  let base: string;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    system = await testSystem();
    app = await buildServer(system);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    client = await registerApp(system, { scopes: 'public accounts account_activities offline_access', redirectUris: [REDIRECT] });
  });
  afterAll(async () => {
    await app.close();
    await system.cleanup();
  });

  function authorizeUrl(params: Record<string, string>): string {
    return `/connect/authorize?${form({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT, ...params })}`;
  }

  async function postToken(fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: FORM,
      body: form({ client_id: client.clientId, client_secret: client.clientSecret, ...fields }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Login page → password → OTP page (code read from the sandbox SMS box) → consent page. */
  async function signIn(browser: Browser, params: Record<string, string>): Promise<string> {
    const login = await browser.follow(authorizeUrl(params));
    expect(login.status).toBe(200);
    expect(login.url).toMatch(/\/connect\/interaction\/[\w-]+$/);
    expect(login.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(login.html).toMatch(/<label for="customerNo">/);
    const otp = await browser.submit(login.html, { customerNo: CUSTOMER, password: SANDBOX_PASSWORD });
    expect(otp.status).toBe(200);
    const code = /data-testid="sandbox-otp">(\d{6})</.exec(otp.html)?.[1];
    expect(code).toMatch(/^\d{6}$/);
    const consent = await browser.submit(otp.html, { code: code! });
    expect(consent.status).toBe(200);
    return consent.html;
  }

  function callbackParams(location: string | null): URLSearchParams {
    expect(location).toBeTruthy();
    const url = new URL(location!);
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
    return url.searchParams;
  }

  it('login → one-time code → consent → code → tokens with the customer; refresh rotates; revocation ends it', async () => {
    const browser = new Browser(base);
    const state = randomBytes(8).toString('hex');
    const consentHtml = await signIn(browser, { scope: 'accounts offline_access', state, ui_locales: 'en' });
    expect(consentHtml).toContain('lang="en"');
    expect(consentHtml).toContain('<code>accounts</code>');
    expect(consentHtml).toContain('<code>offline_access</code>');

    const done = await browser.submit(consentHtml, { decision: 'approve' });
    const params = callbackParams(done.location);
    expect(params.get('state')).toBe(state);
    const code = params.get('code')!;

    const exchanged = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(exchanged.status).toBe(200);
    expect(Object.keys(exchanged.body)).toEqual(['access_token', 'expires_in', 'token_type', 'scope', 'refresh_token']);
    expect(exchanged.body).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: 'accounts offline_access' });
    const identity = identityOf(system);
    expect(await identity.tokens.verify(exchanged.body.access_token as string)).toMatchObject({
      clientId: client.clientId,
      flow: 'authorization_code',
      customerNo: CUSTOMER,
      scopes: ['accounts', 'offline_access'],
    });

    // Refresh: a new pair; the old refresh token stops working.
    const first = exchanged.body.refresh_token as string;
    const refreshed = await postToken({ grant_type: 'refresh_token', refresh_token: first });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).toBeTruthy();
    expect(refreshed.body.refresh_token).not.toBe(first);
    // Two requests racing with the same refresh token: exactly one wins.
    const current = refreshed.body.refresh_token as string;
    const race = await Promise.all([1, 2, 3].map(() => postToken({ grant_type: 'refresh_token', refresh_token: current })));
    expect(race.filter((r) => r.status === 200)).toHaveLength(1);
    expect(race.filter((r) => r.status === 400 && r.body.error === 'invalid_grant')).toHaveLength(2);

    const reused = await postToken({ grant_type: 'refresh_token', refresh_token: first });
    expect(reused.status).toBe(400);
    expect(reused.body.error).toBe('invalid_grant');

    // A code works once; replaying it revokes what it gave.
    expect((await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).body.error).toBe('invalid_grant');
    expect(await identity.tokens.verify(refreshed.body.access_token as string)).toBeNull();

    // Revocation: introspection says inactive and the gateway's verifier refuses it.
    const fresh = await postToken({ grant_type: 'client_credentials', scope: 'accounts' });
    const accessToken = fresh.body.access_token as string;
    const active = await fetch(`${base}/connect/introspect`, { method: 'POST', headers: FORM, body: form({ token: accessToken, client_id: client.clientId, client_secret: client.clientSecret }) });
    expect(await active.json()).toMatchObject({ active: true, client_id: client.clientId, scope: 'accounts' });
    expect(await identity.tokens.verify(accessToken)).not.toBeNull();
    const revoked = await fetch(`${base}/connect/revocation`, { method: 'POST', headers: FORM, body: form({ token: accessToken, token_type_hint: 'access_token', client_id: client.clientId, client_secret: client.clientSecret }) });
    expect(revoked.status).toBe(200);
    const inactive = await fetch(`${base}/connect/introspect`, { method: 'POST', headers: FORM, body: form({ token: accessToken, client_id: client.clientId, client_secret: client.clientSecret }) });
    expect(await inactive.json()).toEqual({ active: false });
    expect(await identity.tokens.verify(accessToken)).toBeNull();
  });

  it('no refresh token without offline_access; Turkish pages by default', async () => {
    const browser = new Browser(base);
    const consentHtml = await signIn(browser, { scope: 'public accounts', state: 's1' });
    expect(consentHtml).toContain('lang="tr"');
    expect(consentHtml).toContain('İzin ver');
    const code = callbackParams((await browser.submit(consentHtml, { decision: 'approve' })).location).get('code')!;
    const res = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['access_token', 'expires_in', 'token_type', 'scope']);
  });

  it('refusal redirects with access_denied and the state', async () => {
    const browser = new Browser(base);
    const consentHtml = await signIn(browser, { scope: 'accounts', state: 'xyz' });
    const done = await browser.submit(consentHtml, { decision: 'refuse' });
    const params = callbackParams(done.location);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('xyz');
    expect(params.get('code')).toBeNull();
  });

  it('PKCE S256: enforced when sent, a wrong verifier refused, the right one accepted', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const browser = new Browser(base);
    const consentHtml = await signIn(browser, { scope: 'accounts', state: 'p', code_challenge: challenge, code_challenge_method: 'S256' });
    const code = callbackParams((await browser.submit(consentHtml, { decision: 'approve' })).location).get('code')!;
    const missing = await postToken({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(missing.body.error).toBe('invalid_grant');

    const browser2 = new Browser(base);
    const consent2 = await signIn(browser2, { scope: 'accounts', state: 'p', code_challenge: challenge, code_challenge_method: 'S256' });
    const code2 = callbackParams((await browser2.submit(consent2, { decision: 'approve' })).location).get('code')!;
    const wrong = await postToken({ grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT, code_verifier: randomBytes(32).toString('base64url') });
    expect(wrong.body.error).toBe('invalid_grant');

    const browser3 = new Browser(base);
    const consent3 = await signIn(browser3, { scope: 'accounts', state: 'p', code_challenge: challenge, code_challenge_method: 'S256' });
    const code3 = callbackParams((await browser3.submit(consent3, { decision: 'approve' })).location).get('code')!;
    const right = await postToken({ grant_type: 'authorization_code', code: code3, redirect_uri: REDIRECT, code_verifier: verifier });
    expect(right.status).toBe(200);

    const plain = await new Browser(base).request(authorizeUrl({ scope: 'accounts', state: 'q', code_challenge: challenge, code_challenge_method: 'plain' }));
    expect(callbackParams(plain.location).get('error')).toBe('invalid_request');
  });

  it('unknown or unregistered scopes come back to the client as invalid_scope', async () => {
    const unknown = await new Browser(base).request(authorizeUrl({ scope: 'accounts bogus', state: 'u' }));
    expect(callbackParams(unknown.location).get('error')).toBe('invalid_scope');
    expect(callbackParams(unknown.location).get('state')).toBe('u');
    const notRegistered = await new Browser(base).request(authorizeUrl({ scope: 'loans', state: 'v' }));
    expect(callbackParams(notRegistered.location).get('error')).toBe('invalid_scope');
  });

  it('an unregistered redirect URI gets an error page, never a redirect', async () => {
    const res = await new Browser(base).request(`/connect/authorize?${form({ response_type: 'code', client_id: client.clientId, redirect_uri: 'https://evil.example/cb', scope: 'accounts', state: 'e' })}`);
    expect(res.status).toBe(400);
    expect(res.location).toBeNull();
    expect(res.html).toContain('redirect_uri');
    expect(res.html).not.toMatch(/https?:\/\/(?!app\.example|evil\.example)[^"'\s]+\.(css|js)/);
  });

  it('a wrong password and wrong codes are refused; codes are single-use and limited', async () => {
    const browser = new Browser(base);
    const login = await browser.follow(authorizeUrl({ scope: 'accounts', state: 'w' }));
    const bad = await browser.submit(login.html, { customerNo: CUSTOMER, password: 'wrong' });
    expect(bad.status).toBe(401);
    expect(bad.html).toContain('role="alert"');
    const otp = await browser.submit(bad.html, { customerNo: CUSTOMER, password: SANDBOX_PASSWORD });
    const code = /data-testid="sandbox-otp">(\d{6})</.exec(otp.html)![1]!;
    const wrongCode = code === '000000' ? '111111' : '000000';
    const w1 = await browser.submit(otp.html, { code: wrongCode });
    expect(w1.status).toBe(401);
    expect(w1.html).not.toContain('sandbox-otp');
    const w2 = await browser.submit(w1.html, { code: wrongCode });
    const w3 = await browser.submit(w2.html, { code: wrongCode });
    expect(w3.status).toBe(401);
    // Attempts used up: even the right code no longer works.
    const late = await browser.submit(w3.html, { code });
    expect(late.status).toBe(401);
    // A new code (resend) works.
    const resent = await browser.submit(late.html, {}, 'resend');
    const newCode = /data-testid="sandbox-otp">(\d{6})</.exec(resent.html)![1]!;
    const consent = await browser.submit(resent.html, { code: newCode });
    expect(consent.html).toContain('name="decision"');
  });

  it('forms without the CSRF token, or from another browser, are refused', async () => {
    const browser = new Browser(base);
    const login = await browser.follow(authorizeUrl({ scope: 'accounts', state: 'c' }));
    const { action } = parseForm(login.html);
    const noToken = await browser.request(action, { method: 'POST', body: form({ customerNo: CUSTOMER, password: SANDBOX_PASSWORD }) });
    expect(noToken.status).toBe(400);
    const other = new Browser(base);
    const stranger = await other.submit(login.html, { customerNo: CUSTOMER, password: SANDBOX_PASSWORD });
    expect(stranger.status).toBe(400);
    expect(stranger.html).not.toContain('sandbox-otp');
  });

  it('a token issued by one instance verifies in a second instance on the same database', async () => {
    const issued = await postToken({ grant_type: 'client_credentials', scope: 'public' });
    const second: System = await openSystem(system.config, createLogger('silent'));
    try {
      const app2 = await buildServer(second);
      const info = await identityOf(second).tokens.verify(issued.body.access_token as string);
      expect(info).toMatchObject({ clientId: client.clientId, flow: 'client_credentials' });
      const introspected = await app2.inject({ method: 'POST', url: '/connect/introspect', headers: FORM, payload: form({ token: issued.body.access_token as string, client_id: client.clientId, client_secret: client.clientSecret }) });
      expect(introspected.json()).toMatchObject({ active: true });
      const revoked = await app2.inject({ method: 'POST', url: '/connect/revocation', headers: FORM, payload: form({ token: issued.body.access_token as string, client_id: client.clientId, client_secret: client.clientSecret }) });
      expect(revoked.statusCode).toBe(200);
      // The first instance may trust its cache for at most a second.
      await new Promise((r) => setTimeout(r, 1100));
      expect(await identityOf(system).tokens.verify(issued.body.access_token as string)).toBeNull();
      await app2.close();
    } finally {
      await second.close();
    }
  });

  it('an expired one-time code is refused', async () => {
    const browser = new Browser(base);
    const login = await browser.follow(authorizeUrl({ scope: 'accounts', state: 'x' }));
    const otp = await browser.submit(login.html, { customerNo: CUSTOMER, password: SANDBOX_PASSWORD });
    const code = /data-testid="sandbox-otp">(\d{6})</.exec(otp.html)![1]!;
    const uid = /\/connect\/interaction\/([\w-]+)$/.exec(login.url)![1]!;
    await system.platform.database.db.withTables<IdentityTables>().updateTable('identity_logins').set({ otp_expires_at: Date.now() - 1 }).where('uid', '=', uid).execute();
    const late = await browser.submit(otp.html, { code });
    expect(late.status).toBe(401);
    expect(late.html).toContain('role="alert"');
  });

  it('answers hostile input on the login pages with a 4xx page, never a 5xx', async () => {
    const browser = new Browser(base);
    expect((await browser.request('/connect/interaction/nope')).status).toBe(400);
    expect((await browser.request('/connect/interaction/%3Cscript%3E')).status).toBe(400);
    const login = await browser.follow(authorizeUrl({ scope: 'accounts', state: 'h' }));
    const { action, fields } = parseForm(login.html);
    const huge = await browser.request(action, { method: 'POST', body: form({ ...fields, customerNo: '1'.repeat(100_000), password: 'x' }) });
    expect(huge.status).toBeGreaterThanOrEqual(400);
    expect(huge.status).toBeLessThan(500);
    const long = await browser.request(action, { method: 'POST', body: form({ ...fields, customerNo: '1'.repeat(40), password: 'x' }) });
    expect(long.status).toBe(400);
    const injected = await browser.request(action, { method: 'POST', body: form({ ...fields, customerNo: '<script>alert(1)</script>', password: 'x' }) });
    expect(injected.status).toBe(401);
    expect(injected.html).not.toContain('<script>');
    const consentEarly = await browser.request(action.replace(/login$/, 'consent'), { method: 'POST', body: form({ csrf: fields.csrf!, decision: 'approve' }) });
    expect(consentEarly.status).toBe(400);
    const nonsense = await browser.request('/connect/authorize?response_type=token&client_id=x');
    expect(nonsense.status).toBe(400);
  });
});
