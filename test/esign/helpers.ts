import { createHash } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { buildServer } from '../../src/app.js';
import type { EsignPart } from '../../src/esign/part.js';
import { testSystem } from '../helpers/platform.js';

export type Harness = Awaited<ReturnType<typeof esignHarness>>;

/** The whole system on a fresh database, its server, and helpers to call the CoreApi as a tenant. */
export async function esignHarness(env: NodeJS.ProcessEnv = {}) {
  const system = await testSystem(env);
  const app: FastifyInstance = await buildServer(system);
  const part = system.parts.find((p) => p.name === 'esign') as EsignPart;
  const services = part.services;
  let n = 0;
  return {
    system,
    app,
    services,
    async newKey(name = 'tenant'): Promise<string> {
      return (await services.tenants.create(name)).apiKey;
    },
    /** A fresh 21-character requestId. */
    requestId(): string {
      n++;
      return `req${String(n).padStart(6, '0')}${Math.random().toString(36).slice(2, 14).padEnd(12, 'x')}`.slice(0, 21);
    },
    post(key: string | undefined, url: string, body: unknown, headers: Record<string, string> = {}) {
      return app.inject({
        method: 'POST',
        url,
        headers: { ...(key ? { 'x-api-key': key } : {}), ...headers },
        payload: body as object,
      });
    },
    chunk(key: string, session: string, index: number, data: Buffer, headers: Record<string, string> = {}) {
      return app.inject({
        method: 'POST',
        url: '/v2/CoreApiFile/ChunkUpload',
        headers: { 'x-api-key': key, 'content-type': 'application/octet-stream', uploadsessionid: session, chunkindex: String(index), ...headers },
        payload: data,
      });
    },
    upload(key: string, data: Buffer, fileName = 'doc.pdf', url = '/v2/CoreApiFile/UploadFile', headers: Record<string, string> = {}) {
      const boundary = 'imzalaBoundary7MA4YWxk';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
        data,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return app.inject({
        method: 'POST',
        url,
        headers: { 'x-api-key': key, 'content-type': `multipart/form-data; boundary=${boundary}`, ...headers },
        payload,
      });
    },
    async download(key: string, operationId: string): Promise<{ fileName: string; data: Buffer; operationId: string }> {
      const res = await app.inject({ method: 'POST', url: '/v2/CoreApiFile/DownloadCore', headers: { 'x-api-key': key }, payload: { operationId } });
      expect(res.statusCode, res.body).toBe(200);
      const json = res.json() as { result: { fileName: string; fileData: string; operationId: string }; error: null };
      expect(json.error).toBeNull();
      expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
      return { fileName: json.result.fileName, operationId: json.result.operationId, data: Buffer.from(json.result.fileData, 'base64') };
    },
    async cleanup() {
      await app.close();
      await system.cleanup();
    },
  };
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Asserts the ApiResult error shape with a 4xx status (never 5xx, never a stack trace). */
export function expectApiError(res: LightMyRequestResponse, status?: number): string {
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, res.body).toBeLessThan(500);
  if (status !== undefined) expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const json = res.json() as { result: unknown; error: unknown };
  expect(Object.keys(json).sort()).toEqual(['error', 'result']);
  expect(json.result).toBeNull();
  expect(typeof json.error).toBe('string');
  expect(json.error as string).not.toBe('');
  expect(res.body).not.toMatch(/\bat .+:\d+:\d+/);
  return json.error as string;
}
