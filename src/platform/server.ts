import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Part } from './part.js';
import type { Platform } from './platform.js';

/**
 * The one HTTP server: every part registers its routes in its own encapsulated context, so each keeps its
 * own error shape and body parsers. Paths match case-insensitively, as on the vendors' ASP.NET servers.
 */
export async function createServer(platform: Platform, parts: readonly Part[]): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: platform.log as FastifyBaseLogger,
    // Per-request lines only when asked for: at info a busy sandbox would log every call.
    logController: new LogController({
      disableRequestLogging: platform.config.logLevel !== 'debug' && platform.config.logLevel !== 'trace',
    }),
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: 1024 * 1024,
    trustProxy: platform.config.trustProxy,
    // close() must not wait on a client's keep-alive socket (seen hanging test teardown under load).
    forceCloseConnections: true,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'imzala', version: '0.1.0', description: 'Kuveyt Türk API Market and Onaylarım CoreApi sandbox' },
    },
  });

  // Generic shape for routes outside any part; parts install their own handlers for their routes.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    return reply
      .status(status)
      .send({ error: status >= 500 ? 'internal_error' : (error.code ?? 'bad_request'), message: status >= 500 ? 'Internal error' : error.message });
  });

  app.setNotFoundHandler((request, reply) => {
    const owner = parts.find((p) => p.notFound?.matches(request.url));
    if (owner?.notFound) return owner.notFound.reply(request, reply);
    return reply.status(404).send({ error: 'not_found', message: 'Path not found' });
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok', database: platform.database.dialect }));

  for (const part of parts) {
    if (part.routes) await app.register(async (scope) => part.routes!(scope), { name: part.name } as never);
  }
  return app;
}
