import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayCallLog } from '../gateway/ports.js';
import type { Application, CreatedApplication, NewApplication } from '../identity/applications.js';
import { ApplicationError } from '../identity/errors.js';
import { ConsoleError, type Developer, type Developers } from './developers.js';
import { secureHeaders } from './static.js';

/** What the console needs from the other parts; the composition root hands these over. */
export interface ConsoleDeps {
  applications: {
    create(input: NewApplication): Promise<CreatedApplication>;
    find(clientId: string): Promise<Application | null>;
    rotateKey(clientId: string, publicKey: string): Promise<{ application: Application; warnings: string[] }>;
    rotateSecret(clientId: string): Promise<string>;
  };
  calls: GatewayCallLog;
  /** Issues an e-signature API key (a new tenant) for the demo. */
  esignKeys: { create(name: string): Promise<{ apiKey: string }> };
  /** The operator simulators' subscribers, for the virtual-phone list. */
  phones: { list(): Promise<Array<{ phone: string; operator: string; givenName: string; surname: string; blocked: boolean }>> };
  /** The OpenAPI document of the whole server. */
  openapi(): unknown;
}

const COOKIE = 'imzala_console';

function cookieOf(request: FastifyRequest): string | undefined {
  for (const part of String(request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return value.join('=');
  }
  return undefined;
}

function setSession(reply: FastifyReply, token: string, secure: boolean): void {
  reply.header('set-cookie', `${COOKIE}=${token}; Path=/console/api; HttpOnly; SameSite=Strict; Max-Age=28800${secure ? '; Secure' : ''}`);
}

const credentials = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 200 } },
} as const;
const clientIdParams = {
  type: 'object',
  required: ['clientId'],
  properties: { clientId: { type: 'string', pattern: '^[0-9a-fA-F-]{36}$' } },
} as const;
const pem = { type: 'string', minLength: 1, maxLength: 20_000 } as const;

function applicationView(app: Application): Record<string, unknown> {
  return { clientId: app.clientId, name: app.name, scopes: app.scopes, redirectUris: app.redirectUris, publicKey: app.publicKey, createdAt: app.createdAt.toISOString() };
}

/** The developer portal's JSON API under /console/api: accounts, applications, recent calls, demo helpers. */
export async function apiRoutes(app: FastifyInstance, developers: Developers, deps: ConsoleDeps): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    secureHeaders(reply);
    if (error instanceof ConsoleError) {
      if (error.retryAfter !== undefined) reply.header('retry-after', String(error.retryAfter));
      return reply.status(error.status).send({ error: error.code, message: error.message });
    }
    if (error instanceof ApplicationError) {
      return reply.status(error.code === 'ERR_APPLICATION_NOT_FOUND' ? 404 : 400).send({ error: error.code, message: error.message });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'console: unhandled error');
    return reply.status(status).send({ error: status >= 500 ? 'ERR_INTERNAL' : 'ERR_INVALID_INPUT', message: status >= 500 ? 'Internal error' : error.message });
  });
  app.addHook('onSend', async (_request, reply) => {
    secureHeaders(reply);
  });

  const signedIn = async (request: FastifyRequest): Promise<Developer> => {
    const developer = await developers.bySession(cookieOf(request));
    if (!developer) throw new ConsoleError('ERR_NOT_SIGNED_IN', 'sign in first', 401);
    return developer;
  };
  const owned = async (request: FastifyRequest<{ Params: { clientId: string } }>): Promise<Application> => {
    const developer = await signedIn(request);
    const clientId = request.params.clientId.toLowerCase();
    const application = (await developers.owns(developer.id, clientId)) ? await deps.applications.find(clientId) : null;
    if (!application) throw new ConsoleError('ERR_NOT_FOUND', 'no such application of yours', 404);
    return application;
  };
  const tags = ['console'];

  app.post<{ Body: { email: string; password: string } }>(
    '/console/api/signup',
    { schema: { tags, summary: 'Developer sign-up; sets the session cookie', body: credentials } },
    async (request, reply) => {
      const { developer, session } = await developers.signUp(request.body.email, request.body.password);
      setSession(reply, session, request.protocol === 'https');
      return reply.code(201).send({ developer });
    },
  );
  app.post<{ Body: { email: string; password: string } }>(
    '/console/api/signin',
    { schema: { tags, summary: 'Developer sign-in; sets the session cookie', body: credentials } },
    async (request, reply) => {
      const { developer, session } = await developers.signIn(request.body.email, request.body.password);
      setSession(reply, session, request.protocol === 'https');
      return { developer };
    },
  );
  app.post('/console/api/signout', { schema: { tags, summary: 'Ends the session' } }, async (request, reply) => {
    await developers.signOut(cookieOf(request));
    reply.header('set-cookie', `${COOKIE}=; Path=/console/api; HttpOnly; SameSite=Strict; Max-Age=0`);
    return { ok: true };
  });
  app.get('/console/api/me', { schema: { tags, summary: 'The signed-in developer' } }, async (request) => ({ developer: await signedIn(request) }));

  app.get('/console/api/apps', { schema: { tags, summary: "The developer's applications" } }, async (request) => {
    const developer = await signedIn(request);
    const found = await Promise.all((await developers.applicationsOf(developer.id)).map((id) => deps.applications.find(id)));
    return { applications: found.filter((a): a is Application => a !== null).map(applicationView) };
  });

  app.post<{ Body: { name: string; scopes: string[]; redirectUris?: string[]; publicKey: string } }>(
    '/console/api/apps',
    {
      schema: {
        tags,
        summary: 'Registers an application with its public key; the client secret is in this answer only',
        body: {
          type: 'object',
          required: ['name', 'scopes', 'publicKey'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            scopes: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', maxLength: 64 } },
            redirectUris: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 2000 } },
            publicKey: pem,
          },
        },
      },
    },
    async (request, reply) => {
      const developer = await signedIn(request);
      const created = await deps.applications.create(request.body);
      await developers.own(developer.id, created.application.clientId);
      return reply.code(201).send({ application: applicationView(created.application), clientSecret: created.clientSecret, warnings: created.warnings });
    },
  );

  app.put<{ Params: { clientId: string }; Body: { publicKey: string } }>(
    '/console/api/apps/:clientId/key',
    { schema: { tags, summary: 'Registers a new public key', params: clientIdParams, body: { type: 'object', required: ['publicKey'], additionalProperties: false, properties: { publicKey: pem } } } },
    async (request) => {
      const application = await owned(request);
      const rotated = await deps.applications.rotateKey(application.clientId, request.body.publicKey);
      return { application: applicationView(rotated.application), warnings: rotated.warnings };
    },
  );

  app.post<{ Params: { clientId: string } }>(
    '/console/api/apps/:clientId/secret',
    { schema: { tags, summary: 'Issues a new client secret (shown once); the old one stops working', params: clientIdParams } },
    async (request) => {
      const application = await owned(request);
      return { clientSecret: await deps.applications.rotateSecret(application.clientId) };
    },
  );

  app.get<{ Params: { clientId: string } }>(
    '/console/api/apps/:clientId/calls',
    { schema: { tags, summary: "The application's recent gateway calls, newest first", params: clientIdParams } },
    async (request) => {
      const application = await owned(request);
      return { calls: await deps.calls.recent(application.clientId, 50) };
    },
  );

  app.post('/console/api/esign-key', { schema: { tags, summary: 'Issues an e-signature API key for the demo' } }, async (request) => {
    const developer = await signedIn(request);
    return { apiKey: (await deps.esignKeys.create(`console ${developer.email} ${new Date().toISOString()}`)).apiKey };
  });

  app.get('/console/api/phones', { schema: { tags, summary: "The operator simulators' subscribers (virtual phones)" } }, async () => ({
    phones: (await deps.phones.list()).map((s) => ({ phone: s.phone, operator: s.operator, name: `${s.givenName} ${s.surname}`, blocked: s.blocked })),
  }));

  app.get('/console/api/openapi', { schema: { hide: true } }, async () => deps.openapi());
}
