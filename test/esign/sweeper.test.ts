import { describe, expect, it } from 'vitest';
import type { EsignPart } from '../../src/esign/part.js';
import { esignHarness } from './helpers.js';

describe('the part sweeper', () => {
  it('runs once when the part starts, expiring idle sessions and reclaiming their chunks', async () => {
    const h = await esignHarness({ IMZALA_ESIGN_UPLOAD_TTL_SECONDS: '0.05' });
    try {
      const key = await h.newKey('sweep');
      const init = await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 4, totalSize: 8, totalChunks: 2, requestId: h.requestId() });
      const { uploadSessionId, operationId } = init.json().result as { uploadSessionId: string; operationId: string };
      expect((await h.chunk(key, uploadSessionId, 0, Buffer.from('abcd'))).statusCode).toBe(200);
      expect((await h.system.platform.blobs.list('esign')).length).toBe(1);
      await new Promise((r) => setTimeout(r, 100));
      const part = h.system.parts.find((p) => p.name === 'esign') as EsignPart;
      const stop = await part.start!();
      await stop();
      expect(await h.system.platform.blobs.list('esign')).toEqual([]);
      const status = await h.post(key, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId });
      expect(status.json().result.state).toBe('expired');
      const op = await h.post(key, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId });
      expect(op.json().result.state).toBe('expired');
    } finally {
      await h.cleanup();
    }
  });
});
