import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { EsignError } from '../errors.js';
import type { Operation } from '../operations.js';
import type { EsignServices } from '../services.js';
import { post, tenantOf, v2 } from './routing.js';
import { apiResult, baseRequest, uuid } from './schemas.js';

/** Base64 of a byte stream, emitted as it is read (3-byte groups carried across chunk boundaries). */
async function* base64Of(source: Readable): AsyncGenerator<string> {
  let carry = Buffer.alloc(0);
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const whole = buf.length - (buf.length % 3);
    if (whole > 0) yield buf.subarray(0, whole).toString('base64');
    carry = Buffer.from(buf.subarray(whole));
  }
  if (carry.length > 0) yield carry.toString('base64');
}

/**
 * `ApiResult<{operationId, fileName, fileData}>` written as a stream: the JSON around the base64 is fixed, so
 * a 2 GB document goes out in constant memory with an exact Content-Length.
 */
function sendBase64Json(reply: FastifyReply, operation: Operation, content: Readable): FastifyReply {
  const head = `{"result":{"operationId":${JSON.stringify(operation.id)},"fileName":${JSON.stringify(operation.fileName)},"fileData":"`;
  const tail = '"},"error":null}';
  const size = operation.size ?? 0;
  const length = Buffer.byteLength(head) + 4 * Math.ceil(size / 3) + Buffer.byteLength(tail);
  const body = Readable.from(
    (async function* () {
      yield head;
      yield* base64Of(content);
      yield tail;
    })(),
    { objectMode: false },
  );
  return reply.code(200).type('application/json; charset=utf-8').header('content-length', length).send(body);
}

const downloadResult = apiResult({
  type: 'object',
  properties: { operationId: { type: 'string' }, fileName: { type: 'string' }, fileData: { type: 'string', description: 'base64' } },
});
const operationBody = baseRequest({ operationId: uuid }, ['operationId'], { requestIdRequired: false });

export async function downloadRoutes(scope: FastifyInstance, services: EsignServices): Promise<void> {
  const { operations } = services;

  /** The signed document for `id`: itself if it is a step's output, else its newest signed child. */
  async function signedOf(tenantId: string, id: string): Promise<Operation> {
    const op = await operations.require(tenantId, id);
    if (op.kind !== 'upload' && op.hasContent) return op;
    const signed = (await operations.children(tenantId, op.id, 'signed')).find((c) => c.hasContent);
    if (!signed) throw new EsignError('notSigned', { id });
    return signed;
  }

  post(
    scope,
    v2('CoreApiFile/DownloadCore'),
    { tags: ['CoreApiFile'], summary: 'The document of an operation (original or signed), base64 in JSON', body: operationBody, response: downloadResult },
    async (request, reply) => {
      const { operationId } = request.body as { operationId: string };
      const { operation, stream } = await operations.openContent(tenantOf(request), operationId);
      return sendBase64Json(reply, operation, stream);
    },
  );

  post(
    scope,
    [...v2('CoreApiDownload/DownloadSignedFileCore'), '/CoreApiDownload/DownloadSignedFileCore'],
    { tags: ['CoreApiDownload'], summary: 'v1: the signed document of an operation, base64 in JSON', body: operationBody, response: downloadResult },
    async (request, reply) => {
      const { operationId } = request.body as { operationId: string };
      const tenantId = tenantOf(request);
      const signed = await signedOf(tenantId, operationId);
      const { operation, stream } = await operations.openContent(tenantId, signed.id);
      return sendBase64Json(reply, operation, stream);
    },
  );

  post(
    scope,
    v2('CoreApiFile/DownloadRawCore'),
    {
      tags: ['CoreApiFile'],
      summary: 'Extension: the document of an operation as raw bytes (application/octet-stream), for large files',
      body: operationBody,
    },
    async (request, reply) => {
      const { operationId } = request.body as { operationId: string };
      const { operation, stream } = await operations.openContent(tenantOf(request), operationId);
      return reply
        .code(200)
        .type('application/octet-stream')
        .header('content-length', operation.size ?? 0)
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(operation.fileName)}`)
        .header('x-content-sha256', operation.sha256 ?? '')
        .send(stream);
    },
  );

  post(
    scope,
    v2('CoreApiOperation/GetOperationStatusCore'),
    {
      tags: ['CoreApiOperation'],
      summary: 'Extension: state (uploaded; or waiting, signed, refused, expired, failed for a signed document’s id), file name, size, SHA-256, its latest signing and its signed document',
      body: operationBody,
      response: apiResult({
        type: 'object',
        properties: {
          operationId: { type: 'string' },
          kind: { type: 'string' },
          state: { type: 'string' },
          fileName: { type: 'string' },
          size: { type: ['integer', 'null'] },
          sha256: { type: ['string', 'null'] },
          parentOperationId: { type: ['string', 'null'] },
          signedOperationId: { type: ['string', 'null'] },
          signingOperationId: { type: ['string', 'null'] },
          signingState: { type: ['string', 'null'] },
          detail: { type: ['string', 'null'] },
          createdAt: { type: 'string' },
          updatedAt: { type: 'string' },
        },
      }),
    },
    async (request) => {
      const { operationId } = request.body as { operationId: string };
      const tenantId = tenantOf(request);
      const op = await operations.require(tenantId, operationId);
      // Signings of this document, newest first: the latest says what is under way, the newest with content is the signed one.
      const signings = await operations.children(tenantId, op.id, 'signed');
      const signed = signings.find((c) => c.hasContent);
      return {
        result: {
          operationId: op.id,
          kind: op.kind,
          state: op.state,
          fileName: op.fileName,
          size: op.size,
          sha256: op.sha256,
          parentOperationId: op.parentId,
          signedOperationId: signed?.id ?? null,
          signingOperationId: signings[0]?.id ?? null,
          signingState: signings[0]?.state ?? null,
          detail: op.detail,
          createdAt: new Date(op.createdAt).toISOString(),
          updatedAt: new Date(op.updatedAt).toISOString(),
        },
        error: null,
      };
    },
  );
}
