import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EsignTables } from './migrations.js';

export interface Tenant {
  id: string;
  name: string;
  keyHint: string;
  createdAt: number;
  revokedAt: number | null;
}

export class TenantError extends Error {
  constructor(
    readonly code: 'ERR_TENANT_NAME' | 'ERR_TENANT_NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/**
 * API-key tenants. Each key is its own tenant (the vendor's model: one key per customer account). Keys are
 * 256 random bits, stored only as SHA-256: with that much entropy a slow hash adds nothing, and a fast one lets
 * every request find its tenant with one indexed lookup.
 */
export class Tenants {
  constructor(private readonly db: Kysely<EsignTables>) {}

  async create(name: string): Promise<{ tenant: Tenant; apiKey: string }> {
    const trimmed = name.trim();
    if (trimmed === '' || trimmed.length > 200) throw new TenantError('ERR_TENANT_NAME', 'name must be 1-200 characters');
    const apiKey = `imz_${randomBytes(32).toString('base64url')}`;
    const tenant: Tenant = { id: randomUUID(), name: trimmed, keyHint: apiKey.slice(0, 10), createdAt: Date.now(), revokedAt: null };
    await this.db
      .insertInto('esign_tenants')
      .values({ id: tenant.id, name: tenant.name, key_hash: hashKey(apiKey), key_hint: tenant.keyHint, created_at: tenant.createdAt, revoked_at: null })
      .execute();
    return { tenant, apiKey };
  }

  async list(): Promise<Tenant[]> {
    const rows = await this.db.selectFrom('esign_tenants').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toTenant);
  }

  /** Revokes by tenant id or by name (all keys of that name); returns the tenants revoked. */
  async revoke(idOrName: string): Promise<Tenant[]> {
    const rows = await this.db
      .selectFrom('esign_tenants')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .where('revoked_at', 'is', null)
      .execute();
    if (rows.length === 0) throw new TenantError('ERR_TENANT_NOT_FOUND', `no active key with id or name "${idOrName}"`);
    const now = Date.now();
    await this.db.updateTable('esign_tenants').set({ revoked_at: now }).where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => toTenant({ ...r, revoked_at: now }));
  }

  /** The active tenant holding this key, or undefined. */
  async authenticate(apiKey: string): Promise<Tenant | undefined> {
    const row = await this.db
      .selectFrom('esign_tenants')
      .selectAll()
      .where('key_hash', '=', hashKey(apiKey))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row ? toTenant(row) : undefined;
  }
}

function toTenant(row: EsignTables['esign_tenants']): Tenant {
  return { id: row.id, name: row.name, keyHint: row.key_hint, createdAt: row.created_at, revokedAt: row.revoked_at };
}
