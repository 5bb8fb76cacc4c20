import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/app.js';
import { createServer } from '../../src/platform/server.js';
import { oidcAdapter } from '../../src/identity/oidc-adapter.js';
import type { IdentityTables } from '../../src/identity/migrations.js';
import { testSystem } from '../helpers/platform.js';
import { FORM, basic, form, identityOf, registerApp } from './helpers.js';

describe('POST /connect/token', () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let app: FastifyInstance;
  let client: { clientId: string; clientSecret: string };
  let withRedirect: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    system = await testSystem();
    app = await buildServer(system);
    client = await registerApp(system, { scopes: 'public accounts transfers' });
    withRedirect = await registerApp(system, { scopes: 'public accounts offline_access', redirectUris: ['https://app.example.test/cb'] });
  });
  afterAll(async () => {
    await app.close();
    await system.cleanup();
  });

  const token = (fields: Record<string, string | undefined>, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/connect/token', headers: { ...FORM, ...headers }, payload: form(fields) });

  function expectError(res: { statusCode: number; json(): unknown }, status: number, error: string): void {
    expect(res.statusCode).toBe(status);
    const body = res.json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
  }

  it('issues a client-credentials token with form authentication, exactly in the API Market shape', async () => {
    const res = await token({ grant_type: 'client_credentials', scope: 'public accounts', client_id: client.clientId, client_secret: client.clientSecret });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['access_token', 'expires_in', 'token_type', 'scope']);
    expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: 'public accounts' });
    const info = await identityOf(system).tokens.verify(body.access_token as string);
    const owner = (await identityOf(system).applications.find(client.clientId))?.customerNo;
    expect(info).toEqual({ clientId: client.clientId, scopes: ['public', 'accounts'], flow: 'client_credentials', customerNo: owner, expiresAt: expect.any(Number) });
    expect(info!.expiresAt - Date.now() / 1000).toBeGreaterThan(3590);
    expect(res.headers['cache-control']).toMatch(/no-store/);
  });

  it('accepts HTTP Basic authentication, and a case-insensitive path', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/Connect/Token',
      headers: { ...FORM, authorization: basic(client.clientId, client.clientSecret) },
      payload: form({ grant_type: 'client_credentials', scope: 'transfers' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ scope: 'transfers', token_type: 'Bearer' });
  });

  it('grants every registered scope when none is asked for', async () => {
    const res = await token({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ scope: 'public accounts transfers' });
  });

  it('refuses a wrong secret, an unknown client and a malformed client id with invalid_client', async () => {
    expectError(await token({ grant_type: 'client_credentials', scope: 'public', client_id: client.clientId, client_secret: 'wrong' }), 401, 'invalid_client');
    expectError(await token({ grant_type: 'client_credentials', scope: 'public', client_id: randomUUID(), client_secret: client.clientSecret }), 401, 'invalid_client');
    expectError(await token({ grant_type: 'client_credentials', scope: 'public', client_id: "x' OR 1=1 --", client_secret: 'x' }), 401, 'invalid_client');
    expectError(await token({ grant_type: 'client_credentials', scope: 'public' }, { authorization: basic(client.clientId, 'nope') }), 401, 'invalid_client');
  });

  it('refuses unknown scopes, scopes the application is not registered for, and offline_access, never dropping them', async () => {
    const auth = { client_id: client.clientId, client_secret: client.clientSecret };
    const unknown = await token({ grant_type: 'client_credentials', scope: 'public bogus', ...auth });
    expectError(unknown, 400, 'invalid_scope');
    expect((unknown.json() as { error_description: string }).error_description).toContain('bogus');
    const notRegistered = await token({ grant_type: 'client_credentials', scope: 'public loans', ...auth });
    expectError(notRegistered, 400, 'invalid_scope');
    expect((notRegistered.json() as { error_description: string }).error_description).toContain('loans');
    expectError(await token({ grant_type: 'client_credentials', scope: 'offline_access', ...auth }), 400, 'invalid_scope');
  });

  it('answers unsupported and missing grant types, and missing fields, per RFC 6749', async () => {
    const auth = { client_id: client.clientId, client_secret: client.clientSecret };
    expectError(await token({ grant_type: 'password', username: 'a', password: 'b', ...auth }), 400, 'unsupported_grant_type');
    expectError(await token({ ...auth }), 400, 'invalid_request');
    expectError(await token({ grant_type: 'client_credentials', scope: 'public' }), 400, 'invalid_request');
    expectError(await token({ grant_type: 'authorization_code', redirect_uri: 'https://app.example.test/cb', client_id: withRedirect.clientId, client_secret: withRedirect.clientSecret }), 400, 'invalid_request');
    expectError(await token({ grant_type: 'refresh_token', client_id: withRedirect.clientId, client_secret: withRedirect.clientSecret }), 400, 'invalid_request');
  });

  it('refuses unknown codes and refresh tokens with invalid_grant, and the code grant to a client without redirect URIs', async () => {
    const auth = { client_id: withRedirect.clientId, client_secret: withRedirect.clientSecret };
    expectError(await token({ grant_type: 'authorization_code', code: 'nope', redirect_uri: 'https://app.example.test/cb', ...auth }), 400, 'invalid_grant');
    expectError(await token({ grant_type: 'refresh_token', refresh_token: 'nope', ...auth }), 400, 'invalid_grant');
    const res = await token({ grant_type: 'authorization_code', code: 'nope', redirect_uri: 'https://x.test/', client_id: client.clientId, client_secret: client.clientSecret });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'requested grant type is not allowed for this client' });
  });

  it('answers bad Basic headers, two authentication methods, JSON and oversized bodies with a 4xx', async () => {
    const fields = { grant_type: 'client_credentials', scope: 'public' };
    expectError(await token(fields, { authorization: 'Basic !!!notbase64' }), 400, 'invalid_request');
    expectError(await token(fields, { authorization: 'Bearer abc' }), 400, 'invalid_request');
    expectError(await token(fields, { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }), 400, 'invalid_request');
    expectError(await token({ ...fields, client_secret: client.clientSecret }, { authorization: basic(client.clientId, client.clientSecret) }), 400, 'invalid_request');
    const json = await app.inject({ method: 'POST', url: '/connect/token', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(fields) });
    expectError(json, 400, 'invalid_request');
    const big = await app.inject({ method: 'POST', url: '/connect/token', headers: FORM, payload: `grant_type=client_credentials&scope=${'a'.repeat(200_000)}` });
    expect(big.statusCode).toBeGreaterThanOrEqual(400);
    expect(big.statusCode).toBeLessThan(500);
  });

  it('stores the client secret only as a scrypt hash', async () => {
    const row = await system.platform.database.db
      .withTables<IdentityTables>()
      .selectFrom('identity_clients')
      .selectAll()
      .where('client_id', '=', client.clientId)
      .executeTakeFirstOrThrow();
    expect(row.secret_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(JSON.stringify(row)).not.toContain(client.clientSecret);
    expect(await identityOf(system).applications.authenticate(client.clientId, client.clientSecret)).not.toBeNull();
  });

  it('rotating the secret stops the old one at once', async () => {
    const app2 = await registerApp(system, { scopes: 'public' });
    const fresh = await identityOf(system).applications.rotateSecret(app2.clientId);
    expectError(await token({ grant_type: 'client_credentials', client_id: app2.clientId, client_secret: app2.clientSecret }), 401, 'invalid_client');
    expect((await token({ grant_type: 'client_credentials', client_id: app2.clientId, client_secret: fresh })).statusCode).toBe(200);
  });

  it('publishes discovery with the API Market endpoints', async () => {
    const res = await app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as Record<string, unknown>;
    expect(String(doc.token_endpoint)).toMatch(/\/connect\/token$/);
    expect(String(doc.authorization_endpoint)).toMatch(/\/connect\/authorize$/);
    expect(String(doc.revocation_endpoint)).toMatch(/\/connect\/revocation$/);
    expect(String(doc.introspection_endpoint)).toMatch(/\/connect\/introspect$/);
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', 'authorization_code', 'refresh_token']));
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['accounts', 'intrabank_money_transfers', 'offline_access']));
  });

  it('TokenVerifier: null for garbage, unknown and expired tokens', async () => {
    const tokens = identityOf(system).tokens;
    for (const bad of ['', 'x', 'a'.repeat(500), "' OR 1=1 --", 'Bearer abc', randomUUID()]) expect(await tokens.verify(bad)).toBeNull();
    const res = await token({ grant_type: 'client_credentials', scope: 'public', client_id: client.clientId, client_secret: client.clientSecret });
    const accessToken = (res.json() as { access_token: string }).access_token;
    await system.platform.database.db.withTables<IdentityTables>().updateTable('identity_oidc').set({ expires_at: Date.now() - 1 }).where('id', '=', accessToken).execute();
    expect(await tokens.verify(accessToken)).toBeNull();
  });

  it('documents its endpoints in the OpenAPI document', async () => {
    // The identity part alone, so the check is about this part's routes only.
    const own = await createServer(system.platform, [identityOf(system)]);
    await own.ready();
    const paths = (own.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(paths['/connect/token']?.post).toBeDefined();
    expect(paths['/connect/authorize']?.get).toBeDefined();
    expect(paths['/connect/revocation']?.post).toBeDefined();
    expect(paths['/connect/introspect']?.post).toBeDefined();
    expect(Object.keys(paths).some((p) => p.startsWith('/connect/interaction'))).toBe(false);
    await own.close();
  });

  it('a refresh token or code is consumed once even when two uses race; the loser revokes the grant', async () => {
    const db = system.platform.database.db.withTables<IdentityTables>();
    const forgotten: string[] = [];
    const Adapter = oidcAdapter(db, identityOf(system).applications, { forget: () => undefined, forgetGrant: (g) => forgotten.push(g) });
    const refreshTokens = new Adapter('RefreshToken');
    const accessTokens = new Adapter('AccessToken');
    await refreshTokens.upsert('rt-race-1', { grantId: 'g-race', clientId: client.clientId }, 3600);
    await accessTokens.upsert('at-race-1', { grantId: 'g-race', clientId: client.clientId, accountId: '500101' }, 3600);
    const results = await Promise.allSettled([refreshTokens.consume('rt-race-1'), refreshTokens.consume('rt-race-1')]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ error: 'invalid_grant' });
    expect(await accessTokens.find('at-race-1')).toBeUndefined();
    expect(forgotten).toEqual(['g-race']);
    expect(await refreshTokens.find('rt-race-1')).toBeUndefined();
  });

  it('answers unknown /connect paths in its own error shape', async () => {
    const res = await app.inject({ method: 'GET', url: '/connect/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'invalid_request', error_description: 'Path not found' });
  });
});
