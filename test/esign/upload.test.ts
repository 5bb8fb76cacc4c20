import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esignHarness, expectApiError, sha256, type Harness } from './helpers.js';

describe('CoreApiFile uploads', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await esignHarness({ IMZALA_ESIGN_MAX_OPEN_UPLOADS: '3', IMZALA_ESIGN_MAX_DOCUMENT_BYTES: '300000', IMZALA_ESIGN_MAX_CHUNK_BYTES: '65536' });
    key = await h.newKey('uploader');
  });
  afterAll(async () => h.cleanup());

  async function init(totalSize: number, chunkSize: number, extra: Record<string, unknown> = {}) {
    const res = await h.post(key, '/v2/CoreApiFile/ChunkInit', {
      chunkSize,
      totalSize,
      totalChunks: Math.ceil(totalSize / chunkSize),
      requestId: h.requestId(),
      displayLanguage: 'en',
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json() as { result: { uploadSessionId: string; operationId: string; chunkSize: number; totalChunks: number } }).result;
  }

  async function complete(session: string, extra: Record<string, unknown> = {}) {
    return h.post(key, '/v2/CoreApiFile/ChunkComplete', { uploadSessionId: session, requestId: h.requestId(), displayLanguage: 'en', ...extra });
  }

  it('uploads a whole document (v2 multipart) and downloads the same bytes', async () => {
    const data = randomBytes(100_000);
    const res = await h.upload(key, data, 'sözleşme.xml');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { result: { isSuccess: boolean; operationId: string; sha256: string; size: number }; error: null };
    expect(body.error).toBeNull();
    expect(body.result.isSuccess).toBe(true);
    expect(body.result.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.result.sha256).toBe(sha256(data));
    const down = await h.download(key, body.result.operationId);
    expect(down.fileName).toBe('sözleşme.xml');
    expect(down.data.equals(data)).toBe(true);

    const status = await h.post(key, '/v2.0/CoreApiOperation/GetOperationStatusCore', { operationId: body.result.operationId });
    expect(status.json()).toMatchObject({
      result: { operationId: body.result.operationId, kind: 'upload', state: 'uploaded', size: 100_000, sha256: sha256(data), signedOperationId: null },
      error: null,
    });
  });

  it('v1 SignStepOneUploadFile keeps the client-chosen operationid; reusing it is refused', async () => {
    const data = randomBytes(5000);
    const opId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const res = await h.upload(key, data, 'a.pdf', '/CoreApiPades/SignStepOneUploadFile', { operationid: opId.toUpperCase() });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().result.operationId).toBe(opId);
    expect((await h.download(key, opId)).data.equals(data)).toBe(true);
    expectApiError(await h.upload(key, data, 'a.pdf', '/coreapipades/signsteponeuploadfile', { operationid: opId }), 409);
    expectApiError(await h.upload(key, data, 'a.pdf', '/CoreApiPades/SignStepOneUploadFile'), 400);
  });

  it('refuses a whole document over the size limit with 413 and keeps nothing', async () => {
    const before = await h.system.platform.blobs.list('esign');
    const res = await h.upload(key, randomBytes(300_001));
    expectApiError(res, 413);
    expect(await h.system.platform.blobs.list('esign')).toEqual(before);
  });

  it('assembles chunks sent out of order, with a retried chunk, and checks the whole-file SHA-256', async () => {
    const data = randomBytes(150_000);
    const s = await init(data.length, 65536, { fileName: 'big.bin', sha256: sha256(data).toUpperCase() });
    expect(s.totalChunks).toBe(3);
    const part = (i: number) => data.subarray(i * 65536, Math.min(data.length, (i + 1) * 65536));
    for (const i of [2, 0, 1, 0]) {
      const res = await h.chunk(key, s.uploadSessionId, i, part(i), { chunksha256: sha256(part(i)) });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ result: { accepted: true }, error: null });
    }
    const status = await h.post(key, '/V2/CoreApiFile/GetUploadStatus', { uploadSessionId: s.uploadSessionId });
    expect(status.json().result).toMatchObject({ totalChunks: 3, receivedChunkIndices: [0, 1, 2], state: 'open' });
    const done = await complete(s.uploadSessionId);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().result).toMatchObject({ isSuccess: true, operationId: s.operationId, sha256: sha256(data) });
    const down = await h.download(key, s.operationId);
    expect(down.fileName).toBe('big.bin');
    expect(sha256(down.data)).toBe(sha256(data));
    // The chunks became the document's parts; the first copy of the re-sent chunk 0 is gone.
    expect((await h.system.platform.blobs.list('esign')).filter((k) => k.includes(`/uploads/${s.uploadSessionId}/`)).length).toBe(3);
    // Ranges across chunk boundaries read the right bytes.
    const { stream } = await h.services.operations.openContent((await h.services.tenants.authenticate(key))!.id, s.operationId, { start: 65530, end: 131080 });
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(data.subarray(65530, 131081))).toBe(true);
    // A completed session can no longer expire: its chunks are the document now.
    expect(await h.services.uploads.sweepExpired(Date.now() + 100 * 24 * 3600 * 1000)).toBeGreaterThanOrEqual(0);
    expect((await h.download(key, s.operationId)).data.equals(data)).toBe(true);
  });

  it('refuses a chunk whose SHA-256 header does not match, and does not record it', async () => {
    const data = randomBytes(70_000);
    const s = await init(data.length, 65536);
    const bad = await h.chunk(key, s.uploadSessionId, 0, data.subarray(0, 65536), { chunksha256: sha256(Buffer.from('other')) });
    expect(expectApiError(bad, 400)).toMatch(/SHA-256/);
    const status = await h.post(key, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId: s.uploadSessionId });
    expect(status.json().result.receivedChunkIndices).toEqual([]);
    await h.post(key, '/v2/CoreApiFile/ChunkAbort', { uploadSessionId: s.uploadSessionId, requestId: h.requestId() });
  });

  it('refuses completion while a chunk is missing, naming it; then completes once it arrives', async () => {
    const data = randomBytes(140_000);
    const s = await init(data.length, 65536);
    await h.chunk(key, s.uploadSessionId, 0, data.subarray(0, 65536));
    await h.chunk(key, s.uploadSessionId, 2, data.subarray(131072));
    const res = await complete(s.uploadSessionId);
    expect(expectApiError(res, 400)).toMatch(/missing: 1$/);
    expect((await h.post(key, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: s.operationId })).json().result.state).toBe('uploading');
    expect((await h.chunk(key, s.uploadSessionId, 1, data.subarray(65536, 131072))).statusCode).toBe(200);
    expect((await complete(s.uploadSessionId)).statusCode).toBe(200);
    expect((await h.download(key, s.operationId)).data.equals(data)).toBe(true);
  });

  it('refuses completion when the whole-file SHA-256 does not match, keeping the chunks for a retry', async () => {
    const data = randomBytes(1000);
    const s = await init(data.length, 65536);
    await h.chunk(key, s.uploadSessionId, 0, data);
    const wrong = sha256(Buffer.from('not the file'));
    expect(expectApiError(await complete(s.uploadSessionId, { sha256: wrong }), 400)).toMatch(/SHA-256/);
    const op = await h.post(key, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: s.operationId });
    expect(op.json().result).toMatchObject({ state: 'uploading', sha256: null });
    const ok = await complete(s.uploadSessionId, { sha256: sha256(data) });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('refuses chunks of the wrong size, out-of-range indices and unknown sessions', async () => {
    const s = await init(100_000, 65536);
    expectApiError(await h.chunk(key, s.uploadSessionId, 0, randomBytes(65537)), 413);
    expectApiError(await h.chunk(key, s.uploadSessionId, 0, randomBytes(100)), 400);
    expectApiError(await h.chunk(key, s.uploadSessionId, 1, randomBytes(65536)), 413); // the last chunk is 34464 bytes
    expectApiError(await h.chunk(key, s.uploadSessionId, 2, randomBytes(10)), 400);
    expectApiError(await h.chunk(key, '6f1c1a2e-0000-4000-8000-000000000000', 0, randomBytes(10)), 404);
    expect((await h.post(key, '/v2/CoreApiFile/ChunkAbort', { uploadSessionId: s.uploadSessionId, requestId: h.requestId() })).json()).toEqual({
      result: { aborted: true },
      error: null,
    });
    expectApiError(await h.chunk(key, s.uploadSessionId, 0, randomBytes(65536)), 409);
    expect((await h.post(key, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: s.operationId })).json().result.state).toBe('aborted');
  });

  it('enforces the plan limits: document size, chunk size, chunk count arithmetic, open sessions per tenant', async () => {
    const r = () => h.requestId();
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 1000, totalSize: 300_001, totalChunks: 301, requestId: r() }), 413);
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 65537, totalSize: 65537, totalChunks: 1, requestId: r() }), 400);
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 1000, totalSize: 5000, totalChunks: 4, requestId: r() }), 400);
    const open = await Promise.all([init(10, 10), init(10, 10), init(10, 10)]);
    const refused = await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 10, totalChunks: 1, requestId: r(), displayLanguage: 'en' });
    expect(expectApiError(refused, 429)).toMatch(/Too many open upload sessions/);
    for (const s of open) await h.post(key, '/v2/CoreApiFile/ChunkAbort', { uploadSessionId: s.uploadSessionId, requestId: r() });
    await init(10, 10).then((s) => h.post(key, '/v2/CoreApiFile/ChunkAbort', { uploadSessionId: s.uploadSessionId, requestId: r() }));
  });

  it('expires idle sessions: the sweeper deletes their chunks and marks the operation expired', async () => {
    const data = randomBytes(2000);
    const s = await init(data.length, 1000);
    await h.chunk(key, s.uploadSessionId, 0, data.subarray(0, 1000));
    // A chunk blob written but never recorded (as after a crash between the write and the row).
    const tenantId = (await h.services.tenants.authenticate(key))!.id;
    await h.system.platform.blobs.put(`esign/${tenantId}/uploads/${s.uploadSessionId}/1-orphan`, Buffer.from('x'));
    expect((await h.system.platform.blobs.list(`esign/${tenantId}/uploads/${s.uploadSessionId}`)).length).toBe(2);
    expect(await h.services.uploads.sweepExpired(Date.now())).toBe(0);
    expect(await h.services.uploads.sweepExpired(Date.now() + 25 * 3600 * 1000)).toBe(1);
    expect(await h.system.platform.blobs.list(`esign/${tenantId}/uploads/${s.uploadSessionId}`)).toEqual([]);
    expectApiError(await h.chunk(key, s.uploadSessionId, 1, data.subarray(1000)), 409);
    expectApiError(await complete(s.uploadSessionId), 409);
    const status = await h.post(key, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: s.operationId });
    expect(status.json().result.state).toBe('expired');
  });

  it('ChunkUpload over the v1 path, with the body as a real socket stream', async () => {
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    const data = randomBytes(3000);
    const s = await init(data.length, 2000);
    for (const i of [1, 0]) {
      const res = await fetch(`${address}/CoreApiPades/ChunkUpload`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/octet-stream', uploadsessionid: s.uploadSessionId, chunkindex: String(i) },
        body: data.subarray(i * 2000, (i + 1) * 2000),
      });
      expect(await res.json()).toEqual({ result: { accepted: true }, error: null });
    }
    const done = await fetch(`${address}/CoreApiPades/ChunkComplete`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ uploadSessionId: s.uploadSessionId, requestId: h.requestId() }),
    });
    expect(done.status).toBe(200);
    expect((await done.json()).result.operationId).toBe(s.operationId);
    const raw = await fetch(`${address}/v2/CoreApiFile/DownloadRawCore`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ operationId: s.operationId }),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('x-content-sha256')).toBe(sha256(data));
    expect(Buffer.from(await raw.arrayBuffer()).equals(data)).toBe(true);
  });
});
