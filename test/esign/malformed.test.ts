import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { esignHarness, expectApiError, type Harness } from './helpers.js';

const UUID = '6f1c1a2e-0000-4000-8000-000000000000';
const RID = 'abcdefghijklmnopqrstu';

/** Bodies the schemas must refuse: wrong types, bad uuids, bad hashes, huge strings, non-objects. */
const hostileValues: unknown[] = [
  null,
  true,
  -1,
  1.5,
  '',
  'not-a-uuid',
  `${UUID}x`,
  `urn:uuid:${UUID}`,
  'x'.repeat(100_000),
  [],
  [UUID],
  {},
  { $ne: null },
  '../../etc/passwd',
  "' OR 1=1 --",
  '\u0000',
];

const endpoints: Array<{ url: string; valid: Record<string, unknown>; fields: string[] }> = [
  { url: '/v2/CoreApiFile/ChunkInit', valid: { chunkSize: 10, totalSize: 10, totalChunks: 1, requestId: RID }, fields: ['chunkSize', 'totalSize', 'totalChunks', 'operationId', 'sha256', 'requestId', 'fileName'] },
  { url: '/v2/CoreApiFile/ChunkComplete', valid: { uploadSessionId: UUID, requestId: RID }, fields: ['uploadSessionId', 'sha256', 'requestId'] },
  { url: '/v2/CoreApiFile/ChunkAbort', valid: { uploadSessionId: UUID, requestId: RID }, fields: ['uploadSessionId', 'requestId'] },
  { url: '/v2/CoreApiFile/GetUploadStatus', valid: { uploadSessionId: UUID }, fields: ['uploadSessionId', 'requestId'] },
  { url: '/v2/CoreApiFile/DownloadCore', valid: { operationId: UUID }, fields: ['operationId', 'requestId'] },
  { url: '/v2/CoreApiFile/DownloadRawCore', valid: { operationId: UUID }, fields: ['operationId'] },
  { url: '/CoreApiDownload/DownloadSignedFileCore', valid: { operationId: UUID }, fields: ['operationId'] },
  { url: '/v2/CoreApiOperation/GetOperationStatusCore', valid: { operationId: UUID }, fields: ['operationId'] },
];

describe('malformed input', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await esignHarness();
    key = await h.newKey('fuzz');
  });
  afterAll(async () => h.cleanup());

  it('answers every hostile field value on every JSON endpoint with ApiResult 4xx', async () => {
    let checked = 0;
    for (const { url, valid, fields } of endpoints) {
      for (const field of fields) {
        for (const value of hostileValues) {
          // Values a field legitimately accepts are not hostile for it.
          const optional = field === 'sha256' || field === 'fileName' || (field === 'operationId' && url.includes('ChunkInit'));
          if (value === null && (optional || (field === 'requestId' && !url.includes('Chunk')))) continue;
          if (field === 'fileName' && typeof value === 'string' && value.length <= 255) continue;
          const res = await h.post(key, url, { ...valid, [field]: value });
          expectApiError(res);
          checked++;
        }
      }
      for (const body of ['null', '[]', '"text"', '42', '{', '{"a":', '\u0000', '{"operationId": "' + 'a'.repeat(2_000_000) + '"}']) {
        const res = await h.app.inject({ method: 'POST', url, headers: { 'x-api-key': key, 'content-type': 'application/json' }, payload: body });
        expectApiError(res);
        checked++;
      }
      // Another content type than the endpoint takes.
      for (const [type, payload] of [
        ['text/plain', 'hello'],
        ['application/xml', '<a/>'],
        ['application/x-www-form-urlencoded', 'a=b'],
      ] as const) {
        const res = await h.app.inject({ method: 'POST', url, headers: { 'x-api-key': key, 'content-type': type }, payload });
        expectApiError(res);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(350);
  });

  it('gives the body-too-large answer 413 in ApiResult, in Turkish by default and English on request', async () => {
    const big = JSON.stringify({ operationId: UUID, pad: 'x'.repeat(2 * 1024 * 1024) });
    const tr = await h.app.inject({ method: 'POST', url: '/v2/CoreApiFile/DownloadCore', headers: { 'x-api-key': key, 'content-type': 'application/json' }, payload: big });
    expect(expectApiError(tr, 413)).toBe('İstek gövdesi çok büyük.');
    const en = await h.app.inject({
      method: 'POST',
      url: '/v2/CoreApiFile/DownloadCore',
      headers: { 'x-api-key': key, 'content-type': 'application/json', displaylanguage: 'en' },
      payload: big,
    });
    expect(expectApiError(en, 413)).toBe('The request body is too large.');
    const bodyLang = await h.post(key, '/v2/CoreApiFile/DownloadCore', { operationId: 'nope', displayLanguage: 'en' });
    expect(expectApiError(bodyLang, 400)).toMatch(/^Invalid request: /);
    const bodyTr = await h.post(key, '/v2/CoreApiFile/DownloadCore', { operationId: UUID, displayLanguage: 'tr' });
    expect(expectApiError(bodyTr, 404)).toBe(`İşlem bulunamadı: ${UUID}`);
  });

  it('refuses malformed ChunkUpload headers and bodies', async () => {
    const init = await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 4, totalSize: 4, totalChunks: 1, requestId: h.requestId() });
    const session = init.json().result.uploadSessionId as string;
    const cases: Array<Record<string, string>> = [
      {},
      { uploadsessionid: session },
      { chunkindex: '0' },
      { uploadsessionid: 'nope', chunkindex: '0' },
      { uploadsessionid: session, chunkindex: '-1' },
      { uploadsessionid: session, chunkindex: 'abc' },
      { uploadsessionid: session, chunkindex: '1.5' },
      { uploadsessionid: session, chunkindex: '99999999999999999999' },
      { uploadsessionid: session, chunkindex: '0', chunksha256: 'zz' },
      { uploadsessionid: session, chunkindex: '0', chunksha256: 'a'.repeat(63) },
      { uploadsessionid: session, chunkindex: '1' },
    ];
    for (const headers of cases) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v2/CoreApiFile/ChunkUpload',
        headers: { 'x-api-key': key, 'content-type': 'application/octet-stream', ...headers },
        payload: Buffer.from('abcd'),
      });
      expectApiError(res);
    }
    const asJson = await h.app.inject({
      method: 'POST',
      url: '/v2/CoreApiFile/ChunkUpload',
      headers: { 'x-api-key': key, 'content-type': 'application/json', uploadsessionid: session, chunkindex: '0' },
      payload: { data: 'abcd' },
    });
    expectApiError(asJson, 415);
    const empty = await h.app.inject({
      method: 'POST',
      url: '/v2/CoreApiFile/ChunkUpload',
      headers: { 'x-api-key': key, 'content-type': 'application/octet-stream', uploadsessionid: session, chunkindex: '0' },
    });
    expectApiError(empty, 400);
    const status = await h.post(key, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId: session });
    expect(status.json().result.receivedChunkIndices).toEqual([]);
  });

  it('refuses malformed multipart uploads', async () => {
    const cases: Array<{ type: string; payload: string }> = [
      { type: 'multipart/form-data; boundary=xyz', payload: '--xyz\r\nContent-Disposition: form-data; name="other"\r\n\r\nvalue\r\n--xyz--\r\n' },
      { type: 'multipart/form-data; boundary=xyz', payload: 'garbage without boundary' },
      { type: 'multipart/form-data', payload: '--xyz\r\n' },
      { type: 'multipart/form-data; boundary=xyz', payload: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\ncut short' },
      { type: 'multipart/form-data; boundary=xyz', payload: '--xyz\r\nno header end' },
      { type: 'application/json', payload: '{"file": "aGVsbG8="}' },
      { type: 'application/octet-stream', payload: 'raw' },
    ];
    for (const c of cases) {
      const res = await h.app.inject({ method: 'POST', url: '/v2/CoreApiFile/UploadFile', headers: { 'x-api-key': key, 'content-type': c.type }, payload: c.payload });
      expectApiError(res);
    }
    const longName = await h.upload(key, Buffer.from('x'), `${'n'.repeat(300)}.pdf`);
    expectApiError(longName, 400);
    const badV1 = await h.upload(key, Buffer.from('x'), 'a.pdf', '/CoreApiPades/SignStepOneUploadFile', { operationid: 'not-a-uuid' });
    expectApiError(badV1, 400);
  });

  it('strips directories and control characters from file names', async () => {
    const res = await h.upload(key, Buffer.from('x'), '..\\..\\dir/evil\u0007name.pdf');
    expect(res.statusCode, res.body).toBe(200);
    expect((await h.download(key, res.json().result.operationId)).fileName).toBe('evilname.pdf');
  });

  it('a client that disconnects mid-upload leaves no temp file behind and no chunk recorded', async () => {
    const address = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
    const init = await h.post(key, '/v2/CoreApiFile/ChunkInit', { chunkSize: 1_000_000, totalSize: 1_000_000, totalChunks: 1, requestId: h.requestId() });
    const session = init.json().result.uploadSessionId as string;
    const requests = [
      `POST /v2/CoreApiFile/ChunkUpload HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\ncontent-type: application/octet-stream\r\n` +
        `uploadsessionid: ${session}\r\nchunkindex: 0\r\ncontent-length: 1000000\r\n\r\n${'x'.repeat(100_000)}`,
      `POST /v2/CoreApiFile/UploadFile HTTP/1.1\r\nHost: x\r\nx-api-key: ${key}\r\ncontent-type: multipart/form-data; boundary=xyz\r\n` +
        `content-length: 10000000\r\n\r\n--xyz\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\n${'x'.repeat(100_000)}`,
    ];
    for (const request of requests) {
      const socket = net.connect(Number(address.port), '127.0.0.1');
      socket.write(request);
      await new Promise((r) => setTimeout(r, 300));
      socket.destroy();
    }
    const tmp = path.join(h.system.config.dataDir, 'blobs', '.tmp');
    for (let i = 0; i < 50 && fs.readdirSync(tmp).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fs.readdirSync(tmp)).toEqual([]);
    const status = await h.post(key, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId: session });
    expect(status.json().result.receivedChunkIndices).toEqual([]);
  });
});
