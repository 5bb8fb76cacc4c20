import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/app.js';
import { createCustomerDirectory } from '../../src/banking/part.js';
import { verifyBytes } from '../../src/gateway/signature.js';
import { Applications, KEY_CACHE_MS } from '../../src/identity/applications.js';
import type { IdentityTables } from '../../src/identity/migrations.js';
import type { IdentityPart } from '../../src/identity/part.js';
import { DatabaseTokenVerifier, TOKEN_CACHE_MS } from '../../src/identity/token-verifier.js';
import { testDialect, testSystem } from '../helpers/platform.js';

function keyPair(): { privateKey: KeyObject; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The gateway's token and key caches: what this process changes applies at once, other processes' changes within a bound. */
describe(`gateway caches stay correct (${testDialect})`, () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let app: FastifyInstance;
  let base: string;
  let identity: IdentityPart;
  beforeAll(async () => {
    system = await testSystem({ IMZALA_GATEWAY_RATE: '1000', IMZALA_GATEWAY_BURST: '1000' });
    app = await buildServer(system);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    identity = system.parts.find((p) => p.name === 'identity') as IdentityPart;
  });
  afterAll(async () => {
    await app.close();
    await system.cleanup();
  });

  const application = async (publicPem: string) => {
    const created = await identity.applications.create({ name: 'cache bounds', publicKey: publicPem, scopes: 'accounts' });
    return { clientId: created.application.clientId, clientSecret: created.clientSecret };
  };
  const token = async (clientId: string, clientSecret: string): Promise<string> => {
    const res = await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'accounts', client_id: clientId, client_secret: clientSecret }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const signature = (accessToken: string, key: KeyObject): string => sign('sha256', Buffer.from(accessToken, 'utf8'), key).toString('base64');
  const accounts = (accessToken: string, signatureHeader: string) =>
    fetch(`${base}/v3/accounts/1`, { headers: { authorization: `Bearer ${accessToken}`, signature: signatureHeader } });

  it('a token revoked through this server is refused on the very next call', async () => {
    const { privateKey, publicPem } = keyPair();
    const { clientId, clientSecret } = await application(publicPem);
    const accessToken = await token(clientId, clientSecret);
    const signed = signature(accessToken, privateKey);
    expect((await accounts(accessToken, signed)).status).toBe(200);
    const revoke = await fetch(`${base}/connect/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: accessToken, client_id: clientId, client_secret: clientSecret }),
    });
    expect(revoke.status).toBe(200);
    expect((await accounts(accessToken, signed)).status).toBe(401);
  });

  it('a key rotated through this server refuses the old key’s signature on the very next call', async () => {
    const old = keyPair();
    const next = keyPair();
    const { clientId, clientSecret } = await application(old.publicPem);
    const accessToken = await token(clientId, clientSecret);
    expect((await accounts(accessToken, signature(accessToken, old.privateKey))).status).toBe(200);
    await identity.applications.rotateKey(clientId, next.publicPem);
    const refused = await accounts(accessToken, signature(accessToken, old.privateKey));
    expect(refused.status).toBe(400);
    expect(refused.headers.get('signature-hint')).toMatch(/^other-key:/);
    expect((await accounts(accessToken, signature(accessToken, next.privateKey))).status).toBe(200);
  });

  it(`a token revoked by another process stops verifying within ${TOKEN_CACHE_MS} ms`, async () => {
    const { publicPem } = keyPair();
    const { clientId, clientSecret } = await application(publicPem);
    const accessToken = await token(clientId, clientSecret);
    const db = system.platform.database.db.withTables<IdentityTables>();
    let now = Date.now();
    const verifier = new DatabaseTokenVerifier(db, () => now);
    expect(await verifier.verify(accessToken)).toMatchObject({ clientId, flow: 'client_credentials' });
    // What revocation in another process does to the shared store; this process hears nothing of it.
    await db.deleteFrom('identity_oidc').where('id', '=', accessToken).execute();
    now += TOKEN_CACHE_MS - 1;
    expect(await verifier.verify(accessToken)).not.toBeNull(); // the documented staleness, no more
    now += 1;
    expect(await verifier.verify(accessToken)).toBeNull();
  });

  it(`a key rotated by another process replaces the cached one within ${KEY_CACHE_MS} ms`, async () => {
    const old = keyPair();
    const next = keyPair();
    const db = system.platform.database.db.withTables<IdentityTables>();
    const customers = createCustomerDirectory(system.platform);
    let now = Date.now();
    const serving = new Applications(db, customers, () => now);
    const cli = new Applications(db, customers);
    const { clientId } = await application(old.publicPem);
    const data = Buffer.from('token?query', 'utf8');
    const oldSignature = sign('sha256', data, old.privateKey);
    expect(verifyBytes((await serving.keysOf(clientId))!.current, data, oldSignature)).toBe(true);
    await cli.rotateKey(clientId, next.publicPem);
    now += KEY_CACHE_MS - 1;
    expect(verifyBytes((await serving.keysOf(clientId))!.current, data, oldSignature)).toBe(true); // the documented staleness
    now += 1;
    const keys = (await serving.keysOf(clientId))!;
    expect(verifyBytes(keys.current, data, oldSignature)).toBe(false);
    expect(verifyBytes(keys.current, data, sign('sha256', data, next.privateKey))).toBe(true);
  });
});
