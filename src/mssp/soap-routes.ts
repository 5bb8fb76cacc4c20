import type { FastifyError, FastifyInstance } from 'fastify';
import { OPERATOR_INFO } from './operators.js';
import { buildFault, sniffSoapVersion, soapContentType } from './protocol.js';
import type { OperatorSimulator } from './simulator.js';
import { STATUS } from './status.js';
import { MAX_XML_BYTES } from './xml.js';

const SOAP_TYPES = ['text/xml', 'application/soap+xml', 'application/xml'];

/**
 * POST /mssp/<operator>/soap for each simulated operator. Whatever goes wrong, the answer is a SOAP Fault
 * carrying an ETSI status, as the operators' endpoints answer.
 */
export async function soapRoutes(app: FastifyInstance, simulators: readonly OperatorSimulator[]): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(SOAP_TYPES, { parseAs: 'string', bodyLimit: MAX_XML_BYTES }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    // Fastify's own rejections (size, media type) are the caller's: 4xx with a WRONG_PARAM fault.
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'MSSP route failed');
    const fault = buildFault('1.1', status >= 500 ? STATUS.INTERNAL_ERROR : STATUS.WRONG_PARAM, status >= 500 ? 'internal error' : error.message);
    return reply.status(status).type(soapContentType('1.1')).send(fault.body);
  });

  // Held synch requests let go when the server shuts down: the transactions live on in the database.
  const held = new Set<AbortController>();
  app.addHook('preClose', async () => {
    for (const h of held) h.abort();
  });

  for (const sim of simulators) {
    const slug = OPERATOR_INFO[sim.operator].slug;
    app.post(
      `/mssp/${slug}/soap`,
      {
        schema: {
          summary: `${OPERATOR_INFO[sim.operator].brand} MSSP simulator (ETSI TS 102 204 SOAP: MSS_Signature, MSS_StatusQuery, MSS_ProfileQuery)`,
          tags: ['mssp'],
          consumes: SOAP_TYPES,
        },
      },
      async (request, reply) => {
        const xml = typeof request.body === 'string' ? request.body : '';
        const abort = new AbortController();
        // A synch request is held open; if the AP hangs up, stop holding (the transaction lives on until expiry).
        reply.raw.once('close', () => abort.abort());
        held.add(abort);
        const result = xml ? await sim.handle(xml, abort.signal).finally(() => held.delete(abort)) : sim.fault(sniffSoapVersion(xml), STATUS.MISSING_PARAM, 'empty request');
        return reply.status(xml ? result.httpStatus : 400).type(result.contentType).send(result.body);
      },
    );
  }
}
