import type { Kysely } from 'kysely';
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Applications } from './applications.js';
import type { IdentityTables } from './migrations.js';

/** Models that may be used once; a second use is a replay. */
const SINGLE_USE = ['AuthorizationCode', 'RefreshToken'];
/** Models whose rows belong to a grant and go when the grant is revoked. */
const GRANTABLE = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest'];

export interface RevocationListener {
  forget(tokenId: string): void;
  forgetGrant(grantId: string): void;
}

/**
 * oidc-provider's storage over our database, so every process (servers and CLI) shares tokens, codes,
 * grants, sessions and interactions. Clients are not stored here: the `Client` model reads the
 * applications table and hands oidc-provider the metadata it needs (the secret as its scrypt hash).
 */
export function oidcAdapter(db: Kysely<IdentityTables>, applications: Applications, revocations: RevocationListener): new (model: string) => Adapter {
  return class KyselyOidcAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const customerNo = await this.customerOf(payload);
      const row = {
        payload: JSON.stringify(payload),
        grant_id: typeof payload.grantId === 'string' ? payload.grantId : null,
        uid: typeof payload.uid === 'string' ? payload.uid : null,
        user_code: typeof payload.userCode === 'string' ? payload.userCode : null,
        customer_no: customerNo,
        expires_at: expiresIn ? Date.now() + expiresIn * 1000 : null,
        consumed_at: null,
      };
      await db
        .insertInto('identity_oidc')
        .values({ id, model: this.model, ...row })
        .onConflict((oc) => oc.columns(['id', 'model']).doUpdateSet(row))
        .execute();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clientMetadata(applications, id);
      if (id.length > 128) return undefined;
      const row = await db.selectFrom('identity_oidc').select(['payload', 'expires_at', 'consumed_at']).where('id', '=', id).where('model', '=', this.model).executeTakeFirst();
      return row ? live(row) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (uid.length > 128) return undefined;
      const row = await db.selectFrom('identity_oidc').select(['payload', 'expires_at', 'consumed_at']).where('uid', '=', uid).where('model', '=', this.model).executeTakeFirst();
      return row ? live(row) : undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (userCode.length > 128) return undefined;
      const row = await db.selectFrom('identity_oidc').select(['payload', 'expires_at', 'consumed_at']).where('user_code', '=', userCode).where('model', '=', this.model).executeTakeFirst();
      return row ? live(row) : undefined;
    }

    /**
     * Marks a code or refresh token used, atomically: of two requests racing with the same one (in one process
     * or several) only the first wins; the loser is treated as a replay, which revokes the grant.
     */
    async consume(id: string): Promise<void> {
      const result = await db
        .updateTable('identity_oidc')
        .set({ consumed_at: Date.now() })
        .where('id', '=', id)
        .where('model', '=', this.model)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0 && SINGLE_USE.includes(this.model)) {
        const row = await db.selectFrom('identity_oidc').select('grant_id').where('id', '=', id).where('model', '=', this.model).executeTakeFirst();
        if (row?.grant_id) await this.revokeByGrantId(row.grant_id);
        throw new errors.InvalidGrant(`${this.model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used`);
      }
    }

    async destroy(id: string): Promise<void> {
      await db.deleteFrom('identity_oidc').where('id', '=', id).where('model', '=', this.model).execute();
      revocations.forget(id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await db.deleteFrom('identity_oidc').where('grant_id', '=', grantId).where('model', 'in', GRANTABLE).execute();
      revocations.forgetGrant(grantId);
    }

    /** Whose data an access token opens: the logged-in customer, or the application's owner for client credentials. */
    private async customerOf(payload: AdapterPayload): Promise<string | null> {
      if (this.model === 'AccessToken' && typeof payload.accountId === 'string') return payload.accountId;
      if (this.model === 'ClientCredentials' && typeof payload.clientId === 'string') {
        return (await applications.row(payload.clientId))?.customer_no ?? null;
      }
      return null;
    }
  };
}

function live(row: { payload: string; expires_at: number | null; consumed_at: number | null }): AdapterPayload | undefined {
  if (row.expires_at !== null && Number(row.expires_at) <= Date.now()) return undefined;
  const payload = JSON.parse(row.payload) as AdapterPayload;
  if (row.consumed_at !== null) payload.consumed = Math.floor(Number(row.consumed_at) / 1000);
  return payload;
}

async function clientMetadata(applications: Applications, clientId: string): Promise<AdapterPayload | undefined> {
  const row = await applications.row(clientId);
  if (!row) return undefined;
  const redirectUris = JSON.parse(row.redirect_uris) as string[];
  const withCode = redirectUris.length > 0;
  return {
    client_id: row.client_id,
    // The scrypt hash: Client#compareClientSecret is replaced to verify against it (see provider.ts).
    client_secret: row.secret_hash,
    client_name: row.name,
    grant_types: withCode ? ['client_credentials', 'authorization_code', 'refresh_token'] : ['client_credentials'],
    response_types: withCode ? ['code'] : [],
    redirect_uris: redirectUris,
    scope: row.scopes,
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

/** Drops rows that expired more than a minute ago; oidc-provider never asks for them again. */
export async function sweepExpired(db: Kysely<IdentityTables>): Promise<number> {
  const result = await db.deleteFrom('identity_oidc').where('expires_at', '<', Date.now() - 60_000).executeTakeFirst();
  return Number(result.numDeletedRows);
}
