import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import type { Applications } from './applications.js';
import { LoginStates } from './login-states.js';
import { consentPage, errorPage, langOf, loginPage, otpPage, pageHeaders, text, type Lang } from './pages.js';
import type { CustomerDirectory } from './ports.js';
import { INTERACTION_PATH } from './provider.js';
import { splitScopes } from './scopes.js';

export interface InteractionDeps {
  provider: Provider;
  applications: Applications;
  customers: CustomerDirectory;
  logins: LoginStates;
}

interface UidParams {
  uid: string;
}
interface FormBody {
  csrf?: string;
  lang?: string;
  customerNo?: string;
  password?: string;
  code?: string;
  decision?: string;
}

const uidSchema = { type: 'object', properties: { uid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }, required: ['uid'] } as const;
const formSchema = {
  type: 'object',
  properties: {
    csrf: { type: 'string', maxLength: 100 },
    lang: { type: 'string', maxLength: 8 },
    customerNo: { type: 'string', maxLength: 32 },
    password: { type: 'string', maxLength: 128 },
    code: { type: 'string', maxLength: 12 },
    decision: { type: 'string', enum: ['approve', 'refuse'] },
  },
} as const;

function send(reply: FastifyReply, status: number, render: (nonce: string) => string): FastifyReply {
  const nonce = randomBytes(12).toString('base64url');
  return reply.status(status).headers(pageHeaders(nonce)).send(render(nonce));
}

/** Thrown by the interaction handlers for anything the customer should see as "start again". */
class InteractionGone extends Error {
  readonly code = 'ERR_INTERACTION_GONE';
}

/**
 * The customer's side of the authorization code flow: password, the sandbox SMS one-time code, consent.
 * Every form carries the interaction's CSRF token; oidc-provider's interaction cookie binds the browser.
 */
export async function interactionRoutes(app: FastifyInstance, deps: InteractionDeps): Promise<void> {
  const { provider, applications, customers, logins } = deps;
  await app.register(formbody, { bodyLimit: 8 * 1024 });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const lang = langOf(undefined, (request.body as FormBody | undefined)?.lang);
    if (error instanceof InteractionGone || (error as { name?: string }).name === 'SessionNotFound') {
      return send(reply, 400, (n) => errorPage(lang, n, text(lang).expired));
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'interaction failed');
    return send(reply, status, (n) => errorPage(lang, n, status >= 500 ? 'Internal error' : error.message));
  });

  async function details(request: FastifyRequest<{ Params: UidParams }>, reply: FastifyReply): Promise<InteractionDetails> {
    const found = await provider.interactionDetails(request.raw, reply.raw);
    if (found.uid !== request.params.uid) throw new InteractionGone('interaction does not match this browser');
    return found;
  }

  function context(request: FastifyRequest<{ Params: UidParams }>, lang: Lang, csrf: string, appName: string) {
    const action = `${INTERACTION_PATH}/${request.params.uid}`;
    return { lang, action, csrf, appName, switchHref: `${action}?lang=${lang === 'tr' ? 'en' : 'tr'}` };
  }

  async function appName(d: InteractionDetails): Promise<string> {
    return (await applications.find(d.params.client_id ?? ''))?.name ?? d.params.client_id ?? '';
  }

  async function checkedState(request: FastifyRequest<{ Params: UidParams; Body: FormBody }>) {
    const state = await logins.get(request.params.uid);
    if (!state || !logins.csrfMatches(state, request.body?.csrf)) throw new InteractionGone('missing or wrong CSRF token');
    return state;
  }

  async function finish(request: FastifyRequest<{ Params: UidParams }>, reply: FastifyReply, result: Record<string, unknown>) {
    const to = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: !('error' in result) });
    await logins.close(request.params.uid);
    return reply.header('cache-control', 'no-store').redirect(to, 303);
  }

  const refused = (description: string) => ({ error: 'access_denied', error_description: description });

  app.get<{ Params: UidParams; Querystring: { lang?: string } }>(
    `${INTERACTION_PATH}/:uid`,
    { schema: { hide: true, params: uidSchema, querystring: { type: 'object', properties: { lang: { type: 'string', maxLength: 8 } } } } },
    async (request, reply) => {
      const d = await details(request, reply);
      const lang = langOf(d.params.ui_locales, request.query.lang);
      const state = await logins.open(request.params.uid);
      const c = context(request, lang, state.csrf, await appName(d));
      if (d.prompt.name === 'login') return send(reply, 200, (nonce) => loginPage({ ...c, nonce }));
      const scopes = splitScopes(d.params.scope);
      return send(reply, 200, (nonce) => consentPage({ ...c, nonce, scopes }));
    },
  );

  app.post<{ Params: UidParams; Body: FormBody }>(
    `${INTERACTION_PATH}/:uid/login`,
    { schema: { hide: true, params: uidSchema, body: formSchema } },
    async (request, reply) => {
      const d = await details(request, reply);
      const state = await checkedState(request);
      const lang = langOf(d.params.ui_locales, request.body.lang);
      const c = context(request, lang, state.csrf, await appName(d));
      if (d.prompt.name !== 'login') throw new InteractionGone('not at the login step');
      const customerNo = (request.body.customerNo ?? '').trim();
      const customer = customerNo && request.body.password ? await customers.authenticate(customerNo, request.body.password) : null;
      if (!customer) {
        if (!(await logins.passwordFailed(request.params.uid))) return finish(request, reply, refused('too many failed sign-in attempts'));
        return send(reply, 401, (nonce) => loginPage({ ...c, nonce, customerNo, error: text(lang).badPassword }));
      }
      const code = await logins.sendCode(request.params.uid, customer.customerNo);
      if (!code) return finish(request, reply, refused('too many one-time codes requested'));
      return send(reply, 200, (nonce) => otpPage({ ...c, nonce, phone: maskPhone(customer.phoneNumber), smsCode: code }));
    },
  );

  app.post<{ Params: UidParams; Body: FormBody }>(
    `${INTERACTION_PATH}/:uid/resend`,
    { schema: { hide: true, params: uidSchema, body: formSchema } },
    async (request, reply) => {
      const d = await details(request, reply);
      const state = await checkedState(request);
      if (!state.customer_no) throw new InteractionGone('no sign-in in progress');
      const customer = await customers.find(state.customer_no);
      const code = customer ? await logins.sendCode(request.params.uid, customer.customerNo) : null;
      if (!customer || !code) return finish(request, reply, refused('too many one-time codes requested'));
      const lang = langOf(d.params.ui_locales, request.body.lang);
      const c = context(request, lang, state.csrf, await appName(d));
      return send(reply, 200, (nonce) => otpPage({ ...c, nonce, phone: maskPhone(customer.phoneNumber), smsCode: code }));
    },
  );

  app.post<{ Params: UidParams; Body: FormBody }>(
    `${INTERACTION_PATH}/:uid/otp`,
    { schema: { hide: true, params: uidSchema, body: formSchema } },
    async (request, reply) => {
      const d = await details(request, reply);
      const state = await checkedState(request);
      if (!state.customer_no || d.prompt.name !== 'login') throw new InteractionGone('no sign-in in progress');
      const { result, attemptsLeft } = await logins.checkCode(state, (request.body.code ?? '').trim());
      if (result === 'ok') return finish(request, reply, { login: { accountId: state.customer_no, amr: ['pwd', 'otp'] } });
      const customer = await customers.find(state.customer_no);
      const lang = langOf(d.params.ui_locales, request.body.lang);
      const c = context(request, lang, state.csrf, await appName(d));
      const error = result === 'wrong' ? text(lang).badOtp(attemptsLeft) : text(lang).otpUsedUp;
      return send(reply, 401, (nonce) => otpPage({ ...c, nonce, phone: maskPhone(customer?.phoneNumber ?? ''), error }));
    },
  );

  app.post<{ Params: UidParams; Body: FormBody }>(
    `${INTERACTION_PATH}/:uid/consent`,
    { schema: { hide: true, params: uidSchema, body: formSchema } },
    async (request, reply) => {
      const d = await details(request, reply);
      await checkedState(request);
      if (d.prompt.name !== 'consent' || !d.session?.accountId) throw new InteractionGone('not at the consent step');
      if (request.body.decision !== 'approve') return finish(request, reply, refused('the customer refused the request'));
      const grant = (d.grantId ? await provider.Grant.find(d.grantId) : undefined)
        ?? new provider.Grant({ accountId: d.session.accountId, clientId: d.params.client_id ?? '' });
      grant.addOIDCScope(splitScopes(d.params.scope).join(' '));
      return finish(request, reply, { consent: { grantId: await grant.save() } });
    },
  );

  app.post<{ Params: UidParams; Body: FormBody }>(
    `${INTERACTION_PATH}/:uid/abort`,
    { schema: { hide: true, params: uidSchema, body: formSchema } },
    async (request, reply) => {
      await details(request, reply);
      await checkedState(request);
      return finish(request, reply, refused('the customer cancelled the sign-in'));
    },
  );
}

/** Shows only the last digits of the phone the code "went to", as a bank's SMS page does. */
function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  return digits.length >= 4 ? `*** *** ${digits.slice(-4, -2)} ${digits.slice(-2)}` : '***';
}
