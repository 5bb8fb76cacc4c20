import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { envNumber } from '../platform/config.js';
import type { Platform } from '../platform/platform.js';
import type { RateLimit } from '../platform/rate-limit.js';

/** A successful client authentication costs 1 against the buckets, a failed one this much. */
const FAILED_AUTHENTICATION_COST = 5;

/** The RFC 8628 token-endpoint code for a client that calls too fast (RFC 6749 defines none). */
export class ClientAuthenticationThrottled extends errors.OIDCProviderError {
  constructor() {
    super(429, 'slow_down');
    this.error_description = 'too many client authentication attempts; retry after the Retry-After seconds';
  }
}

/**
 * Client authentication (scrypt, tens of milliseconds of CPU) on /connect/token, /connect/introspect and
 * /connect/revocation, limited per client id and per caller address, so a flood of wrong secrets cannot
 * occupy the CPU. Env IMZALA_TOKEN_RATE (per second, default 5) and IMZALA_TOKEN_BURST (default 50) apply to
 * each client id and to each address, shared by every process on the same Redis when one is configured.
 */
export class ClientAuthLimits {
  private readonly byClient: RateLimit;
  private readonly byAddress: RateLimit;

  constructor(platform: Pick<Platform, 'config' | 'rateLimit'>) {
    const rate = envNumber(platform.config.env, 'IMZALA_TOKEN_RATE', 5);
    const burst = envNumber(platform.config.env, 'IMZALA_TOKEN_BURST', 50);
    this.byClient = platform.rateLimit('token-client', rate, burst);
    this.byAddress = platform.rateLimit('token-address', rate, burst);
  }

  /**
   * Wraps oidc-provider's secret check: refused before any scrypt work when the client id is over its limit, and
   * a wrong secret counts as several calls.
   */
  async guard(clientId: string, check: () => Promise<boolean>): Promise<boolean> {
    if ((await this.byClient.take(clientId)) > 0) throw new ClientAuthenticationThrottled();
    const ok = await check();
    if (!ok) await this.byClient.charge(clientId, FAILED_AUTHENTICATION_COST - 1);
    return ok;
  }

  /** Koa middleware for the provider: the per-address limit, the failure surcharge, and Retry-After on every 429. */
  middleware(paths: readonly string[]): (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void> {
    const limited = new Set(paths);
    return async (ctx, next) => {
      if (ctx.method !== 'POST' || !limited.has(ctx.path)) return next();
      const wait = await this.byAddress.take(ctx.ip);
      if (wait > 0) {
        const refused = new ClientAuthenticationThrottled();
        ctx.status = 429;
        ctx.set('cache-control', 'no-store');
        ctx.set('retry-after', String(wait));
        ctx.body = { error: refused.message, error_description: refused.error_description };
        return;
      }
      await next();
      const error = (ctx.body as { error?: unknown } | undefined)?.error;
      if (ctx.status === 401 && error === 'invalid_client') await this.byAddress.charge(ctx.ip, FAILED_AUTHENTICATION_COST - 1);
      const clientId = ctx.oidc?.client?.clientId;
      if (ctx.status === 429 && clientId !== undefined) ctx.set('retry-after', String(await this.byClient.wait(clientId)));
    };
  }
}
