import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/app.js';
import { ibanFor } from '../../src/banking/iban.js';
import type { IdentityPart } from '../../src/identity/part.js';
import { readDemoApp } from '../../src/identity/demo-app.js';
import { testDialect, testSystem } from '../helpers/platform.js';

/** Real openssl over the exact bytes; the private key is read from the file the identity part wrote. */
function opensslSign(keyFile: string, data: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-e2e-'));
  try {
    fs.writeFileSync(path.join(dir, 'data'), data, 'utf8');
    return execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile, path.join(dir, 'data')]).toString('base64');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe(`gateway end to end with tokens from /connect/token (${testDialect})`, () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let app: FastifyInstance;
  let base: string;
  let keyDir: string;
  beforeAll(async () => {
    system = await testSystem({ IMZALA_GATEWAY_RATE: '1000', IMZALA_GATEWAY_BURST: '1000' });
    app = await buildServer(system);
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-e2e-keys-'));
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(keyDir, { recursive: true, force: true });
    await system.cleanup();
  });

  const token = async (clientId: string, clientSecret: string, scope: string): Promise<string> => {
    const res = await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope, client_id: clientId, client_secret: clientSecret }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const get = (pathAndQuery: string, accessToken: string, keyFile: string) =>
    fetch(`${base}${pathAndQuery}`, {
      headers: { authorization: `Bearer ${accessToken}`, signature: opensslSign(keyFile, accessToken + (pathAndQuery.includes('?') ? pathAndQuery.slice(pathAndQuery.indexOf('?')) : '')) },
    });

  it('the demo application reads its company’s accounts and transfers money, signed by openssl with its key file', async () => {
    const demo = readDemoApp(system.config.dataDir)!;
    const accessToken = await token(demo.clientId, demo.clientSecret, 'public accounts transfers');
    const list = await get('/v3/accounts?onlyOpen=true', accessToken, demo.files.privateKeyPkcs1);
    expect(list.status).toBe(200);
    const accounts = ((await list.json()) as { value: { accountList: { iban: string }[] } }).value.accountList;
    expect(accounts[0]!.iban).toBe('TR320020500000040036800001');
    const one = await get('/v3/accounts/2', accessToken, demo.files.privateKeyPkcs8);
    expect(((await one.json()) as { value: { accountList: { fxId: number }[] } }).value.accountList[0]!.fxId).toBe(1);

    const body = JSON.stringify({ senderAccountSuffix: 1, receiverIban: ibanFor('500202', 1), moneyTransferAmount: 42.5, moneyTransferDescription: 'Uçtan uca ödeme', corporateWebUserName: 'gokcul' }, null, 1);
    const transfer = await fetch(`${base}/v1/moneytransfer/outgoingmoneytransfer`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', signature: opensslSign(demo.files.privateKeyPkcs1, accessToken + body) },
      body,
    });
    const result = (await transfer.json()) as { success: boolean; value: { moneyTransferTransactionId: number } };
    expect(result.success).toBe(true);
    const last = await get('/v3/accounts/1/transactions?itemCount=1', accessToken, demo.files.privateKeyPkcs1);
    expect(((await last.json()) as { value: { accountActivities: { amount: number; description: string }[] } }).value.accountActivities[0]).toMatchObject({ amount: -42.5, description: 'Uçtan uca ödeme' });
  });

  it('enforces scope, flow, revocation and tenant isolation with real tokens', async () => {
    const demo = readDemoApp(system.config.dataDir)!;
    const publicOnly = await token(demo.clientId, demo.clientSecret, 'public');
    const denied = await get('/v3/accounts', publicOnly, demo.files.privateKeyPkcs1);
    expect(denied.status).toBe(403);
    expect(await denied.text()).toBe('Invalid Scope');
    expect((await get('/v1/fx/rates', publicOnly, demo.files.privateKeyPkcs1)).status).toBe(200);
    const v2 = await get('/v2/accounts', publicOnly, demo.files.privateKeyPkcs1);
    expect(v2.status).toBe(401);
    expect(await v2.text()).toBe('Invalid grant type. Authorization Code is required.');

    const revocable = await token(demo.clientId, demo.clientSecret, 'accounts');
    expect((await get('/v3/accounts', revocable, demo.files.privateKeyPkcs1)).status).toBe(200);
    const revoke = await fetch(`${base}/connect/revocation`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: revocable, client_id: demo.clientId, client_secret: demo.clientSecret }),
    });
    expect(revoke.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100)); // the verifier's one-second cache
    const afterRevoke = await get('/v3/accounts', revocable, demo.files.privateKeyPkcs1);
    expect(afterRevoke.status).toBe(401);
    expect(await afterRevoke.text()).toBe('');

    // Another company's application: its own key, its own accounts only.
    const identity = system.parts.find((p) => p.name === 'identity') as IdentityPart;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const keyFile = path.join(keyDir, 'bogazici.pem');
    fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    const created = await identity.applications.create({ name: 'Boğaziçi muhasebe', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), scopes: 'public accounts', customerNo: '400512' });
    const theirs = await token(created.application.clientId, created.clientSecret, 'accounts');
    const own = (await (await get('/v3/accounts', theirs, keyFile)).json()) as { value: { accountList: { iban: string }[] } };
    expect(own.value.accountList).toHaveLength(5);
    expect(own.value.accountList.every((a) => a.iban.includes('00000400512'))).toBe(true);
    const eighth = (await (await get('/v3/accounts/8', theirs, keyFile)).json()) as { success: boolean };
    expect(eighth.success).toBe(false);
    // Signed with the demo application's key: the other company's key never authenticates this client.
    const crossSigned = await get('/v3/accounts', theirs, demo.files.privateKeyPkcs1);
    expect(crossSigned.status).toBe(400);
    expect(await crossSigned.text()).toBe('{"code":400,"message":"Client signature validation error"}');
  });
});
