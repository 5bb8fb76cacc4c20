import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { EsignError, type Language } from '../errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The e-signature tenant the X-API-KEY named (set by the part's auth hook). */
    esignTenantId?: string;
    /** The language of `error`, from `displayLanguage` (body or form field), then headers; Turkish by default. */
    esignLanguage?: Language;
  }
}

export function parseLanguage(value: unknown): Language | undefined {
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (v.startsWith('en')) return 'en';
  if (v.startsWith('tr')) return 'tr';
  return undefined;
}

/** From headers only: what we know before the body is parsed. */
export function headerLanguage(request: FastifyRequest): Language {
  const h = request.headers;
  return parseLanguage(h.displaylanguage) ?? parseLanguage(h['accept-language']) ?? 'tr';
}

export function languageOf(request: FastifyRequest): Language {
  const body = request.body;
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const fromBody = parseLanguage((body as Record<string, unknown>).displayLanguage);
    if (fromBody) return fromBody;
  }
  return request.esignLanguage ?? headerLanguage(request);
}

/** `ApiResult<T>` success. */
export function ok<T>(result: T): { result: T; error: null } {
  return { result, error: null };
}

/** The content type a CoreApi path takes, for the 415 message. */
function expectedType(url: string): string {
  if (/chunkupload/i.test(url)) return 'application/octet-stream';
  if (/uploadfile/i.test(url)) return 'multipart/form-data';
  return 'application/json';
}

/** busboy reports a malformed multipart body with plain Errors; these are the client's fault. */
export function isMalformedMultipart(error: unknown): boolean {
  return error instanceof Error && /^(Multipart: |Unexpected end of |Malformed part header)/.test(error.message);
}

function fromFastify(error: FastifyError, url: string): EsignError {
  if (error instanceof EsignError) return error;
  if (error.validation) return new EsignError('validation', { detail: error.message });
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new EsignError('badJson');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new EsignError('bodyTooLarge');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new EsignError('mediaType', { expected: expectedType(url) });
  }
  if (isMalformedMultipart(error)) return new EsignError('validation', { detail: `malformed multipart/form-data (${error.message})` });
  // JSON.parse errors from the default parser carry status 400 but no FST code.
  if (error instanceof SyntaxError) return new EsignError('badJson');
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new EsignError('validation', { detail: error.message });
  }
  return new EsignError('internal');
}

/** The part's error handler: every error becomes ApiResult with the vendor's status; no stack ever leaves. */
export function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const esign = fromFastify(error, request.url);
  if (esign.status >= 500) request.log.error({ err: error }, 'e-signature request failed');
  // A client that keeps sending a body we refused is cut off rather than read to the end.
  if (esign.status === 413 || esign.status === 415) reply.header('connection', 'close');
  return reply
    .code(esign.status)
    .type('application/json; charset=utf-8')
    .send({ result: null, error: esign.localized(languageOf(request)) });
}
