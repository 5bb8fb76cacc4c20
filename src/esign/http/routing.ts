import type { FastifyInstance, RouteHandlerMethod, FastifySchema } from 'fastify';
import { EsignError } from '../errors.js';
import type { Idempotency } from '../idempotency.js';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** v2 routes answer under `/v2/`, `/V2/` (the router ignores case) and `/v2.0/` (the docs' curl examples). */
export function v2(path: string): string[] {
  return [`/v2/${path}`, `/v2.0/${path}`];
}

/** Registers one POST handler under several paths; only the first appears in the OpenAPI document. */
export function post(scope: FastifyInstance, urls: string[], schema: FastifySchema, handler: RouteHandlerMethod): void {
  urls.forEach((url, i) => {
    scope.post(url, { schema: i === 0 ? schema : { ...schema, hide: true } }, handler);
  });
}

export function tenantOf(request: FastifyRequest): string {
  if (!request.esignTenantId) throw new EsignError('apiKeyMissing');
  return request.esignTenantId;
}

/**
 * Answers `ApiResult` for a JSON step; with a requestId the answer goes through the idempotency record, so a
 * retry gets the first answer byte for byte.
 */
export async function answer(
  idempotency: Idempotency,
  request: FastifyRequest,
  reply: FastifyReply,
  route: string,
  work: () => Promise<unknown>,
): Promise<FastifyReply> {
  const body = request.body as Record<string, unknown>;
  const run = async (): Promise<{ status: number; body: string }> => ({ status: 200, body: JSON.stringify({ result: await work(), error: null }) });
  const requestId = typeof body.requestId === 'string' ? body.requestId : undefined;
  const result = requestId ? await idempotency.run(tenantOf(request), requestId, route, body, run) : await run();
  return reply.code(result.status).type('application/json; charset=utf-8').send(result.body);
}
