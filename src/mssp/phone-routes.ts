import { randomBytes } from 'node:crypto';
import type { FastifyError, FastifyInstance } from 'fastify';
import { PhoneError } from './errors.js';
import { renderPhonePage, pickLang } from './phone-page.js';
import { phoneView, transactionView } from './phone-view.js';
import type { VirtualPhone } from './phone.js';
import { parsePolicy, POLICY_MODES } from './policy.js';

const errorSchema = {
  type: 'object',
  properties: { error: { type: 'string' }, message: { type: 'string' }, attemptsLeft: { type: 'number' }, transactionId: { type: 'string' }, state: { type: 'string' } },
} as const;
const params = { type: 'object', required: ['number'], properties: { number: { type: 'string', maxLength: 20 } } } as const;
const transactionResult = {
  type: 'object',
  properties: {
    transactionId: { type: 'string' },
    state: { type: 'string' },
    statusCode: { type: 'number' },
    fingerprint: { type: 'string' },
    finishedAt: { type: ['string', 'null'] },
  },
} as const;

type Params = { number: string };

/** The virtual phones: the page, its JSON state, and the actions, at /phone/<number>. Errors: {error, message}. */
export async function phoneRoutes(app: FastifyInstance, phone: VirtualPhone): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof PhoneError) return reply.status(error.status).send({ error: error.code, message: error.message, ...error.details });
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'phone route failed');
    return reply.status(status).send({ error: status >= 500 ? 'ERR_INTERNAL' : 'ERR_INVALID_INPUT', message: status >= 500 ? 'internal error' : error.message });
  });

  // POST …/reject needs no body: an empty one is an empty object, so the schema still guards what does come.
  app.addHook('preValidation', async (request) => {
    if (request.body === undefined || request.body === null) request.body = {};
  });

  const view = async (number: string) => {
    await phone.runPolicies();
    const { subscriber, pending } = await phone.pending(number);
    return phoneView(subscriber, pending, phone.subscribers);
  };

  app.get<{ Params: Params; Querystring: { lang?: string } }>(
    '/phone/:number',
    { schema: { summary: 'The virtual phone of a mobile-signature subscriber (HTML)', tags: ['phone'], params, querystring: { type: 'object', properties: { lang: { type: 'string', enum: ['tr', 'en'] } } } } },
    async (request, reply) => {
      const v = await view(request.params.number);
      const nonce = randomBytes(16).toString('base64');
      return reply
        .header('content-security-policy', `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; form-action 'self'; frame-ancestors 'self'`)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(renderPhonePage(v, pickLang(request.query.lang, request.headers['accept-language']), nonce));
    },
  );

  app.get<{ Params: Params }>(
    '/phone/:number/pending',
    { schema: { summary: 'The phone state: pending requests with prompt and fingerprint, PIN attempts, policy', tags: ['phone'], params } },
    async (request, reply) => reply.header('cache-control', 'no-store').send(await view(request.params.number)),
  );

  app.post<{ Params: Params; Body: { pin: string; transactionId?: string } }>(
    '/phone/:number/approve',
    {
      schema: {
        summary: 'Approve the oldest (or the given) pending request with the PIN',
        tags: ['phone'],
        params,
        body: {
          type: 'object',
          required: ['pin'],
          additionalProperties: false,
          properties: { pin: { type: 'string', maxLength: 16 }, transactionId: { type: 'string', maxLength: 64 } },
        },
        response: { 200: transactionResult, '4xx': errorSchema },
      },
    },
    async (request) => transactionView(await phone.approve(request.params.number, { pin: request.body.pin, transactionId: request.body.transactionId })),
  );

  app.post<{ Params: Params; Body: { transactionId?: string } }>(
    '/phone/:number/reject',
    {
      schema: {
        summary: 'Refuse the oldest (or the given) pending request',
        tags: ['phone'],
        params,
        body: { type: 'object', additionalProperties: false, properties: { transactionId: { type: 'string', maxLength: 64 } } },
        response: { 200: transactionResult, '4xx': errorSchema },
      },
    },
    async (request) => transactionView(await phone.reject(request.params.number, { transactionId: request.body.transactionId })),
  );

  app.put<{ Params: Params; Body: unknown }>(
    '/phone/:number/policy',
    {
      schema: {
        summary: 'Set the automatic policy: manual, approve/reject/wrong-pin after N seconds, or ignore (let it expire)',
        tags: ['phone'],
        params,
        body: {
          type: 'object',
          required: ['mode'],
          additionalProperties: false,
          properties: { mode: { type: 'string', enum: [...POLICY_MODES] }, afterSeconds: { type: 'number', minimum: 0, maximum: 3600 } },
        },
        response: { '4xx': errorSchema },
      },
    },
    async (request) => {
      const s = await phone.subscribers.setPolicy(request.params.number, parsePolicy(request.body));
      return { phone: s.phone, policy: s.policy };
    },
  );
}
