import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { SANDBOX_PASSWORD } from '../../src/banking/seed.js';
import { AuthenticationError, KuveytTurk, MemoryTokenStore } from '../../src/sdk/index.js';
import { testDialect } from '../helpers/platform.js';
import { Browser, registerApp } from '../identity/helpers.js';
import { liveServer, type LiveServer } from './helpers/live.js';

const REDIRECT = 'https://app.example.test/callback';

// The authorization-code helpers against the live identity server (login, SMS code, consent driven over HTTP).
describe(`authorization code with the SDK against a live imzala server (${testDialect})`, () => {
  let live: LiveServer;
  let kt: KuveytTurk;
  let store: MemoryTokenStore;
  beforeAll(async () => {
    live = await liveServer();
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = await registerApp(live.system, {
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      scopes: 'public accounts offline_access',
      redirectUris: [REDIRECT],
    });
    store = new MemoryTokenStore();
    kt = new KuveytTurk({ ...app, privateKey, baseUrls: live.url, tokenStore: store });
  });
  afterAll(async () => {
    await live.stop();
  });

  async function consent(url: string, decision: 'approve' | 'refuse'): Promise<string> {
    const browser = new Browser(live.url);
    const login = await browser.follow(url);
    const otp = await browser.submit(login.html, { customerNo: '500101', password: SANDBOX_PASSWORD });
    const code = /data-testid="sandbox-otp">(\d{6})</.exec(otp.html)![1]!;
    const page = await browser.submit(otp.html, { code });
    const done = await browser.submit(page.html, { decision });
    return done.location!;
  }

  it('PKCE + state → code exchange → the customer\'s /v2 accounts → refresh with rotation → revoke', async () => {
    const start = kt.oauth.authorizationUrl({ redirectUri: REDIRECT, scopes: ['accounts', 'offline_access'] });
    const callback = await consent(start.url, 'approve');
    const tokens = await kt.oauth.handleCallback(callback, { state: start.state, codeVerifier: start.codeVerifier, redirectUri: REDIRECT, storeAs: 'customer-500101' });
    expect(tokens.refreshToken).toBeTruthy();

    const session = kt.customer('customer-500101');
    const accounts = await session.accounts.list();
    expect(accounts.length).toBeGreaterThan(0);
    expect(accounts[0]!.fxCode).toBeTruthy(); // a /v2 field
    expect((await session.accounts.transactions(accounts[0]!.suffix, { itemCount: 2 })).length).toBeGreaterThan(0);

    const rotated = await kt.oauth.refresh('customer-500101');
    expect(rotated.refreshToken).toBeTruthy();
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect((await store.get('customer-500101'))!.refreshToken).toBe(rotated.refreshToken);
    // The old refresh token is spent.
    await store.set('old', { ...tokens });
    await expect(kt.oauth.refresh('old')).rejects.toMatchObject({ constructor: AuthenticationError, oauthError: 'invalid_grant' });

    await kt.oauth.revokeStored('customer-500101');
    await store.set('customer-500101', rotated);
    await expect(session.accounts.list()).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('a refusal comes back as AuthenticationError access_denied', async () => {
    const start = kt.oauth.authorizationUrl({ redirectUri: REDIRECT, scopes: ['accounts'] });
    const callback = await consent(start.url, 'refuse');
    await expect(kt.oauth.handleCallback(callback, { state: start.state, codeVerifier: start.codeVerifier, redirectUri: REDIRECT })).rejects.toMatchObject({ oauthError: 'access_denied' });
  });
});
