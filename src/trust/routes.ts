import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { TrustError } from './errors.js';
import type { TrustService } from './service.js';

/** TSA and OCSP requests are a few hundred bytes; anything near this is not a client of ours. */
const BODY_LIMIT = 64 * 1024;

const BINARY_TYPES = ['application/timestamp-query', 'application/ocsp-request', 'application/octet-stream'];

const STATUS_OF: Partial<Record<TrustError['code'], number>> = {
  ERR_TRUST_UNKNOWN_CA: 404,
  ERR_TRUST_UNKNOWN_CERTIFICATE: 404,
  ERR_TRUST_NOT_OUR_CERTIFICATE: 404,
};

function fail(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.status(status).type('application/json').send({ error, message });
}

/** Decodes the GET form of an OCSP request: base64 (RFC 6960 appendix A) or base64url, URL-encoded. */
function decodeGetRequest(raw: string): Buffer | null {
  let text: string;
  try {
    text = decodeURIComponent(raw);
  } catch {
    return null;
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return null;
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

/** HTTP face of the trust services: POST /tsa, POST and GET /ocsp, GET /crl/<ca>.crl, GET /ca/<name>.crt|.pem. */
export async function trustRoutes(app: FastifyInstance, trust: TrustService): Promise<void> {
  app.addContentTypeParser(BINARY_TYPES, { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof TrustError) return fail(reply, STATUS_OF[error.code] ?? 400, error.code, error.message);
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'trust: unhandled error');
    return fail(reply, status, status >= 500 ? 'internal_error' : (error.code ?? 'bad_request'), status >= 500 ? 'Internal error' : error.message);
  });

  const binaryBody = (contentType: string, description: string) => ({
    tags: ['trust'],
    summary: description,
    consumes: [contentType],
    produces: [contentType.replace(/-(query|request)$/, (_m: string, k: string) => (k === 'query' ? '-reply' : '-response'))],
  });

  app.post('/tsa', { schema: binaryBody('application/timestamp-query', 'RFC 3161 time-stamp: DER TimeStampReq in, DER TimeStampResp out') }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) return fail(reply, 415, 'unsupported_media_type', 'send a DER TimeStampReq as application/timestamp-query');
    return reply.type('application/timestamp-reply').send(await trust.timestampResponse(request.body));
  });

  app.post('/ocsp', { schema: binaryBody('application/ocsp-request', 'RFC 6960 OCSP: DER OCSPRequest in, DER OCSPResponse out') }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) return fail(reply, 415, 'unsupported_media_type', 'send a DER OCSPRequest as application/ocsp-request');
    return reply.type('application/ocsp-response').send(await trust.ocspRespond(request.body));
  });

  app.get(
    '/ocsp/*',
    { schema: { tags: ['trust'], summary: 'RFC 6960 OCSP, GET form: base64 (or base64url) of the DER OCSPRequest in the path' } },
    async (request, reply) => {
      const raw = (request.params as Record<string, string>)['*'] ?? '';
      const der = raw.length > BODY_LIMIT ? null : decodeGetRequest(raw);
      // An undecodable path still gets an OCSP answer (malformedRequest), as clients expect from a responder.
      return reply.type('application/ocsp-response').send(await trust.ocspRespond(der ?? Buffer.alloc(0)));
    },
  );

  app.get<{ Params: { file: string } }>(
    '/crl/:file',
    {
      schema: {
        tags: ['trust'],
        summary: "A CA's current CRL (DER): root, turkcell, vodafone, avea",
        params: { type: 'object', properties: { file: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}\\.crl$' } }, required: ['file'] },
      },
    },
    async (request, reply) => {
      const ca = request.params.file.replace(/\.crl$/i, '').toLowerCase();
      return reply.type('application/pkix-crl').send(await trust.crlOf(ca));
    },
  );

  app.get<{ Params: { file: string } }>(
    '/ca/:file',
    {
      schema: {
        tags: ['trust'],
        summary: 'A CA certificate (or the TSA certificate, tsa) as DER (.crt) or PEM (.pem)',
        params: { type: 'object', properties: { file: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}\\.(crt|cer|pem)$' } }, required: ['file'] },
      },
    },
    async (request, reply) => {
      const [name = '', ext = ''] = request.params.file.toLowerCase().split('.');
      const cert = name === 'tsa' ? await trust.tsaCertificate() : await trust.caCertificate(name);
      if (ext === 'pem') return reply.type('application/x-pem-file').send(cert.toString('pem'));
      return reply.type('application/pkix-cert').send(Buffer.from(cert.rawData));
    },
  );
}
