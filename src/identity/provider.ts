import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { handler as clientCredentialsHandler, parameters as clientCredentialsParameters } from 'oidc-provider/lib/actions/grants/client_credentials.js';
import type { Logger } from '../platform/logger.js';
import type { Applications } from './applications.js';
import type { ClientAuthLimits } from './client-auth-limits.js';
import type { IdentityTables } from './migrations.js';
import { oidcAdapter, type RevocationListener } from './oidc-adapter.js';
import { errorPage, langOf, pageHeaders } from './pages.js';
import type { CustomerDirectory } from './ports.js';
import { CLIENT_CREDENTIALS_SCOPES, SCOPES, isScope, splitScopes } from './scopes.js';
import { verifySecret } from '../platform/secrets.js';

export const ROUTES = {
  authorization: '/connect/authorize',
  token: '/connect/token',
  revocation: '/connect/revocation',
  introspection: '/connect/introspect',
  userinfo: '/connect/userinfo',
  jwks: '/connect/jwks',
  end_session: '/connect/endsession',
  discovery: '/.well-known/openid-configuration',
} as const;

export const INTERACTION_PATH = '/connect/interaction';

/** Secrets every process must share: cookie signing keys and the provider's signing key, made once. */
async function sharedSettings(db: Kysely<IdentityTables>): Promise<{ cookieKeys: string[]; jwk: Record<string, unknown> }> {
  const wanted = {
    cookie_keys: () => JSON.stringify([randomBytes(32).toString('base64url')]),
    signing_jwk: () => {
      const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
      return JSON.stringify({ ...jwk, kid: randomUUID(), use: 'sig', alg: 'RS256' });
    },
  };
  for (const [name, make] of Object.entries(wanted)) {
    const have = await db.selectFrom('identity_settings').select('name').where('name', '=', name).executeTakeFirst();
    if (!have) await db.insertInto('identity_settings').values({ name, value: make() }).onConflict((oc) => oc.column('name').doNothing()).execute();
  }
  const rows = await db.selectFrom('identity_settings').selectAll().execute();
  const value = (name: string): string => rows.find((r) => r.name === name)?.value ?? '';
  return { cookieKeys: JSON.parse(value('cookie_keys')) as string[], jwk: JSON.parse(value('signing_jwk')) as Record<string, unknown> };
}

export interface ProviderDeps {
  issuer: string;
  db: Kysely<IdentityTables>;
  applications: Applications;
  customers: CustomerDirectory;
  revocations: RevocationListener;
  clientAuthLimits: ClientAuthLimits;
  log: Logger;
}

/**
 * oidc-provider configured as the API Market's identity server: opaque tokens (1 h), refresh tokens (24 h,
 * rotated on every use), client_credentials + authorization_code (PKCE S256 when sent), our pages for login
 * and consent, and client secrets checked against their scrypt hash.
 */
export async function createProvider(deps: ProviderDeps): Promise<Provider> {
  const { cookieKeys, jwk } = await sharedSettings(deps.db);

  const provider = new Provider(deps.issuer, {
    adapter: oidcAdapter(deps.db, deps.applications, deps.revocations),
    clients: [],
    scopes: [...SCOPES],
    claims: { openid: ['sub'] },
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => false },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    // Only the server's own pages (the console's token helper) may call from a browser; other origins stay refused.
    clientBasedCORS: (ctx: { origin: string }, origin: string) => origin === ctx.origin,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: { enabled: false },
    },
    routes: {
      authorization: ROUTES.authorization,
      token: ROUTES.token,
      revocation: ROUTES.revocation,
      introspection: ROUTES.introspection,
      userinfo: ROUTES.userinfo,
      jwks: ROUTES.jwks,
      end_session: ROUTES.end_session,
    },
    ttl: {
      AccessToken: 3600,
      ClientCredentials: 3600,
      AuthorizationCode: 300,
      RefreshToken: 24 * 3600,
      Interaction: 1800,
      Session: 24 * 3600,
      Grant: 14 * 24 * 3600,
    },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }, code: { scopes: Set<string> }) =>
      client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    cookies: { keys: cookieKeys },
    jwks: { keys: [jwk] },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PATH}/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => {
      const customer = await deps.customers.find(sub);
      return customer ? { accountId: customer.customerNo, claims: async () => ({ sub: customer.customerNo }) } : undefined;
    },
    // oidc-provider quietly drops scopes it does not know; the API Market refuses them. By the time extra
    // parameters are validated `params.scope` is already filtered, so the request's own value is checked.
    extraParams: {
      async scope(ctx: KoaContextWithOIDC) {
        const raw = ctx.method === 'POST' ? (ctx.oidc.body as Record<string, unknown> | undefined)?.scope : ctx.query.scope;
        const requested = splitScopes(typeof raw === 'string' ? raw : undefined);
        if (requested.length === 0) throw new errors.InvalidRequest('scope is required');
        const unknown = requested.find((s) => !isScope(s));
        if (unknown) throw new errors.InvalidScope(`unknown scope: ${unknown}`, unknown);
      },
    },
    renderError: async (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
      const nonce = randomBytes(12).toString('base64url');
      for (const [name, value] of Object.entries(pageHeaders(nonce))) ctx.set(name, value);
      const lang = langOf(ctx.oidc?.params?.ui_locales);
      ctx.type = 'html';
      ctx.body = errorPage(lang, nonce, out.error_description ?? out.error, out.error);
    },
  });
  provider.proxy = true;

  // Secrets are stored as scrypt hashes; oidc-provider's plain comparison is replaced by a hash check, rate
  // limited per client id.
  const limits = deps.clientAuthLimits;
  provider.Client.prototype.compareClientSecret = function compareHashed(this: { clientId: string; clientSecret?: string }, actual: string) {
    return limits.guard(this.clientId, () => verifySecret(this.clientSecret ?? '', actual));
  };

  provider.registerGrantType('client_credentials', clientCredentialsGrant, clientCredentialsParameters);
  provider.use(tokenResponseShape);
  provider.use(limits.middleware([ROUTES.token, ROUTES.introspection, ROUTES.revocation]));
  provider.on('server_error', (_ctx: unknown, err: unknown) => deps.log.error({ err }, 'identity server error'));
  return provider;
}

/**
 * client_credentials as the API Market has it: every requested scope must be a known one the application is
 * registered for (never silently dropped); no scope asks for all of the application's scopes.
 */
async function clientCredentialsGrant(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  const params = ctx.oidc.params ?? {};
  const registered = splitScopes(ctx.oidc.client?.scope);
  const requested = splitScopes(params.scope);
  const unknown = requested.find((s) => !(CLIENT_CREDENTIALS_SCOPES as readonly string[]).includes(s));
  if (unknown) throw new errors.InvalidScope(`unknown scope for client credentials: ${unknown}`, unknown);
  const notAllowed = requested.find((s) => !registered.includes(s));
  if (notAllowed) throw new errors.InvalidScope(`scope not registered for this application: ${notAllowed}`, notAllowed);
  if (requested.length === 0) {
    params.scope = registered.filter((s) => (CLIENT_CREDENTIALS_SCOPES as readonly string[]).includes(s)).join(' ');
  }
  return clientCredentialsHandler(ctx, next);
}

/**
 * Responses exactly as the API Market sends them: the token response without id_token in a fixed member
 * order, and errors as RFC 6749 `{error, error_description}` only.
 */
async function tokenResponseShape(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  const body = ctx.body as Record<string, unknown> | undefined;
  if (ctx.status >= 400 && body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body.error === 'string') {
    ctx.body = { error: body.error, error_description: body.error_description };
    return;
  }
  if (ctx.oidc?.route === 'token' && ctx.status === 200 && body && typeof body.access_token === 'string') {
    ctx.body = {
      access_token: body.access_token,
      expires_in: body.expires_in,
      token_type: body.token_type,
      scope: body.scope,
      ...(body.refresh_token ? { refresh_token: body.refresh_token } : {}),
    };
  }
}
