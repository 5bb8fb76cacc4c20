import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EsignPart } from '../../src/esign/part.js';
import { AbortError, ApiResultError, AuthenticationError, NetworkError, Onaylarim, type UploadProgress } from '../../src/sdk/index.js';
import { msspServicesOf, type MsspServices } from '../../src/mssp/part.js';
import { testDialect } from '../helpers/platform.js';
import { INVOICE, xmlsec1Accepts } from '../mobile/harness.js';
import { waitForPending } from '../mssp/harness.js';
import { runCli } from '../cli/helpers/run.js';
import { DroppingProxy } from './helpers/dropping-proxy.js';
import { liveServer, type LiveServer } from './helpers/live.js';

// Against the live server: uploads, status and downloads, and mobile signing with the operator simulators
// reached over HTTP (liveServer's public URL is its own address).
describe(`Onaylarim SDK against a live imzala server (${testDialect})`, () => {
  let live: LiveServer;
  let apiKey: string;
  let proxy: DroppingProxy;
  let mssp: MsspServices;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-sdk-live-esign-'));
  beforeAll(async () => {
    live = await liveServer();
    const esign = live.system.parts.find((p) => p.name === 'esign') as EsignPart;
    apiKey = (await esign.services.tenants.create('sdk tests')).apiKey;
    proxy = await new DroppingProxy(new URL(live.url)).start();
    mssp = msspServicesOf(live.system.parts);
  });
  afterAll(async () => {
    await proxy.stop();
    await live.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const client = (baseUrl = live.url) => new Onaylarim({ apiKey, baseUrl, chunkSize: 64 * 1024, transport: { backoffBaseMs: 5, backoffMaxMs: 20 } });

  it('whole upload (Turkish file name) → status → download of the same bytes', async () => {
    const file = path.join(dir, 'sözleşme ğüşiöç.pdf');
    const data = randomBytes(50_000);
    fs.writeFileSync(file, data);
    const progress: UploadProgress[] = [];
    const up = await client().files.upload(file, { onProgress: (p) => progress.push(p) });
    expect(up.chunked).toBe(false);
    expect(progress.at(-1)).toMatchObject({ sentBytes: 50_000, totalBytes: 50_000 });
    const status = await client().operations.status(up.operationId);
    expect(status).toMatchObject({ operationId: up.operationId, state: 'uploaded', kind: 'upload', fileName: 'sözleşme ğüşiöç.pdf', size: 50_000 });
    expect(status.sha256?.toLowerCase()).toBe(createHash('sha256').update(data).digest('hex'));
    const dl = await client().files.download(up.operationId);
    expect(dl.data.equals(data)).toBe(true);
    expect(dl.fileName).toBe('sözleşme ğüşiöç.pdf');
  });

  it('chunked upload through a proxy that cuts the connection on a chunk: resumes and the server holds the exact bytes', async () => {
    const file = path.join(dir, 'large.bin');
    const data = randomBytes(300_000); // 5 chunks of 64 KiB
    fs.writeFileSync(file, data);
    proxy.drop = { match: /chunkindex: 2\r\n/i, times: 4 };
    const progress: UploadProgress[] = [];
    const up = await client(proxy.url).files.upload(file, { onProgress: (p) => progress.push(p) });
    expect(up.chunked).toBe(true);
    expect(proxy.dropped).toBeGreaterThanOrEqual(4);
    expect(progress.at(-1)).toMatchObject({ sentBytes: 300_000, totalBytes: 300_000, totalChunks: 5 });
    expect((await client().files.download(up.operationId)).data.equals(data)).toBe(true);
    expect((await client().operations.status(up.operationId)).fileName).toBe('large.bin');
  });

  it('a failed chunked upload names its session; another client resumes it with only the missing chunks', async () => {
    const file = path.join(dir, 'resume.bin');
    const data = randomBytes(200_000); // 4 chunks
    fs.writeFileSync(file, data);
    proxy.dropped = 0;
    proxy.drop = { match: /chunkindex: 1\r\n/i, times: 1000 };
    const err = await client(proxy.url).files.upload(file, { maxResumes: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    const session = /upload session ([0-9a-f-]{36})/.exec((err as Error).message)![1]!;
    proxy.drop = { match: /$^/, times: 0 };
    const before = await client().files.uploadStatus(session);
    expect(before.receivedChunkIndices).toEqual([0]);
    const up = await client().files.upload(file, { resumeSessionId: session });
    expect((await client().files.download(up.operationId)).data.equals(data)).toBe(true);
  });

  it('error classes: a wrong key is AuthenticationError; an unknown operation an ApiResultError with the requestId; abort chunks', async () => {
    await expect(new Onaylarim({ apiKey: 'wrong', baseUrl: live.url }).operations.status('11111111-1111-1111-1111-111111111111')).rejects.toMatchObject({
      constructor: AuthenticationError,
      status: 401,
    });
    const err = await client().files.download('11111111-1111-1111-1111-111111111111').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiResultError);
    expect((err as ApiResultError).status).toBe(404);
    expect((err as ApiResultError).referenceId).toHaveLength(21);
    const session = await client().files.initChunks({ totalSize: 10, chunkSize: 5, totalChunks: 2 });
    await client().files.uploadChunk(session.uploadSessionId, 0, Buffer.from('12345'));
    expect((await client().files.abortChunks(session.uploadSessionId)).aborted).toBe(true);
  });

  it('the CLI: esign upload --json, status --json, download --original, against the live server', async () => {
    const file = path.join(dir, 'cli.txt');
    fs.writeFileSync(file, 'imzalanacak belge — ğüşiöç');
    const env = { IMZALA_BASE_URL: live.url, IMZALA_API_KEY: apiKey };
    const up = await runCli(['esign', 'upload', file, '--json'], env);
    expect(up.code).toBe(0);
    const { operationId } = JSON.parse(up.stdout) as { operationId: string };
    const status = await runCli(['esign', 'status', operationId, '--json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ operationId, serverState: 'uploaded' });
    const out = path.join(dir, 'back.txt');
    expect((await runCli(['esign', 'download', operationId, '--original', '-o', out], env)).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe('imzalanacak belge — ğüşiöç');
    // Not signed yet: --signed refuses rather than handing back the original.
    const signed = await runCli(['esign', 'download', operationId, '--signed', '-o', out], env);
    expect(signed.code).toBe(1);
    expect(signed.stderr).toMatch(/not been signed/);
  });

  describe('mobile signing', () => {
    const MANUAL = { phoneNumber: '5301234567', operator: 'TURKCELL', citizenshipNo: '12345678950' } as const;

    it('signMobile: the status says waiting, the fingerprint seen is the phone\'s, approve → the signed document passes xmlsec1', async () => {
      const upload = (await client().files.upload(INVOICE, { fileName: 'fatura.xml' })).operationId;
      const seen: string[] = [];
      const signing = client().signMobile({ operationId: upload, ...MANUAL, userPrompt: 'Faturayı imzalıyor musunuz?', onFingerprint: (fp) => seen.push(fp) });
      const tx = await waitForPending(mssp, MANUAL.phoneNumber);
      expect(tx.display).toBe('Faturayı imzalıyor musunuz?');
      const during = await client().operations.status(upload);
      expect(during).toMatchObject({ state: 'uploaded', signingState: 'waiting', signedOperationId: null });
      expect((await client().operations.status(during.signingOperationId!)).state).toBe('waiting');
      await mssp.phone.approve(MANUAL.phoneNumber, { pin: '123456' });
      const signed = await signing;
      expect(signed.signedFrom).toBe(upload);
      expect(signed.operationId).toBe(during.signingOperationId);
      expect(signed.fingerPrint).toBe(tx.fingerprint);
      expect(seen).toEqual([tx.fingerprint]);
      expect(await client().fingerprint.get(signed.operationId)).toBe(tx.fingerprint);
      expect(await client().operations.status(upload)).toMatchObject({ state: 'uploaded', signingState: 'signed', signedOperationId: signed.operationId });
      expect(await client().operations.status(signed.operationId)).toMatchObject({ state: 'signed', kind: 'signed', parentOperationId: upload });

      const file = path.join(dir, 'signed.xml');
      const downloaded = await client().files.downloadTo(signed.operationId, file);
      expect(downloaded.fileName).toBe('fatura.xml');
      expect(await xmlsec1Accepts(live.system, fs.readFileSync(file))).toBe(1);
      expect(await client().xades.signatureList(signed.operationId)).toEqual([
        expect.objectContaining({ entityLabel: 'S0', level: 'aslBES', citizenshipNo: MANUAL.citizenshipNo, timestamped: false }),
      ]);
      expect(await client().xades.signatureList(upload)).toEqual([]);
    });

    it('a refusal rejects with ApiResultError 422 and the message; the upload\'s latest signing says refused', async () => {
      await mssp.subscribers.setPolicy('5421234567', { mode: 'reject', afterSeconds: 0 });
      const upload = (await client().files.upload(INVOICE, { fileName: 'fatura.xml' })).operationId;
      const err = await client().signMobile({ operationId: upload, phoneNumber: '5421234567', operator: 'VODAFONE' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiResultError);
      expect(err).toMatchObject({ status: 422, message: 'Kullanıcı imzayı reddetti.' });
      const status = await client().operations.status(upload);
      expect(status).toMatchObject({ state: 'uploaded', signingState: 'refused', signedOperationId: null });
      expect(await client().operations.status(status.signingOperationId!)).toMatchObject({ state: 'refused', detail: expect.any(String) });
      // An unknown subscriber fails before anything waits.
      const unknown = await client().xadesMobile.signStepOne({ operationId: upload, phoneNumber: '5559999999', operator: 'AVEA' }).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ constructor: ApiResultError, status: 404 });
    });

    it('fingerprint: 404 for an unknown operation at once, 409 before any signing; an aborted signMobile leaves the signing to finish on the server', async () => {
      const unknown = await client().fingerprint.waitFor(randomUUID(), { timeoutMs: 60_000 }).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ constructor: ApiResultError, status: 404 });
      const upload = (await client().files.upload(INVOICE, { fileName: 'fatura.xml' })).operationId;
      expect(await client().fingerprint.get(upload).catch((e: unknown) => e)).toMatchObject({ constructor: ApiResultError, status: 409 });

      const controller = new AbortController();
      const signing = client().signMobile({ operationId: upload, ...MANUAL, signal: controller.signal }).catch((e: unknown) => e);
      const tx = await waitForPending(mssp, MANUAL.phoneNumber);
      controller.abort();
      expect(await signing).toBeInstanceOf(AbortError);
      expect((await client().operations.status(upload)).signingState).toBe('waiting');
      await mssp.phone.approve(MANUAL.phoneNumber, { pin: '123456' });
      const fresh = client();
      await expect.poll(async () => (await fresh.operations.status(upload)).signingState, { timeout: 20_000 }).toBe('signed');
      const signedId = await fresh.latest(upload);
      expect(signedId).not.toBe(upload);
      expect(await fresh.fingerprint.get(signedId)).toBe(tx.fingerprint);
    });

    it('signs through the chain: SERIAL on the signed id; latest()/original() follow it from a fresh client; both signatures pass xmlsec1', async () => {
      const upload = (await client().files.upload(INVOICE, { fileName: 'zincir.xml' })).operationId;
      // 5309999999 approves by itself.
      const first = await client().signMobile({ operationId: upload, phoneNumber: '5309999999', operator: 'TURKCELL' });
      expect(first.fingerPrint).toBe((await mssp.transactions.recent('5309999999', 1))[0]?.fingerprint);
      const seen: string[] = [];
      const second = client().signMobile({
        operationId: first.operationId,
        ...MANUAL,
        serialOrParallel: 'SERIAL',
        signaturePath: 'S0',
        onFingerprint: (fp) => seen.push(fp),
      });
      const tx = await waitForPending(mssp, MANUAL.phoneNumber);
      await mssp.phone.approve(MANUAL.phoneNumber, { pin: '123456' });
      const counter = await second;
      expect(counter.fingerPrint).toBe(tx.fingerprint);
      expect(seen).toEqual([tx.fingerprint]);

      const fresh = client();
      expect(await fresh.latest(upload)).toBe(counter.operationId);
      expect(await fresh.latest(first.operationId)).toBe(counter.operationId);
      expect(await fresh.original(counter.operationId)).toBe(upload);
      expect((await fresh.xades.signatureList(counter.operationId)).map((s) => s.entityLabel)).toEqual(['S0', 'S0:S0']);
      const xml = (await fresh.files.download(await fresh.latest(upload))).data;
      expect(await xmlsec1Accepts(live.system, xml)).toBe(2);
    });
  });
});
