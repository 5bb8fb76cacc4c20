import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { ClientKeyring, TokenVerifier } from '../gateway/ports.js';
import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import { Applications } from './applications.js';
import { ClientAuthLimits } from './client-auth-limits.js';
import { ensureDemoApp, readDemoApp } from './demo-app.js';
import { interactionRoutes } from './interaction-routes.js';
import { LoginStates } from './login-states.js';
import { identityMigrations, type IdentityTables } from './migrations.js';
import { sweepExpired } from './oidc-adapter.js';
import { PROVIDER_DOCS } from './openapi.js';
import type { CustomerDirectory } from './ports.js';
import { createProvider, ROUTES } from './provider.js';
import { DatabaseTokenVerifier } from './token-verifier.js';

export interface IdentityDeps {
  customers: CustomerDirectory;
}

export interface IdentityPart extends Part {
  /** The gateway's bearer-token check (port TokenVerifier). */
  readonly tokens: TokenVerifier;
  /** The gateway's signature keys (port ClientKeyring). */
  readonly keyring: ClientKeyring;
  /** Application registration and rotation (CLI, console). */
  readonly applications: Applications;
}

/** oidc-provider's own paths, each handed over whole (Koa inside) with the path's canonical spelling. */
const PROVIDER_PATHS: ReadonlyArray<{ url: string; canonical: (path: string) => string }> = [
  ...Object.values(ROUTES).map((route) => ({ url: route, canonical: () => route })),
  { url: `${ROUTES.authorization}/:uid`, canonical: (p: string) => `${ROUTES.authorization}/${p.split('/').pop() ?? ''}` },
  { url: `${ROUTES.end_session}/*`, canonical: (p: string) => p.replace(/^\/connect\/endsession/i, ROUTES.end_session) },
];

export function createIdentityPart(platform: Platform, deps: IdentityDeps): IdentityPart {
  const db = platform.database.db.withTables<IdentityTables>();
  const applications = new Applications(db, deps.customers);
  const tokens = new DatabaseTokenVerifier(db);
  const logins = new LoginStates(db);
  const clientAuthLimits = new ClientAuthLimits(platform);
  let provider: Promise<Provider> | undefined;
  const getProvider = (): Promise<Provider> =>
    (provider ??= createProvider({ issuer: platform.config.publicUrl, db, applications, customers: deps.customers, revocations: tokens, clientAuthLimits, log: platform.log }));

  async function routes(app: FastifyInstance): Promise<void> {
    const oidc = await getProvider();
    const callback = oidc.callback();

    await app.register(async (scope) => {
      // oidc-provider reads the body itself: fastify must leave the stream untouched.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
      for (const { url, canonical } of PROVIDER_PATHS) {
        const handler = (request: FastifyRequest, reply: FastifyReply): void => {
          const raw = request.raw.url ?? '/';
          const q = raw.indexOf('?');
          const query = q === -1 ? '' : raw.slice(q);
          request.raw.url = canonical(q === -1 ? raw : raw.slice(0, q)) + withDefaultPrompt(url, query);
          reply.hijack();
          callback(request.raw, reply.raw);
        };
        const docs = PROVIDER_DOCS[url];
        const methods = (['GET', 'POST', 'OPTIONS'] as const).filter((m) => m !== docs?.method);
        scope.route({ method: [...methods], url, schema: { hide: true }, handler });
        // Documented for the OpenAPI document only: oidc-provider validates the request itself.
        if (docs) scope.route({ method: docs.method, url, schema: docs.schema, validatorCompiler: () => () => true, handler });
      }
    });
    await app.register(async (scope) => interactionRoutes(scope, { provider: oidc, applications, customers: deps.customers, logins }));
  }

  return {
    name: 'identity',
    migrations: identityMigrations,
    tokens,
    keyring: applications,
    applications,
    routes,
    // Unknown paths under /connect answer in the identity server's own (RFC 6749) error shape.
    notFound: {
      matches: (url: string) => /^\/connect(\/|\?|$)/i.test(url),
      reply: (_request: FastifyRequest, reply: FastifyReply) => reply.status(404).send({ error: 'invalid_request', error_description: 'Path not found' }),
    },
    seed: async () => {
      await ensureDemoApp(applications, platform.config.dataDir);
    },
    banner: async () => {
      const demo = readDemoApp(platform.config.dataDir);
      if (!demo) return [];
      return [
        `demo application (client credentials): client_id ${demo.clientId}`,
        `  client_secret ${demo.clientSecret}`,
        `  private key ${demo.files.privateKeyPkcs1} (PKCS#1), ${demo.files.privateKeyPkcs8} (PKCS#8); public key ${demo.files.publicKey}`,
        `  token: POST ${platform.config.publicUrl}${ROUTES.token}`,
      ];
    },
    start: async () => {
      const sweep = (): void => {
        Promise.all([sweepExpired(db), logins.sweep()]).catch((err: unknown) => platform.log.warn({ err }, 'identity: sweep failed'));
      };
      const timer = setInterval(sweep, 10 * 60 * 1000);
      timer.unref();
      return async () => clearInterval(timer);
    },
  };
}

/**
 * The API Market's customer always signs in and consents (a bank asks every time), and offline_access needs
 * prompt=consent in oidc-provider: an authorization request without `prompt` gets `login consent`.
 */
function withDefaultPrompt(route: string, query: string): string {
  if (route !== ROUTES.authorization || !query) return query;
  const params = new URLSearchParams(query.slice(1));
  if (params.has('prompt')) return query;
  return `${query}&prompt=${encodeURIComponent('login consent')}`;
}
