import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig, testDialect } from '../helpers/platform.js';
import { runCli } from '../cli/helpers/run.js';
import { freePort, INVOICE, mobileHarness, type MobileHarness } from './harness.js';

const PHONE = '5421234567';
const VODAFONE = { operator: 'VODAFONE', phoneNumber: PHONE };

/**
 * The operation's status once its signing has left 'waiting'. Generous: under load a resumed signing waits for
 * the lapsed lease, a poll of the operator and the signature itself, each slower than on a quiet machine.
 */
async function settledStatus(read: () => Promise<Record<string, unknown> | null | undefined>, ms = 45_000): Promise<Record<string, unknown> | null | undefined> {
  const deadline = Date.now() + ms;
  let status = await read();
  while (status?.signingState === 'waiting' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    status = await read();
  }
  return status;
}

describe(`mobile signing survives clients and processes going away (${testDialect})`, () => {
  let h: MobileHarness;
  beforeAll(async () => {
    h = await mobileHarness({ IMZALA_ESIGN_MOBILE_LEASE_SECONDS: '1' });
  });
  afterAll(async () => h?.close());

  async function signedChildren(uploaded: string) {
    const children = await h.esign.services.operations.children((await h.esign.services.tenants.authenticate(h.apiKey))!.id, uploaded, 'signed');
    return children.filter((c) => c.hasContent);
  }

  it('a client that disconnects loses nothing; retrying its requestId answers with the same signed document', async () => {
    const uploaded = await h.upload(INVOICE);
    const requestId = h.requestId();
    const body = { ...VODAFONE, operationId: uploaded, userPrompt: 'Onaylıyor musunuz?', requestId };
    const gone = new AbortController();
    const first = fetch(`${h.url}/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore`, {
      method: 'POST',
      headers: { 'x-api-key': h.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: gone.signal,
    }).catch((err: unknown) => err);
    await h.pending(PHONE);
    gone.abort();
    expect(await first).toBeInstanceOf(Error);
    await h.approve(PHONE);
    const retry = await h.call<{ isSuccess: boolean; operationId: string }>('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', body);
    expect(retry.status).toBe(200);
    expect(retry.result?.isSuccess).toBe(true);
    const again = await h.call<{ operationId: string }>('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', { ...body, displayLanguage: 'en' });
    expect(again.result?.operationId).toBe(retry.result?.operationId);
    const conflicting = await h.call('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', { ...body, userPrompt: 'başka' });
    expect(conflicting.status).toBe(409);
    expect(await signedChildren(uploaded)).toHaveLength(1);
    expect((await h.mssp.phone.pending(PHONE)).pending).toHaveLength(0);
  });

  it('the driving process stops while the phone waits; once its lease lapses another one resumes: exactly one signature', { timeout: 120_000 }, async () => {
    const uploaded = await h.upload(INVOICE);
    const signing = h.sign({ ...VODAFONE, operationId: uploaded }).catch((err: unknown) => err);
    const tx = await h.pending(PHONE);
    await h.restartServer(); // closes the server: the running signing stops driving, its lease is left to lapse
    await signing;
    await h.approve(PHONE);
    const stop = h.esign.mobile!.start();
    try {
      const status = await settledStatus(async () => (await h.call<Record<string, unknown>>('/v2/CoreApiOperation/GetOperationStatusCore', { operationId: uploaded })).result);
      expect(status?.signingState).toBe('signed');
    } finally {
      await stop();
    }
    const signed = await signedChildren(uploaded);
    expect(signed).toHaveLength(1);
    expect(await h.xmlsec1(await h.download(signed[0]!.id))).toBe(1);
    expect((await h.mssp.transactions.get(tx.id))?.state).toBe('signed');
  });
});

/** `imzala serve` as a child process on its own data and port. */
function serve(dataDir: string, databaseUrl: string, port: number): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, '../../bin/imzala.js'), 'serve', '--port', String(port), '--data', dataDir], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: '/nonexistent',
      IMZALA_DATABASE_URL: databaseUrl,
      IMZALA_PUBLIC_URL: `http://127.0.0.1:${port}`,
      IMZALA_LOG_LEVEL: 'warn',
      IMZALA_ESIGN_MOBILE_POLL_MS: '200',
      IMZALA_ESIGN_MOBILE_LEASE_SECONDS: '2',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const ready = new Promise<void>((resolve, reject) => {
    const look = (c: Buffer): void => {
      out += c.toString();
      if (out.includes('listening on')) resolve();
    };
    child.stdout!.on('data', look);
    child.stderr!.on('data', look);
    child.on('exit', (code) => reject(new Error(`imzala serve exited with ${code}: ${out}`)));
  });
  return { child, ready };
}

describe(`kill -9 while a signing waits for the phone (${testDialect})`, () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-kill9-'));
  let env: Awaited<ReturnType<typeof testConfig>>;
  let server: ChildProcess | undefined;
  beforeAll(async () => {
    env = await testConfig();
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await env.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('restart and approve: exactly one valid signature', { timeout: 120_000 }, async () => {
    const { dataDir, databaseUrl } = env.config;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const cli = { IMZALA_DATABASE_URL: databaseUrl, IMZALA_LOG_LEVEL: 'warn' };
    const key = await runCli(['esign', 'keys', 'create', '--name', 'kill9', '--json', '--data', dataDir], cli);
    expect(key.code, key.stderr).toBe(0);
    const apiKey = (JSON.parse(key.stdout) as { apiKey: string }).apiKey;
    const post = async (url: string, body: unknown) =>
      (await fetch(`${base}${url}`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ result: Record<string, unknown> | null; error: string | null }>;

    let running = serve(dataDir, databaseUrl, port);
    server = running.child;
    await running.ready;
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(INVOICE)]), 'fatura.xml');
    const uploaded = ((await (await fetch(`${base}/v2/CoreApiFile/UploadFile`, { method: 'POST', headers: { 'x-api-key': apiKey }, body: form })).json()) as { result: { operationId: string } }).result.operationId;
    const first = post('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', { operationId: uploaded, operator: 'VODAFONE', phoneNumber: PHONE, userPrompt: 'kill -9', requestId: 'kill9kill9kill9kill9k' }).catch((err: unknown) => err);
    let pending: Array<{ transactionId: string }> = [];
    for (let i = 0; i < 100 && pending.length === 0; i++) {
      pending = ((await (await fetch(`${base}/phone/${PHONE}/pending`)).json()) as { pending: Array<{ transactionId: string }> }).pending;
      if (pending.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(pending).toHaveLength(1);

    server.kill('SIGKILL');
    await new Promise((r) => server!.once('exit', r));
    expect(await first).toBeInstanceOf(Error);

    running = serve(dataDir, databaseUrl, port);
    server = running.child;
    await running.ready;
    const approved = await fetch(`${base}/phone/${PHONE}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pin: '123456' }) });
    expect(approved.status).toBe(200);

    const status = await settledStatus(async () => (await post('/v2/CoreApiOperation/GetOperationStatusCore', { operationId: uploaded })).result);
    expect(status).toMatchObject({ signingState: 'signed' });
    // The client retries its request after the crash: it gets the one signed document.
    const retried = await post('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', { operationId: uploaded, operator: 'VODAFONE', phoneNumber: PHONE, userPrompt: 'kill -9', requestId: 'kill9kill9kill9kill9k' });
    expect(retried.result).toEqual({ isSuccess: true, operationId: status!.signedOperationId });
    const signed = Buffer.from(((await post('/v2/CoreApiFile/DownloadCore', { operationId: status!.signedOperationId })).result as { fileData: string }).fileData, 'base64');
    expect(signed.toString().match(/<ds:Signature /g)).toHaveLength(1);
    const verify = (await (await fetch(`${base}/xades/verify`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: new Uint8Array(signed) })).json()) as { valid: boolean; signatureCount: number };
    expect(verify).toMatchObject({ valid: true, signatureCount: 1 });
    server.kill('SIGTERM');
  });

  it('two servers on the same database and data: kill -9 the one driving, the other resumes', { timeout: 120_000 }, async () => {
    const { dataDir, databaseUrl } = env.config;
    const [portA, portB] = [await freePort(), await freePort()];
    const a = serve(dataDir, databaseUrl, portA);
    const b = serve(dataDir, databaseUrl, portB);
    server = a.child;
    await Promise.all([a.ready, b.ready]);
    try {
      const key = await runCli(['esign', 'keys', 'create', '--name', 'two', '--json', '--data', dataDir], { IMZALA_DATABASE_URL: databaseUrl, IMZALA_LOG_LEVEL: 'warn' });
      const apiKey = (JSON.parse(key.stdout) as { apiKey: string }).apiKey;
      const post = async (port: number, url: string, body: unknown) =>
        (await fetch(`http://127.0.0.1:${port}${url}`, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<{ result: Record<string, unknown> | null; error: string | null }>;
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(INVOICE)]), 'fatura.xml');
      const uploaded = ((await (await fetch(`http://127.0.0.1:${portB}/v2/CoreApiFile/UploadFile`, { method: 'POST', headers: { 'x-api-key': apiKey }, body: form })).json()) as { result: { operationId: string } }).result.operationId;
      // A drives the signing; the fingerprint is read through B.
      const first = post(portA, '/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', { operationId: uploaded, operator: 'VODAFONE', phoneNumber: PHONE, requestId: 'twoservers0000000000a' }).catch((err: unknown) => err);
      const fingerprint = await post(portB, '/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: uploaded });
      expect(fingerprint.result?.fingerPrint).toMatch(/^[0-9A-F]{64}$/);
      a.child.kill('SIGKILL');
      await new Promise((r) => a.child.once('exit', r));
      expect(await first).toBeInstanceOf(Error);
      const approved = await fetch(`http://127.0.0.1:${portB}/phone/${PHONE}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pin: '123456' }) });
      expect(approved.status).toBe(200);
      const status = await settledStatus(async () => (await post(portB, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: uploaded })).result);
      expect(status).toMatchObject({ signingState: 'signed' });
      const signed = Buffer.from(((await post(portB, '/v2/CoreApiFile/DownloadCore', { operationId: status!.signedOperationId })).result as { fileData: string }).fileData, 'base64');
      const verify = (await (await fetch(`http://127.0.0.1:${portB}/xades/verify`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: new Uint8Array(signed) })).json()) as { valid: boolean; signatureCount: number };
      expect(verify).toMatchObject({ valid: true, signatureCount: 1 });
    } finally {
      b.child.kill('SIGTERM');
    }
  });
});
