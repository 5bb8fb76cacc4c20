import type { Kysely } from 'kysely';
import type { AccessTokenInfo, TokenVerifier } from '../gateway/ports.js';
import type { IdentityTables } from './migrations.js';
import type { RevocationListener } from './oidc-adapter.js';

/**
 * How long a process may answer from memory: the staleness bound for a revocation made by another process (the
 * CLI, another server on the same database). Revocations through this process evict at once.
 */
export const TOKEN_CACHE_MS = 1000;
const CACHE_MAX = 10_000;
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

interface Cached {
  info: AccessTokenInfo;
  grantId: string | undefined;
  at: number;
}

/**
 * The gateway's bearer check: one primary-key lookup of the opaque token in oidc-provider's storage, with a
 * one-second in-process cache. Revocations in this process evict at once (the adapter tells us).
 */
export class DatabaseTokenVerifier implements TokenVerifier, RevocationListener {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly db: Kysely<IdentityTables>,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(accessToken: string): Promise<AccessTokenInfo | null> {
    if (typeof accessToken !== 'string' || !TOKEN.test(accessToken)) return null;
    const now = this.now();
    const hit = this.cache.get(accessToken);
    if (hit && now - hit.at < TOKEN_CACHE_MS) return hit.info.expiresAt * 1000 > now ? hit.info : null;

    const row = await this.db
      .selectFrom('identity_oidc')
      .select(['model', 'payload', 'customer_no', 'expires_at'])
      .where('id', '=', accessToken)
      .where('model', 'in', ['AccessToken', 'ClientCredentials'])
      .executeTakeFirst();
    if (!row || !row.customer_no || (row.expires_at !== null && Number(row.expires_at) <= now)) {
      this.cache.delete(accessToken);
      return null;
    }
    const payload = JSON.parse(row.payload) as { clientId: string; scope?: string; exp: number; grantId?: string };
    const info: AccessTokenInfo = {
      clientId: payload.clientId,
      scopes: (payload.scope ?? '').split(' ').filter(Boolean),
      flow: row.model === 'ClientCredentials' ? 'client_credentials' : 'authorization_code',
      customerNo: row.customer_no,
      expiresAt: payload.exp,
    };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(accessToken, { info, grantId: payload.grantId, at: now });
    return info;
  }

  forget(tokenId: string): void {
    this.cache.delete(tokenId);
  }

  forgetGrant(grantId: string): void {
    for (const [token, entry] of this.cache) if (entry.grantId === grantId) this.cache.delete(token);
  }
}
