import { createHash, randomBytes } from 'node:crypto';
import { ApiError, AuthenticationError, RateLimitError, ScopeError } from '../errors.js';
import { retryAfterSeconds, type RetryClass, type Transport } from '../transport.js';

/** What the identity server hands out, with the expiry made absolute (unix ms). */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  expiresAt: number;
  scopes: string[];
  refreshToken?: string | undefined;
}

/**
 * Where authorization-code tokens live between requests (a session store, a database row, a file). The SDK
 * writes the rotated refresh token back after every refresh, so a store must persist `set` before returning.
 */
export interface TokenStore {
  get(key: string): Promise<TokenSet | undefined>;
  set(key: string, tokens: TokenSet): Promise<void>;
  delete(key: string): Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  private readonly tokens = new Map<string, TokenSet>();
  async get(key: string): Promise<TokenSet | undefined> {
    return this.tokens.get(key);
  }
  async set(key: string, tokens: TokenSet): Promise<void> {
    this.tokens.set(key, tokens);
  }
  async delete(key: string): Promise<void> {
    this.tokens.delete(key);
  }
}

export interface IdentityClientOptions {
  transport: Transport;
  identityUrl: string;
  clientId: string;
  clientSecret: string;
  /** Renew this many seconds before the token expires; default 60. */
  refreshSkewSeconds?: number;
  now?: () => number;
}

export interface AuthorizationRequest {
  redirectUri: string;
  scopes: readonly string[];
  /** Generated (32 random bytes, base64url) when absent. */
  state?: string;
  /** PKCE S256; on by default. */
  pkce?: boolean;
  uiLocales?: 'tr' | 'en';
}

export interface AuthorizationStart {
  url: string;
  state: string;
  /** Keep it with the state (server-side session); `exchangeCode` needs it. */
  codeVerifier: string | undefined;
}

export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier?: string | undefined;
  /** Store the tokens under this key (a user id) in the token store. */
  storeAs?: string;
}

const base64url = (bytes: Buffer): string => bytes.toString('base64url');

/** The OAuth2 side: client-credentials tokens cached per scope set, the authorization-code flow, revocation. */
export class IdentityClient {
  private readonly cache = new Map<string, TokenSet>();
  private readonly inflight = new Map<string, Promise<TokenSet>>();
  private readonly refreshing = new Map<string, Promise<TokenSet>>();
  private readonly skewMs: number;
  private readonly now: () => number;

  constructor(
    private readonly options: IdentityClientOptions,
    readonly store: TokenStore,
  ) {
    this.skewMs = (options.refreshSkewSeconds ?? 60) * 1000;
    this.now = options.now ?? Date.now;
  }

  private fresh(tokens: TokenSet | undefined): tokens is TokenSet {
    return tokens !== undefined && tokens.expiresAt - this.skewMs > this.now();
  }

  /**
   * A client-credentials token for exactly this scope set, from the cache while it has more than the skew to
   * live; concurrent callers share one token request.
   */
  async clientToken(scopes: readonly string[]): Promise<TokenSet> {
    const key = [...new Set(scopes)].sort().join(' ');
    const cached = this.cache.get(key);
    if (this.fresh(cached)) return cached;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.tokenRequest({ grant_type: 'client_credentials', scope: key }, 'idempotent').finally(() =>
        this.inflight.delete(key),
      );
      this.inflight.set(key, pending);
    }
    const tokens = await pending;
    this.cache.set(key, tokens);
    return tokens;
  }

  /** Drops a cached token the gateway refused (revoked or expired early), so the next call fetches another. */
  forget(accessToken: string): void {
    for (const [key, tokens] of this.cache) if (tokens.accessToken === accessToken) this.cache.delete(key);
  }

  authorizationUrl(request: AuthorizationRequest): AuthorizationStart {
    const state = request.state ?? base64url(randomBytes(32));
    const url = new URL(`${this.options.identityUrl}/connect/authorize`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.options.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('scope', request.scopes.join(' '));
    url.searchParams.set('state', state);
    let codeVerifier: string | undefined;
    if (request.pkce !== false) {
      codeVerifier = base64url(randomBytes(32));
      url.searchParams.set('code_challenge', base64url(createHash('sha256').update(codeVerifier).digest()));
      url.searchParams.set('code_challenge_method', 'S256');
    }
    if (request.uiLocales) url.searchParams.set('ui_locales', request.uiLocales);
    return { url: url.toString(), state, codeVerifier };
  }

  /**
   * Reads the redirect back (`?code=…&state=…` or `?error=…`), checks the state against the one issued, and
   * exchanges the code.
   */
  async handleCallback(
    callbackUrl: string | URL,
    expected: { state: string; codeVerifier?: string | undefined; redirectUri: string; storeAs?: string },
  ): Promise<TokenSet> {
    const params = new URL(callbackUrl).searchParams;
    if (params.get('state') !== expected.state) {
      throw new AuthenticationError('the callback state does not match the one issued (possible CSRF)', { oauthError: 'invalid_state' });
    }
    const error = params.get('error');
    if (error) {
      throw new AuthenticationError(params.get('error_description') ?? `authorization failed: ${error}`, { oauthError: error });
    }
    const code = params.get('code');
    if (!code) throw new AuthenticationError('the callback carries neither code nor error', { oauthError: 'invalid_request' });
    return this.exchangeCode({ code, redirectUri: expected.redirectUri, codeVerifier: expected.codeVerifier, ...(expected.storeAs ? { storeAs: expected.storeAs } : {}) });
  }

  async exchangeCode(exchange: CodeExchange): Promise<TokenSet> {
    const form: Record<string, string> = { grant_type: 'authorization_code', code: exchange.code, redirect_uri: exchange.redirectUri };
    if (exchange.codeVerifier) form.code_verifier = exchange.codeVerifier;
    // A code is single-use: never repeat the exchange on an ambiguous failure.
    const tokens = await this.tokenRequest(form, 'once');
    if (exchange.storeAs !== undefined) await this.store.set(exchange.storeAs, tokens);
    return tokens;
  }

  /**
   * Uses the stored refresh token and stores the rotated one. Concurrent callers for the same key share one
   * refresh: a rotated refresh token used twice would be refused (and may revoke the grant).
   */
  refresh(key: string): Promise<TokenSet> {
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = (async () => {
        const current = await this.store.get(key);
        if (!current?.refreshToken) throw new AuthenticationError(`no refresh token stored for "${key}"`, { oauthError: 'invalid_grant' });
        const tokens = await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: current.refreshToken }, 'once');
        await this.store.set(key, { ...tokens, refreshToken: tokens.refreshToken ?? current.refreshToken });
        return tokens;
      })().finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return pending;
  }

  /** The stored user's access token, refreshed (with rotation) when it is within the skew of expiring. */
  async userToken(key: string): Promise<TokenSet> {
    const current = await this.store.get(key);
    if (!current) throw new AuthenticationError(`no tokens stored for "${key}"; run the authorization-code flow first`);
    return this.fresh(current) ? current : this.refresh(key);
  }

  /** Revokes a token at the identity server; with a store key, revokes its refresh token and forgets it. */
  async revoke(token: string, hint?: 'access_token' | 'refresh_token'): Promise<void> {
    const form: Record<string, string> = { token };
    if (hint) form.token_type_hint = hint;
    await this.post('/connect/revocation', form, 'idempotent');
  }

  async revokeStored(key: string): Promise<void> {
    const tokens = await this.store.get(key);
    if (!tokens) return;
    if (tokens.refreshToken) await this.revoke(tokens.refreshToken, 'refresh_token');
    await this.revoke(tokens.accessToken, 'access_token');
    await this.store.delete(key);
  }

  private async tokenRequest(form: Record<string, string>, retry: RetryClass): Promise<TokenSet> {
    const started = this.now();
    const body = await this.post('/connect/token', form, retry);
    const json = body as { access_token?: unknown; token_type?: unknown; expires_in?: unknown; scope?: unknown; refresh_token?: unknown };
    if (typeof json.access_token !== 'string' || typeof json.expires_in !== 'number') {
      throw new ApiError('the token endpoint answered without access_token/expires_in', { status: 200, body });
    }
    return {
      accessToken: json.access_token,
      tokenType: typeof json.token_type === 'string' ? json.token_type : 'Bearer',
      expiresAt: started + json.expires_in * 1000,
      scopes: typeof json.scope === 'string' ? json.scope.split(' ').filter(Boolean) : (form.scope ?? '').split(' ').filter(Boolean),
      refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
    };
  }

  private async post(path: string, form: Record<string, string>, retry: RetryClass): Promise<unknown> {
    const payload = new URLSearchParams({ ...form, client_id: this.options.clientId, client_secret: this.options.clientSecret });
    const res = await this.options.transport.request({
      method: 'POST',
      url: new URL(`${this.options.identityUrl}${path}`),
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: Buffer.from(payload.toString(), 'utf8'),
      retry,
    });
    const text = res.body.toString('utf8');
    let json: unknown = undefined;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    if (res.status >= 200 && res.status < 300) return json;
    const err = (json ?? {}) as { error?: unknown; error_description?: unknown };
    const oauthError = typeof err.error === 'string' ? err.error : undefined;
    const message = typeof err.error_description === 'string' ? err.error_description : (oauthError ?? `identity server answered ${res.status}`);
    const details = { status: res.status, body: json, referenceId: res.headers.get('x-request-id') ?? undefined };
    if (res.status === 429) throw new RateLimitError(message, { ...details, retryAfter: retryAfterSeconds(res.headers) });
    if (oauthError === 'invalid_scope') throw new ScopeError(message, details);
    if (oauthError !== undefined || res.status === 401) throw new AuthenticationError(message, { ...details, oauthError });
    throw new ApiError(message, details);
  }
}
