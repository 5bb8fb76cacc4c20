import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { EsignError } from '../errors.js';
import type { EsignServices } from '../services.js';
import { headerLanguage, sendError } from './api-result.js';
import { downloadRoutes } from './download-routes.js';
import { fileRoutes } from './file-routes.js';

/** Routes another engineer's step adds to the CoreApi scope (they get the key check and ApiResult errors). */
export type EsignRoutes = (scope: FastifyInstance, services: EsignServices) => Promise<void>;

/**
 * The CoreApi conventions for one encapsulated scope: X-API-KEY on every route, ApiResult for every error,
 * raw streams for application/octet-stream and streamed multipart.
 */
export async function installCoreApi(scope: FastifyInstance, services: EsignServices): Promise<void> {
  scope.setErrorHandler(sendError);
  // ChunkUpload streams the body itself (and enforces the chunk size while streaming).
  scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
  await scope.register(multipart, { throwFileSizeLimit: true });
  scope.addHook('onRequest', async (request) => {
    request.esignLanguage = headerLanguage(request);
    const raw = request.headers['x-api-key'];
    const apiKey = Array.isArray(raw) ? raw[0] : raw;
    if (!apiKey) throw new EsignError('apiKeyMissing');
    if (apiKey.length > 200) throw new EsignError('apiKeyInvalid');
    const tenant = await services.tenants.authenticate(apiKey);
    if (!tenant) throw new EsignError('apiKeyInvalid');
    request.esignTenantId = tenant.id;
  });
}

export async function coreApiRoutes(scope: FastifyInstance, services: EsignServices, extra: readonly EsignRoutes[] = []): Promise<void> {
  await installCoreApi(scope, services);
  await fileRoutes(scope, services);
  await downloadRoutes(scope, services);
  for (const routes of extra) await routes(scope, services);
}
