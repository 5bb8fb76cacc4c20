import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { BlobError } from '../../platform/blobs.js';
import { EsignError } from '../errors.js';
import type { EsignServices } from '../services.js';
import { parseLanguage } from './api-result.js';
import { answer, post, tenantOf, v2 } from './routing.js';
import { apiResult, baseRequest, fileName, nullableSha256, nullableUuid, SHA256_PATTERN, UUID_PATTERN, uuid } from './schemas.js';

/** The header carrying a chunk's SHA-256 (hex), our extension: the vendor documents none. */
export const CHUNK_SHA256_HEADER = 'chunksha256';

const uploadResult = apiResult({
  type: 'object',
  properties: { isSuccess: { type: 'boolean' }, operationId: { type: 'string' }, size: { type: 'integer' }, sha256: { type: 'string' } },
});

/** A client's file name, reduced to its last path segment and printable characters. */
function cleanFileName(raw: string | undefined | null): string {
  const base = path.posix.basename((raw ?? '').replace(/\\/g, '/'));
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (clean.length > 255) throw new EsignError('validation', { detail: 'file name is longer than 255 characters' });
  return clean === '' ? 'document' : clean;
}

/**
 * busboy leaves a file part hanging when the body ends inside it (a truncated form) or the client goes away;
 * end it with an error then, so the blob store discards its temp file and the request is answered.
 */
function guardFilePart(request: FastifyRequest, file: Readable): void {
  const raw = request.raw;
  const check = (): void => {
    setImmediate(() => {
      const ended = (file as Readable & { _readableState?: { ended?: boolean } })._readableState?.ended === true;
      if (ended || file.destroyed) return;
      file.destroy(raw.complete ? new EsignError('validation', { detail: 'the multipart body ends inside the file part' }) : new Error('client closed the upload'));
    });
  };
  if (raw.readableEnded || raw.destroyed) check();
  raw.once('end', check);
  raw.once('close', check);
  raw.socket?.once('close', check);
}

export async function fileRoutes(scope: FastifyInstance, services: EsignServices): Promise<void> {
  const { operations, uploads, idempotency, settings } = services;

  /** Whole-document upload (multipart `file`), streamed straight into the blob store. */
  async function uploadWhole(request: FastifyRequest, operationId?: string): Promise<unknown> {
    const tenantId = tenantOf(request);
    if (operationId && (await operations.get(tenantId, operationId))) throw new EsignError('operationExists', { id: operationId });
    // One byte over the limit reaches the blob store, which refuses it (busboy alone would silently truncate).
    const part = await request.file({ limits: { fileSize: settings.maxDocumentBytes + 1, files: 1, fields: 10, fieldSize: 4096 } });
    if (!part) throw new EsignError('fileMissing');
    // @fastify/multipart destroys the part (without an error) when the form ended inside it.
    if (part.file.destroyed) throw new EsignError('validation', { detail: 'the multipart body ends inside the file part' });
    const language = parseLanguage((part.fields.displayLanguage as { value?: unknown } | undefined)?.value);
    if (language) request.esignLanguage = language;
    const name = cleanFileName(part.filename);
    guardFilePart(request, part.file);
    try {
      const op = await operations.createWithContent(
        tenantId,
        { id: operationId, kind: 'upload', state: 'uploaded', fileName: name },
        part.file,
        settings.maxDocumentBytes,
      );
      return { isSuccess: true, operationId: op.id, size: op.size, sha256: op.sha256 };
    } catch (err) {
      if (err instanceof BlobError && err.code === 'ERR_BLOB_TOO_LARGE') throw new EsignError('documentTooLarge', { max: settings.maxDocumentBytes });
      throw err;
    }
  }

  const uploadSchema = {
    tags: ['CoreApiFile'],
    summary: 'Upload a whole document (multipart/form-data, field "file")',
    consumes: ['multipart/form-data'],
    response: uploadResult,
  };
  post(scope, v2('CoreApiFile/UploadFile'), uploadSchema, async (request) => ({ result: await uploadWhole(request), error: null }));
  post(
    scope,
    ['/CoreApiPades/SignStepOneUploadFile'],
    {
      ...uploadSchema,
      summary: 'v1: upload a whole document under the client-chosen operationid header',
      headers: { type: 'object', required: ['operationid'], properties: { operationid: { type: 'string', pattern: UUID_PATTERN } } },
    },
    async (request) => ({ result: await uploadWhole(request, (request.headers.operationid as string).toLowerCase()), error: null }),
  );

  const chunkPaths = (step: string): string[] => [...v2(`CoreApiFile/${step}`), `/CoreApiPades/${step}`];

  post(
    scope,
    chunkPaths('ChunkInit'),
    {
      tags: ['CoreApiFile'],
      summary: 'Open a chunked upload',
      body: baseRequest(
        {
          operationId: nullableUuid,
          fileName,
          chunkSize: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          totalSize: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          totalChunks: { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 },
          sha256: nullableSha256,
        },
        ['chunkSize', 'totalSize', 'totalChunks'],
        { requestIdRequired: true },
      ),
      response: apiResult({
        type: 'object',
        properties: { uploadSessionId: { type: 'string' }, operationId: { type: 'string' }, chunkSize: { type: 'integer' }, totalChunks: { type: 'integer' } },
      }),
    },
    async (request, reply) => {
      const body = request.body as { operationId?: string | null; fileName?: string | null; chunkSize: number; totalSize: number; totalChunks: number; sha256?: string | null };
      return answer(idempotency, request, reply, 'ChunkInit', async () => {
        const session = await uploads.init(tenantOf(request), { ...body, fileName: cleanFileName(body.fileName) });
        return { uploadSessionId: session.uploadSessionId, operationId: session.operationId, chunkSize: session.chunkSize, totalChunks: session.totalChunks };
      });
    },
  );

  post(
    scope,
    chunkPaths('ChunkUpload'),
    {
      tags: ['CoreApiFile'],
      summary: `Upload one chunk: raw application/octet-stream body; headers uploadsessionid, chunkindex (0-based), optional ${CHUNK_SHA256_HEADER} (hex)`,
      consumes: ['application/octet-stream'],
      headers: {
        type: 'object',
        required: ['uploadsessionid', 'chunkindex'],
        properties: {
          uploadsessionid: { type: 'string', pattern: UUID_PATTERN },
          chunkindex: { type: 'string', pattern: '^[0-9]{1,9}$' },
          [CHUNK_SHA256_HEADER]: { type: 'string', pattern: SHA256_PATTERN },
        },
      },
      response: apiResult({ type: 'object', properties: { accepted: { type: 'boolean' } } }),
    },
    async (request) => {
      const tenantId = tenantOf(request);
      const body = request.body ?? Readable.from([]);
      if (!(body instanceof Readable)) throw new EsignError('mediaType', { expected: 'application/octet-stream' });
      const h = request.headers as Record<string, string | undefined>;
      await uploads.putChunk(tenantId, h.uploadsessionid!, Number(h.chunkindex), body, h[CHUNK_SHA256_HEADER]);
      return { result: { accepted: true }, error: null };
    },
  );

  post(
    scope,
    chunkPaths('ChunkComplete'),
    {
      tags: ['CoreApiFile'],
      summary: 'Assemble the chunks into the document; checks the whole-file SHA-256 when given (here or at ChunkInit)',
      body: baseRequest({ uploadSessionId: uuid, sha256: nullableSha256 }, ['uploadSessionId'], { requestIdRequired: true }),
      response: uploadResult,
    },
    async (request, reply) => {
      const body = request.body as { uploadSessionId: string; sha256?: string | null };
      return answer(idempotency, request, reply, 'ChunkComplete', async () => {
        const op = await uploads.complete(tenantOf(request), body.uploadSessionId, body.sha256);
        return { isSuccess: true, operationId: op.id, size: op.size, sha256: op.sha256 };
      });
    },
  );

  post(
    scope,
    chunkPaths('ChunkAbort'),
    {
      tags: ['CoreApiFile'],
      summary: 'Abandon a chunked upload and delete its chunks',
      body: baseRequest({ uploadSessionId: uuid }, ['uploadSessionId'], { requestIdRequired: true }),
      response: apiResult({ type: 'object', properties: { aborted: { type: 'boolean' } } }),
    },
    async (request, reply) => {
      const body = request.body as { uploadSessionId: string };
      return answer(idempotency, request, reply, 'ChunkAbort', async () => {
        await uploads.abort(tenantOf(request), body.uploadSessionId);
        return { aborted: true };
      });
    },
  );

  post(
    scope,
    chunkPaths('GetUploadStatus'),
    {
      tags: ['CoreApiFile'],
      summary: 'Which chunks the server holds, so a client can resume',
      body: baseRequest({ uploadSessionId: uuid }, ['uploadSessionId'], { requestIdRequired: false }),
      response: apiResult({
        type: 'object',
        properties: {
          uploadSessionId: { type: 'string' },
          operationId: { type: 'string' },
          state: { type: 'string' },
          chunkSize: { type: 'integer' },
          totalSize: { type: 'integer' },
          totalChunks: { type: 'integer' },
          receivedChunkIndices: { type: 'array', items: { type: 'integer' } },
          expiresAt: { type: 'string' },
        },
      }),
    },
    async (request) => {
      const body = request.body as { uploadSessionId: string };
      const session = await uploads.get(tenantOf(request), body.uploadSessionId);
      return {
        result: {
          uploadSessionId: session.uploadSessionId,
          operationId: session.operationId,
          state: session.state,
          chunkSize: session.chunkSize,
          totalSize: session.totalSize,
          totalChunks: session.totalChunks,
          receivedChunkIndices:
            session.state === 'completed'
              ? Array.from({ length: session.totalChunks }, (_, i) => i)
              : await uploads.receivedChunks(session.uploadSessionId),
          expiresAt: new Date(session.expiresAt).toISOString(),
        },
        error: null,
      };
    },
  );
}
