import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esignHarness, expectApiError, type Harness } from './helpers.js';

describe('requestId idempotency', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await esignHarness();
    key = await h.newKey('idem');
  });
  afterAll(async () => h.cleanup());

  it('a retry with the same body gets the first answer; a different body with the same requestId is refused with 409', async () => {
    const requestId = h.requestId();
    const body = { chunkSize: 10, totalSize: 25, totalChunks: 3, requestId, displayLanguage: 'en' };
    const first = await h.post(key, '/v2/CoreApiFile/ChunkInit', body);
    expect(first.statusCode).toBe(200);
    // Same fields in another order, another language, another version prefix: the same request.
    const again = await h.post(key, '/CoreApiPades/ChunkInit', { displayLanguage: 'tr', requestId, totalChunks: 3, totalSize: 25, chunkSize: 10 });
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    const different = await h.post(key, '/v2/CoreApiFile/ChunkInit', { ...body, totalSize: 26 });
    expect(expectApiError(different, 409)).toMatch(/already used for a different request/);
    // The same requestId on another step is a different request too.
    const session = first.json().result.uploadSessionId as string;
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkAbort', { uploadSessionId: session, requestId }), 409);
    // Only one session was opened.
    const status = await h.post(key, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId: session });
    expect(status.json().result.state).toBe('open');
  });

  it('requestIds are per tenant', async () => {
    const other = await h.newKey('other');
    const requestId = h.requestId();
    const a = await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 10, totalChunks: 1, requestId });
    const b = await h.post(other, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 20, totalChunks: 2, requestId });
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(a.json().result.uploadSessionId).not.toBe(b.json().result.uploadSessionId);
  });

  it('a refused request records nothing, so the same requestId may be retried after fixing the cause', async () => {
    const requestId = h.requestId();
    const init = await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 4, totalSize: 8, totalChunks: 2, requestId: h.requestId() });
    const session = init.json().result.uploadSessionId as string;
    await h.chunk(key, session, 0, Buffer.from('abcd'));
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkComplete', { uploadSessionId: session, requestId }), 400);
    await h.chunk(key, session, 1, Buffer.from('efgh'));
    const done = await h.post(key, '/v2/CoreApiFile/ChunkComplete', { uploadSessionId: session, requestId });
    expect(done.statusCode, done.body).toBe(200);
    const replay = await h.post(key, '/v2/CoreApiFile/ChunkComplete', { uploadSessionId: session, requestId });
    expect(replay.body).toBe(done.body);
    expect((await h.download(key, done.json().result.operationId)).data.toString()).toBe('abcdefgh');
  });

  it('requires a 21-character requestId on the steps that change state', async () => {
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 10, totalChunks: 1 }), 400);
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 10, totalChunks: 1, requestId: 'short' }), 400);
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 10, totalChunks: 1, requestId: 'x'.repeat(22) }), 400);
    expectApiError(await h.post(key, '/v2/CoreApiFile/ChunkComplete', { uploadSessionId: '6f1c1a2e-0000-4000-8000-000000000000' }), 400);
  });
});
