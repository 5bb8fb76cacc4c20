import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EsignPart } from '../../src/esign/part.js';
import { ApiResultError, AuthenticationError, NetworkError, Onaylarim, type UploadProgress } from '../../src/sdk/index.js';
import { testDialect } from '../helpers/platform.js';
import { runCli } from '../cli/helpers/run.js';
import { DroppingProxy } from './helpers/dropping-proxy.js';
import { liveServer, type LiveServer } from './helpers/live.js';

// Against the live e-signature core (uploads, status, download from the `esign-core` branch). Mobile signing
// and fingerprints are not served there yet: those run against the recording server (onaylarim-wire.test.ts).
describe(`Onaylarim SDK against a live imzala server (${testDialect})`, () => {
  let live: LiveServer;
  let apiKey: string;
  let proxy: DroppingProxy;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-sdk-live-esign-'));
  beforeAll(async () => {
    live = await liveServer();
    const esign = live.system.parts.find((p) => p.name === 'esign') as EsignPart;
    apiKey = (await esign.services.tenants.create('sdk tests')).apiKey;
    proxy = await new DroppingProxy(new URL(live.url)).start();
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
});
