import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esignHarness, expectApiError, sha256, type Harness } from './helpers.js';

describe('operations service (what the signing steps build on)', () => {
  let h: Harness;
  let key: string;
  let tenantId: string;
  beforeAll(async () => {
    h = await esignHarness();
    key = await h.newKey('ops');
    tenantId = (await h.services.tenants.authenticate(key))!.id;
  });
  afterAll(async () => h.cleanup());

  it('storeResult chains a new operation; downloads and status follow it', async () => {
    const up = await h.upload(key, Buffer.from('<doc/>'), 'doc.xml');
    const uploadId = up.json().result.operationId as string;
    expectApiError(await h.post(key, '/CoreApiDownload/DownloadSignedFileCore', { operationId: uploadId }), 409);

    const ops = h.services.operations;
    await ops.setState(tenantId, uploadId, 'signing');
    const signedBytes = Buffer.from('<doc><Signature/></doc>');
    const signed = await ops.storeResult(tenantId, uploadId, signedBytes);
    expect(signed).toMatchObject({ kind: 'signed', state: 'signed', parentId: uploadId, fileName: 'doc.xml', hasContent: true, size: signedBytes.length, sha256: sha256(signedBytes) });
    expect(signed.id).not.toBe(uploadId);
    await ops.setState(tenantId, uploadId, 'signed');

    const status = await h.post(key, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: uploadId });
    expect(status.json().result).toMatchObject({ state: 'signed', signedOperationId: signed.id });
    const signedStatus = await h.post(key, '/v2/CoreApiOperation/GetOperationStatusCore', { operationId: signed.id });
    expect(signedStatus.json().result).toMatchObject({ kind: 'signed', parentOperationId: uploadId });

    // v1: the signed file by the upload's id; v2: by the signing's own id; the original stays downloadable.
    for (const [url, id] of [['/CoreApiDownload/DownloadSignedFileCore', uploadId], ['/v2/CoreApiDownload/DownloadSignedFileCore', signed.id]] as const) {
      const res = await h.post(key, url, { operationId: id });
      expect(res.statusCode, res.body).toBe(200);
      expect(Buffer.from(res.json().result.fileData, 'base64').equals(signedBytes)).toBe(true);
      expect(res.json().result.operationId).toBe(signed.id);
    }
    expect((await h.download(key, signed.id)).data.equals(signedBytes)).toBe(true);
    expect((await h.download(key, uploadId)).data.toString()).toBe('<doc/>');

    const { stream } = await ops.openContent(tenantId, uploadId, { start: 1, end: 3 });
    const parts: Buffer[] = [];
    for await (const c of stream) parts.push(c as Buffer);
    expect(Buffer.concat(parts).toString()).toBe('doc');
  });

  it('another tenant cannot reach an operation through the service either', async () => {
    const up = await h.upload(key, Buffer.from('mine'));
    const other = (await h.services.tenants.create('other')).tenant.id;
    const id = up.json().result.operationId as string;
    expect(await h.services.operations.get(other, id)).toBeUndefined();
    await expect(h.services.operations.openContent(other, id)).rejects.toMatchObject({ code: 'operationNotFound', status: 404 });
    await expect(h.services.operations.storeResult(other, id, Buffer.from('x'))).rejects.toMatchObject({ code: 'operationNotFound' });
    await expect(h.services.operations.setState(other, id, 'signing')).rejects.toMatchObject({ code: 'operationNotFound' });
    expect((await h.services.operations.require(tenantId, id)).state).toBe('uploaded');
  });

  it('an operation without its document yet answers 409 on download', async () => {
    const init = await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 10, totalSize: 10, totalChunks: 1, requestId: h.requestId() });
    const res = await h.post(key, '/v2/CoreApiFile/DownloadCore', { operationId: init.json().result.operationId, displayLanguage: 'en' });
    expect(expectApiError(res, 409)).toBe('The operation has no file yet (state: uploading).');
  });
});
