import type { FastifyError, FastifyInstance } from 'fastify';
import type { Part } from '../../platform/part.js';
import type { Platform } from '../../platform/platform.js';
import { XadesError } from './errors.js';
import { xadesMigrations } from './migrations.js';
import { XadesPendingStore } from './pending-store.js';
import { XadesService } from './service.js';
import type { XadesTrust } from './trust.js';

/** Signed XML with XL values and a large enveloped document; anything beyond is refused with 413. */
const BODY_LIMIT = 64 * 1024 * 1024;
const XML_TYPES = ['application/xml', 'text/xml', 'application/octet-stream'];

export interface XadesPart extends Part {
  readonly service: XadesService;
}

const reportSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    valid: { type: 'boolean' },
    summary: { type: 'string', enum: ['ALL_VALID', 'CONTAINS_INVALID', 'CONTAINS_INCOMPLETE', 'NO_SIGNATURE'] },
    signatureCount: { type: 'integer' },
    signatures: { type: 'array', items: { type: 'object', additionalProperties: true } },
    signatureList: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

const errorSchema = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } as const;

async function routes(app: FastifyInstance, service: XadesService): Promise<void> {
  app.addContentTypeParser(XML_TYPES, { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof XadesError) return reply.status(400).send({ error: error.code, message: error.message });
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'xades: unhandled error');
    return reply.status(status).send({ error: status >= 500 ? 'internal_error' : (error.code ?? 'bad_request'), message: status >= 500 ? 'Internal error' : error.message });
  });
  app.post(
    '/xades/verify',
    {
      schema: {
        tags: ['xades'],
        summary: 'Validates every XAdES signature of an XML document (raw body) and reports per signature',
        consumes: XML_TYPES,
        response: { 200: reportSchema, 400: errorSchema, 413: errorSchema, 415: errorSchema },
      },
    },
    async (request, reply) => {
      if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
        return reply.status(415).send({ error: 'unsupported_media_type', message: 'send the signed XML as application/xml' });
      }
      return service.validate(request.body);
    },
  );
}

/** The XAdES engine as a part: its pending-signature table and the POST /xades/verify extension endpoint. */
export function createXadesPart(platform: Platform, trust: XadesTrust): XadesPart {
  const service = new XadesService(trust, new XadesPendingStore(platform));
  return { name: 'xades', migrations: xadesMigrations, service, routes: (app) => routes(app, service) };
}

export function xadesServiceOf(parts: readonly Part[]): XadesService {
  const part = parts.find((p): p is XadesPart => p.name === 'xades' && 'service' in p);
  if (!part) throw new Error('the xades part is not in this system');
  return part.service;
}
