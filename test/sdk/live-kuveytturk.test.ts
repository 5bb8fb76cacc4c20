import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import { ibanFor } from '../../src/banking/iban.js';
import { readDemoApp, type DemoApp } from '../../src/identity/demo-app.js';
import {
  ApiError,
  AuthenticationError,
  BusinessError,
  KuveytTurk,
  NetworkError,
  RateLimitError,
  ScopeError,
  SignatureError,
} from '../../src/sdk/index.js';
import { testDialect } from '../helpers/platform.js';
import { liveServer, type LiveServer } from './helpers/live.js';
import { runCli } from '../cli/helpers/run.js';
import { DroppingProxy } from './helpers/dropping-proxy.js';

// Against the live server (identity + gateway + banking from the `banking` branch) over a real socket.
describe(`KuveytTurk SDK against a live imzala server (${testDialect})`, () => {
  let live: LiveServer;
  let demo: DemoApp;
  let kt: KuveytTurk;
  beforeAll(async () => {
    live = await liveServer({ IMZALA_GATEWAY_RATE: '1000', IMZALA_GATEWAY_BURST: '1000' });
    demo = readDemoApp(live.system.config.dataDir)!;
    kt = new KuveytTurk({ clientId: demo.clientId, clientSecret: demo.clientSecret, privateKey: fs.readFileSync(demo.files.privateKeyPkcs1), baseUrls: live.url });
  });
  afterAll(async () => {
    await live.stop();
  });

  it('every resource: test data, accounts (list, get, filters), transactions by window, fx, IBAN info', async () => {
    const customers = await kt.testData.customers();
    expect(customers.length).toBeGreaterThan(0);
    const accounts = await kt.accounts.list({ onlyOpen: true });
    expect(accounts[0]!.iban).toMatch(/^TR\d{24}$/);
    const one = await kt.accounts.get(accounts[0]!.suffix);
    expect(one.suffix).toBe(accounts[0]!.suffix);
    const recent = await kt.accounts.transactions(one.suffix, { itemCount: 3 });
    expect(recent.length).toBeGreaterThan(0);
    const windows: string[] = [];
    for await (const a of kt.accounts.iterateTransactions(one.suffix, { from: new Date(Date.now() - 90 * 86_400_000), windowDays: 30 })) windows.push(a.date);
    expect(windows.length).toBeGreaterThan(recent.length);
    expect([...windows].sort().reverse()).toEqual(windows); // newest first across windows
    const rates = await kt.fx.rates();
    expect(rates.map((r) => r.fxCode)).toContain('USD');
    const info = await kt.moneyTransfer.customerIbanInfo(ibanFor('500202', 1));
    expect(info.bankName).toMatch(/Kuveyt/);
  });

  it('a transfer with Turkish letters, and pretty-printed and encoded-query calls, pass the gateway signature check (PKCS#8 key)', async () => {
    const kt8 = new KuveytTurk({ clientId: demo.clientId, clientSecret: demo.clientSecret, privateKey: fs.readFileSync(demo.files.privateKeyPkcs8, 'utf8'), baseUrls: live.url });
    const [sender] = await kt8.accounts.list({ onlyOpen: true });
    const description = 'Kira ödemesi — Şubat, İğdır ÇÖĞÜŞ ı';
    const sent = await kt8.moneyTransfer.outgoing({ senderAccountSuffix: sender!.suffix, receiverIban: ibanFor('500202', 1), moneyTransferAmount: 12.5, moneyTransferDescription: description, corporateWebUserName: 'gokcul' });
    expect(sent.moneyTransferTransactionId).toBeTruthy();
    expect(sent.executionReferenceId).toBeTruthy();
    const [last] = await kt8.accounts.transactions(sender!.suffix, { itemCount: 1 });
    expect(last).toMatchObject({ amount: -12.5, description });

    const pretty = `{\n    "senderAccountSuffix": ${sender!.suffix},\n    "receiverIban": "${ibanFor('500202', 1)}",\n    "moneyTransferAmount": 1,\n    "moneyTransferDescription": "Güzel  biçimli gövde",\n    "corporateWebUserName": "gokcul"\n}\n`;
    const res = await kt8.request<{ moneyTransferTransactionId: number }>({ method: 'POST', path: '/v1/moneytransfer/outgoingmoneytransfer', body: pretty, scopes: ['transfers'] });
    expect(res.success).toBe(true);

    const encoded = await kt8.request<{ accountActivities: unknown[] }>({
      method: 'GET',
      path: `/v3/accounts/${sender!.suffix}/transactions`,
      query: { itemCount: 2, note: ['ş ğ/ü', 'a&b=c'], empty: '' },
      scopes: ['accounts'],
    });
    expect(encoded.value.accountActivities).toHaveLength(2);
    const raw = await kt8.request({ method: 'GET', path: '/v3/accounts', query: '?onlyOpen=true&x=%C3%A7&x=ç ı', scopes: ['accounts'] });
    expect(raw.success).toBe(true);
  });

  it('error classes from the live server: SignatureError with the hint, ScopeError, AuthenticationError (both kinds), BusinessError, ApiError 404', async () => {
    const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const wrongKey = new KuveytTurk({ clientId: demo.clientId, clientSecret: demo.clientSecret, privateKey: otherKey, baseUrls: live.url });
    const sig = await wrongKey.fx.rates().catch((e: unknown) => e);
    expect(sig).toBeInstanceOf(SignatureError);
    expect((sig as SignatureError).status).toBe(400);
    expect((sig as SignatureError).hint).toBeTruthy();
    expect((sig as SignatureError).referenceId).toBeTruthy();

    await expect(kt.request({ method: 'GET', path: '/v3/accounts', scopes: ['public'] })).rejects.toMatchObject({ constructor: ScopeError, status: 403 });
    await expect(kt.request({ method: 'GET', path: '/v2/accounts', scopes: ['accounts'] })).rejects.toMatchObject({ constructor: AuthenticationError, status: 401 });
    const badSecret = new KuveytTurk({ clientId: demo.clientId, clientSecret: 'wrong', privateKey: fs.readFileSync(demo.files.privateKeyPkcs1), baseUrls: live.url });
    await expect(badSecret.fx.rates()).rejects.toMatchObject({ constructor: AuthenticationError, oauthError: 'invalid_client' });

    const business = await kt.moneyTransfer
      .outgoing({ senderAccountSuffix: 1, receiverIban: 'TR000000000000000000000000', moneyTransferAmount: 1, moneyTransferDescription: 'x', corporateWebUserName: 'gokcul' })
      .catch((e: unknown) => e);
    expect(business).toBeInstanceOf(BusinessError);
    expect((business as BusinessError).results[0]!.errorCode).toBeTruthy();
    expect((business as BusinessError).referenceId).toBeTruthy();

    await expect(kt.request({ method: 'GET', path: '/v9/nothing/here' })).rejects.toMatchObject({ constructor: ApiError, status: 404 });
    // A refused request (400 in the envelope) is an ApiError whose message is the bank's.
    await expect(kt.accounts.transactions(1, { itemCount: 5000 })).rejects.toMatchObject({ constructor: ApiError, status: 400, message: expect.stringMatching(/itemCount/) });
  });
});

describe(`connection failures between the SDK and a live imzala server (${testDialect})`, () => {
  let live: LiveServer;
  let proxy: DroppingProxy;
  beforeAll(async () => {
    live = await liveServer({ IMZALA_GATEWAY_RATE: '1000', IMZALA_GATEWAY_BURST: '1000' });
    proxy = await new DroppingProxy(new URL(live.url)).start();
  });
  afterAll(async () => {
    await proxy.stop();
    await live.stop();
  });

  it('a GET cut off is repeated and answers; a transfer cut off is a NetworkError, sent once, and the balance says nothing moved', async () => {
    const demo = readDemoApp(live.system.config.dataDir)!;
    const viaProxy = new KuveytTurk({ clientId: demo.clientId, clientSecret: demo.clientSecret, privateKey: fs.readFileSync(demo.files.privateKeyPkcs1), baseUrls: proxy.url, transport: { backoffBaseMs: 5 } });
    proxy.drop = { match: /^GET \/v1\/fx\/rates/, times: 1 };
    expect((await viaProxy.fx.rates()).length).toBeGreaterThan(0);
    expect(proxy.dropped).toBe(1);

    const [sender] = await viaProxy.accounts.list({ onlyOpen: true });
    proxy.dropped = 0;
    proxy.drop = { match: /^POST \/v1\/moneytransfer\/outgoingmoneytransfer/, times: 10 };
    const err = await viaProxy.moneyTransfer
      .outgoing({ senderAccountSuffix: sender!.suffix, receiverIban: ibanFor('500202', 1), moneyTransferAmount: 5, moneyTransferDescription: 'kesilen bağlantı', corporateWebUserName: 'gokcul' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).sent).toBe(true);
    expect(proxy.dropped).toBe(1);
    expect((await viaProxy.accounts.get(sender!.suffix)).balance).toBe(sender!.balance);
  });
});

describe(`imzala kt against a live imzala server (${testDialect})`, () => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await liveServer({ IMZALA_GATEWAY_RATE: '1000', IMZALA_GATEWAY_BURST: '1000' });
  });
  afterAll(async () => {
    await live.stop();
  });

  it('token, accounts, transactions and transfer with IMZALA_KT_* from the environment', async () => {
    const demo = readDemoApp(live.system.config.dataDir)!;
    const env = { IMZALA_KT_CLIENT_ID: demo.clientId, IMZALA_KT_CLIENT_SECRET: demo.clientSecret, IMZALA_KT_PRIVATE_KEY: demo.files.privateKeyPkcs8, IMZALA_KT_BASE_URL: live.url };
    const token = await runCli(['kt', 'token', '--scope', 'accounts', 'transfers', '--json'], env);
    expect(JSON.parse(token.stdout).scopes.sort()).toEqual(['accounts', 'transfers']);
    const accounts = JSON.parse((await runCli(['kt', 'accounts', '--json'], env)).stdout) as Array<{ suffix: number }>;
    expect(accounts.length).toBeGreaterThan(0);
    const moved = await runCli(['kt', 'transfer', '--from-suffix', String(accounts[0]!.suffix), '--iban', ibanFor('500202', 1), '--amount', '3.75', '--description', 'CLI ödemesi', '--user', 'gokcul', '--json'], env);
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.stdout).moneyTransferTransactionId).toBeTruthy();
    const table = await runCli(['kt', 'transactions', String(accounts[0]!.suffix), '--limit', '3'], env);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^date\s+amount\s+balance/);
    expect(table.stdout).toContain('CLI ödemesi');
  });
});

describe(`rate limits against a live imzala server (${testDialect})`, () => {
  let live: LiveServer;
  beforeAll(async () => {
    live = await liveServer({ IMZALA_GATEWAY_RATE: '1', IMZALA_GATEWAY_BURST: '1' });
  });
  afterAll(async () => {
    await live.stop();
  });

  it('a 429 is waited out after Retry-After for a GET; with no patience left it is a RateLimitError with retryAfter', async () => {
    const demo = readDemoApp(live.system.config.dataDir)!;
    const statuses: number[] = [];
    const recordingFetch: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      statuses.push(res.status);
      return res;
    };
    const patient = new KuveytTurk({ clientId: demo.clientId, clientSecret: demo.clientSecret, privateKey: fs.readFileSync(demo.files.privateKeyPkcs1), baseUrls: live.url, transport: { fetch: recordingFetch } });
    await patient.fx.rates();
    await patient.fx.rates();
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(200);

    const impatient = new KuveytTurk({ clientId: demo.clientId, clientSecret: demo.clientSecret, privateKey: fs.readFileSync(demo.files.privateKeyPkcs1), baseUrls: live.url, transport: { maxRetries: 0 } });
    await impatient.fx.rates().catch(() => undefined);
    const err = await impatient.fx.rates().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBeGreaterThan(0);
  });
});
