import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AbortError, ApiResultError, AuthenticationError, NetworkError, Onaylarim, type UploadProgress } from '../../src/sdk/index.js';
import { ESignRecorder } from './helpers/esign-recorder.js';

// Against a recording server that answers the vendor contract from memory (see esign-recorder.ts).
let esign: ESignRecorder;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-sdk-esign-'));
beforeAll(async () => {
  esign = await new ESignRecorder().start();
});
afterEach(() => {
  esign.server.requests.length = 0;
  esign.dropChunk.clear();
  esign.phone = async () => 'approve';
});
afterAll(async () => {
  await esign.server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const client = (chunkSize = 1024) =>
  new Onaylarim({ apiKey: esign.apiKey, baseUrl: esign.url, chunkSize, transport: { backoffBaseMs: 1, backoffMaxMs: 5 } });

function file(name: string, size: number): { path: string; data: Buffer } {
  const data = randomBytes(size);
  const p = path.join(dir, name);
  fs.writeFileSync(p, data);
  return { path: p, data };
}

describe('uploads', () => {
  it('uploads a small file whole (multipart `file`), with BaseRequest, the API key and progress to 100%', async () => {
    const f = file('sözleşme.pdf', 3000);
    const progress: UploadProgress[] = [];
    const up = await client(4096).files.upload(f.path, { onProgress: (p) => progress.push(p) });
    expect(up.chunked).toBe(false);
    expect(esign.documents.get(up.operationId)).toEqual({ name: 'sözleşme.pdf', data: f.data });
    const [req] = esign.server.on('/v2/CoreApiFile/UploadFile');
    expect(req!.headers['x-api-key']).toBe(esign.apiKey);
    expect(String(req!.headers.requestid)).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(req!.headers.displaylanguage).toBe('tr');
    expect(Number(req!.headers['content-length'])).toBe(req!.body.length);
    // BaseRequest also travels as form fields ahead of the file, with the same requestId.
    const form = req!.body.toString('utf8');
    expect(form.indexOf('name="requestId"')).toBeLessThan(form.indexOf('name="file"'));
    expect(form).toContain(`name="requestId"\r\n\r\n${String(req!.headers.requestid)}\r\n`);
    expect(form).toContain('name="displayLanguage"\r\n\r\ntr\r\n');
    expect(progress.at(-1)).toMatchObject({ sentBytes: 3000, totalBytes: 3000 });
    expect(progress.map((p) => p.sentBytes)).toEqual([...progress.map((p) => p.sentBytes)].sort((a, b) => a - b));
  });

  it('uploads a larger file in chunks, each with uploadsessionid/chunkindex headers and a fresh requestId', async () => {
    const f = file('big.bin', 5000);
    const up = await client(1024).files.upload(f.path);
    expect(up.chunked).toBe(true);
    expect(esign.documents.get(up.operationId)!.data.equals(f.data)).toBe(true);
    const init = JSON.parse(esign.server.on('/v2/CoreApiFile/ChunkInit')[0]!.body.toString());
    expect(init).toMatchObject({ chunkSize: 1024, totalSize: 5000, totalChunks: 5, displayLanguage: 'tr' });
    expect(init.requestId).toHaveLength(21);
    const chunks = esign.server.on('/v2/CoreApiFile/ChunkUpload');
    expect(chunks.map((c) => c.headers.chunkindex)).toEqual(['0', '1', '2', '3', '4']);
    expect(chunks.every((c) => c.headers['content-type'] === 'application/octet-stream' && c.headers.uploadsessionid === up.uploadSessionId)).toBe(true);
    expect(new Set(esign.server.requests.map((r) => r.headers.requestid)).size).toBe(esign.server.requests.length);
  });

  it('resumes after the network drops mid-upload: asks the server what it holds and sends only what is missing', async () => {
    const f = file('resume.bin', 4500);
    esign.dropChunk.set(2, 3); // the transport's own retries (3 attempts) all fail: the upload must resume
    const progress: UploadProgress[] = [];
    const up = await client(1000).files.upload(f.path, { onProgress: (p) => progress.push(p) });
    expect(esign.documents.get(up.operationId)!.data.equals(f.data)).toBe(true);
    expect(esign.server.on('/v2/CoreApiFile/GetUploadStatus').length).toBeGreaterThanOrEqual(1);
    const sent = esign.server.on('/v2/CoreApiFile/ChunkUpload').map((c) => c.headers.chunkindex);
    expect(sent).toEqual(['0', '1', '2', '2', '2', '2', '3', '4']);
    expect(progress.at(-1)).toMatchObject({ sentBytes: 4500, totalBytes: 4500, totalChunks: 5 });
  });

  it('a failed upload names its session; a later upload with resumeSessionId sends only the missing chunks (from a stream)', async () => {
    const f = file('later.bin', 3500);
    esign.dropChunk.set(1, 100);
    const err = await client(1000).files.upload(f.path, { maxResumes: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    const sessionId = /upload session ([0-9a-f-]{36})/.exec((err as Error).message)![1]!;
    esign.dropChunk.clear();
    esign.server.requests.length = 0;
    const up = await client(1000).files.upload(Readable.from([f.data.subarray(0, 2000), f.data.subarray(2000)]), { resumeSessionId: sessionId });
    expect(esign.server.on('/v2/CoreApiFile/ChunkUpload').map((c) => c.headers.chunkindex)).toEqual(['1', '2', '3']);
    expect(esign.documents.get(up.operationId)!.data.equals(f.data)).toBe(true);
  });

  it('downloads by operationId, atomically to a file', async () => {
    const up = await client(4096).files.upload(Buffer.from('merhaba dünya'), { fileName: 'a.txt' });
    const out = path.join(dir, 'out.txt');
    const dl = await client().files.downloadTo(up.operationId, out);
    expect(dl.fileName).toBe('a.txt');
    expect(fs.readFileSync(out, 'utf8')).toBe('merhaba dünya');
  });
});

describe('mobile signing', () => {
  it('waits for the operator, fetches the fingerprint concurrently, and follows the chain to the signed document', async () => {
    const up = await client(4096).files.upload(Buffer.from('<doc>İmza</doc>'), { fileName: 'doc.xml' });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    esign.phone = async () => {
      await released;
      return 'approve';
    };
    const onaylarim = client();
    const fingerprints: string[] = [];
    const signing = onaylarim.signMobile({
      operationId: up.operationId,
      phoneNumber: '5321234567',
      operator: 'TURKCELL',
      signatureLevel: 'aslT',
      signatureTurkishProfile: 'P4',
      onFingerprint: (fp) => {
        fingerprints.push(fp);
        release();
      },
    });
    const signed = await signing;
    expect(fingerprints).toEqual([createHash('sha256').update('<doc>İmza</doc>').digest('hex').toUpperCase()]);
    expect(signed.signedFrom).toBe(up.operationId);
    expect(signed.operationId).not.toBe(up.operationId);
    expect(signed.fingerPrint).toBe(fingerprints[0]);
    const [req] = esign.server.on('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore');
    expect(JSON.parse(req!.body.toString())).toMatchObject({
      operationId: up.operationId,
      phoneNumber: '5321234567',
      operator: 'TURKCELL',
      signatureLevel: 'aslT',
      signatureTurkishProfile: 'P4',
      serialOrParallel: 'PARALLEL',
      envelopingOrEnveloped: 'ENVELOPED',
      displayLanguage: 'tr',
    });
    // The fingerprint asked for the upload's id while signStepOne waited.
    expect(JSON.parse(esign.server.on('/v2/CoreApiFingerPrint/GetFingerPrintCore').at(-1)!.body.toString()).operationId).toBe(up.operationId);
    expect(await onaylarim.latest(up.operationId)).toBe(signed.operationId);
    expect(await client().latest(up.operationId)).toBe(signed.operationId); // a fresh client asks the status endpoint
    expect((await onaylarim.operations.status(up.operationId)).state).toBe('signed');
    expect((await onaylarim.files.download(signed.operationId)).data.toString()).toBe('<signed><doc>İmza</doc>');
  });

  it('a refusal is an ApiResultError carrying the requestId as reference; an abort stops the wait', async () => {
    const up = await client(4096).files.upload(Buffer.from('x'));
    esign.phone = async () => 'refuse';
    const refused = await client().xadesMobile.signStepOne({ operationId: up.operationId, phoneNumber: '5321234567', operator: 'VODAFONE' }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiResultError);
    const sentId = JSON.parse(esign.server.on('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore')[0]!.body.toString()).requestId;
    expect(refused).toMatchObject({ referenceId: sentId, status: 200, message: 'İmza işlemi kullanıcı tarafından iptal edildi' });

    esign.phone = () => new Promise(() => undefined); // never answers
    const controller = new AbortController();
    const pending = client().signMobile({ operationId: up.operationId, phoneNumber: '5321234567', operator: 'AVEA', signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(esign.server.on('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore')).toHaveLength(2);
  });

  it('a wrong API key is an AuthenticationError', async () => {
    await expect(new Onaylarim({ apiKey: 'wrong', baseUrl: esign.url }).operations.status('x')).rejects.toMatchObject({ constructor: AuthenticationError, status: 401 });
  });
});
