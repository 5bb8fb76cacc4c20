import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, openSystem, type System } from '../../src/app.js';
import { createLogger } from '../../src/platform/logger.js';
import { testConfig, testSystem } from '../helpers/platform.js';
import { FORM, form, registerApp } from './helpers.js';

describe('client authentication limits on /connect/token, /connect/introspect and /connect/revocation', () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let app: FastifyInstance;

  beforeAll(async () => {
    // Three calls per client id and per address, then one per 100 s: no refill during a test.
    // Addresses come from X-Forwarded-For, as behind a reverse proxy.
    system = await testSystem({ IMZALA_TOKEN_RATE: '0.01', IMZALA_TOKEN_BURST: '3', IMZALA_TRUST_PROXY: 'true' });
    app = await buildServer(system);
  });
  afterAll(async () => {
    await app.close();
    await system.cleanup();
  });

  const post = (url: string, address: string, fields: Record<string, string | undefined>) =>
    app.inject({ method: 'POST', url, headers: { ...FORM, 'x-forwarded-for': address }, payload: form(fields) });
  const tokenFor = (client: { clientId: string; clientSecret: string }, address: string, secret = client.clientSecret) =>
    post('/connect/token', address, { grant_type: 'client_credentials', scope: 'public', client_id: client.clientId, client_secret: secret });

  function expectLimited(res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }): void {
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
    const body = res.json() as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
    expect(body.error).toBe('slow_down');
    expect(typeof body.error_description).toBe('string');
  }

  it('a client id gets its burst, then 429 slow_down with Retry-After, whatever address it calls from', async () => {
    const client = await registerApp(system, { scopes: 'public' });
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect((await tokenFor(client, address)).statusCode).toBe(200);
    expectLimited(await tokenFor(client, '10.0.0.4'));
  });

  it('an address gets its burst, whichever client ids it authenticates', async () => {
    const clients = [await registerApp(system, { scopes: 'public' }), await registerApp(system, { scopes: 'public' }), await registerApp(system, { scopes: 'public' })];
    for (const client of clients) expect((await tokenFor(client, '10.1.0.1')).statusCode).toBe(200);
    expectLimited(await tokenFor(await registerApp(system, { scopes: 'public' }), '10.1.0.1'));
    expect((await tokenFor(clients[0]!, '10.1.0.2')).statusCode).toBe(200);
  });

  it('a wrong secret costs more than a right one: after one failure the client and the address are both held back', async () => {
    const client = await registerApp(system, { scopes: 'public' });
    const failed = await tokenFor(client, '10.2.0.1', 'not-the-secret');
    expect(failed.statusCode).toBe(401);
    expect((failed.json() as { error: string }).error).toBe('invalid_client');
    expectLimited(await tokenFor(client, '10.2.0.2')); // the client, from a fresh address
    expectLimited(await tokenFor(await registerApp(system, { scopes: 'public' }), '10.2.0.1')); // the address, another client
  });

  it('introspection and revocation count against the same limits', async () => {
    const client = await registerApp(system, { scopes: 'public' });
    const accessToken = ((await tokenFor(client, '10.3.0.1')).json() as { access_token: string }).access_token;
    const auth = { client_id: client.clientId, client_secret: client.clientSecret, token: accessToken };
    expect((await post('/connect/introspect', '10.3.0.2', auth)).statusCode).toBe(200);
    expect((await post('/connect/revocation', '10.3.0.3', auth)).statusCode).toBe(200);
    expectLimited(await post('/connect/introspect', '10.3.0.4', auth));
    expectLimited(await post('/connect/revocation', '10.3.0.4', auth));
  });
});

describe('client authentication limits across processes sharing one Redis (IMZALA_REDIS_URL)', () => {
  const closers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('counts calls to either server against the same client id', async () => {
    const { config, cleanup } = await testConfig({
      IMZALA_TOKEN_RATE: '0.01',
      IMZALA_TOKEN_BURST: '3',
      IMZALA_REDIS_URL: process.env.IMZALA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      IMZALA_REDIS_PREFIX: `imzala-test:${randomBytes(6).toString('hex')}:`,
    });
    closers.push(cleanup);
    // Two systems on one database and one Redis: two imzala processes behind a load balancer.
    const systems: System[] = [];
    const servers: FastifyInstance[] = [];
    for (let i = 0; i < 2; i++) {
      const system = await openSystem(config, createLogger('silent'));
      const app = await buildServer(system);
      closers.push(async () => {
        await app.close();
        await system.close();
      });
      systems.push(system);
      servers.push(app);
    }
    const client = await registerApp(systems[0]!, { scopes: 'public' });
    const token = (app: FastifyInstance) =>
      app.inject({
        method: 'POST',
        url: '/connect/token',
        headers: FORM,
        payload: form({ grant_type: 'client_credentials', scope: 'public', client_id: client.clientId, client_secret: client.clientSecret }),
      });
    // Three calls in all, whichever server takes them; with limits in memory each server would allow three.
    expect((await token(servers[0]!)).statusCode).toBe(200);
    expect((await token(servers[1]!)).statusCode).toBe(200);
    expect((await token(servers[0]!)).statusCode).toBe(200);
    expect((await token(servers[1]!)).statusCode).toBe(429);
    expect((await token(servers[0]!)).statusCode).toBe(429);
  });
});
