import { createPublicKey, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ClientKeyring } from '../gateway/ports.js';
import { ApplicationError } from './errors.js';
import type { IdentityTables } from './migrations.js';
import type { CustomerDirectory } from './ports.js';
import { parsePublicKey } from './public-keys.js';
import { isScope, splitScopes } from './scopes.js';
import { hashSecret, verifySecret } from '../platform/secrets.js';

/** A registered application as shown to its owner: everything but the secret. */
export interface Application {
  clientId: string;
  name: string;
  publicKey: string;
  previousKeys: string[];
  scopes: string[];
  redirectUris: string[];
  customerNo: string;
  createdAt: Date;
}

export interface NewApplication {
  name: string;
  publicKey: string;
  scopes: readonly string[] | string;
  redirectUris?: readonly string[];
  /** The owning bank customer; the directory's default corporate customer when absent. */
  customerNo?: string;
}

export interface CreatedApplication {
  application: Application;
  /** Shown once; only its scrypt hash is stored. */
  clientSecret: string;
  warnings: string[];
}

type Row = IdentityTables['identity_clients'];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * How long a process trusts its cached copy of an application's keys: the staleness bound for a key rotated by
 * another process (the CLI, another server). Rotations through this process take effect at once.
 */
export const KEY_CACHE_MS = 2000;

function toApplication(row: Row): Application {
  return {
    clientId: row.client_id,
    name: row.name,
    publicKey: row.public_key,
    previousKeys: JSON.parse(row.previous_keys) as string[],
    scopes: splitScopes(row.scopes),
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    customerNo: row.customer_no,
    createdAt: new Date(Number(row.created_at)),
  };
}

function newSecret(): string {
  return `${randomUUID()}-${randomBytes(24).toString('hex')}`;
}

function checkScopes(value: readonly string[] | string): string[] {
  const scopes = typeof value === 'string' ? splitScopes(value) : [...new Set(value.flatMap((s) => splitScopes(s)))];
  if (scopes.length === 0) throw new ApplicationError('ERR_INVALID_SCOPE', 'at least one scope is required');
  const unknown = scopes.filter((s) => !isScope(s));
  if (unknown.length) throw new ApplicationError('ERR_INVALID_SCOPE', `unknown scope(s): ${unknown.join(', ')}`);
  return scopes;
}

function checkRedirectUris(uris: readonly string[]): string[] {
  for (const uri of uris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new ApplicationError('ERR_INVALID_REDIRECT_URI', `redirect URI is not an absolute URL: ${uri}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ApplicationError('ERR_INVALID_REDIRECT_URI', `redirect URI must be http(s): ${uri}`);
    }
    if (url.hash) throw new ApplicationError('ERR_INVALID_REDIRECT_URI', `redirect URI must not have a fragment: ${uri}`);
  }
  return [...new Set(uris)];
}

/** The applications (OAuth2 clients) registered on the API Market, and their keys for the gateway. */
export class Applications implements ClientKeyring {
  private readonly keyObjects = new Map<string, KeyObject>();
  private readonly keyCache = new Map<string, { at: number; keys: { current: KeyObject; others: KeyObject[] } | null }>();

  constructor(
    private readonly db: Kysely<IdentityTables>,
    private readonly customers: CustomerDirectory,
    private readonly now: () => number = Date.now,
  ) {}

  async create(input: NewApplication): Promise<CreatedApplication> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw new ApplicationError('ERR_INVALID_NAME', 'name must be 1-100 characters');
    const key = parsePublicKey(input.publicKey);
    const scopes = checkScopes(input.scopes);
    const redirectUris = checkRedirectUris(input.redirectUris ?? []);
    const customer = input.customerNo === undefined
      ? await this.customers.defaultCorporate()
      : await this.customers.find(input.customerNo);
    if (!customer) throw new ApplicationError('ERR_CUSTOMER_NOT_FOUND', `no bank customer ${input.customerNo}`);
    const clientSecret = newSecret();
    const row: Row = {
      client_id: randomUUID(),
      name,
      secret_hash: await hashSecret(clientSecret),
      public_key: key.pem,
      previous_keys: '[]',
      scopes: scopes.join(' '),
      redirect_uris: JSON.stringify(redirectUris),
      customer_no: customer.customerNo,
      created_at: Date.now(),
    };
    await this.db.insertInto('identity_clients').values(row).execute();
    return { application: toApplication(row), clientSecret, warnings: key.warning ? [key.warning] : [] };
  }

  async list(customerNo?: string): Promise<Application[]> {
    let query = this.db.selectFrom('identity_clients').selectAll().orderBy('created_at').orderBy('client_id');
    if (customerNo !== undefined) query = query.where('customer_no', '=', customerNo);
    return (await query.execute()).map(toApplication);
  }

  async find(clientId: string): Promise<Application | null> {
    const row = await this.row(clientId);
    return row ? toApplication(row) : null;
  }

  /** The stored row, secret hash included: for the OAuth2 server only. */
  async row(clientId: string): Promise<Row | null> {
    if (!UUID.test(clientId)) return null;
    return (await this.db.selectFrom('identity_clients').selectAll().where('client_id', '=', clientId.toLowerCase()).executeTakeFirst()) ?? null;
  }

  async authenticate(clientId: string, secret: string): Promise<Application | null> {
    const row = await this.row(clientId);
    return row && (await verifySecret(row.secret_hash, secret)) ? toApplication(row) : null;
  }

  /** Registers a new public key; the old one is kept first among the previous keys (the gateway's hint). */
  async rotateKey(clientId: string, publicKey: string): Promise<{ application: Application; warnings: string[] }> {
    const key = parsePublicKey(publicKey);
    const row = await this.row(clientId);
    if (!row) throw new ApplicationError('ERR_APPLICATION_NOT_FOUND', `no application ${clientId}`);
    const previous = [row.public_key, ...(JSON.parse(row.previous_keys) as string[])].filter((p) => p !== key.pem).slice(0, 10);
    await this.db
      .updateTable('identity_clients')
      .set({ public_key: key.pem, previous_keys: JSON.stringify(previous) })
      .where('client_id', '=', row.client_id)
      .execute();
    this.keyCache.clear();
    return {
      application: toApplication({ ...row, public_key: key.pem, previous_keys: JSON.stringify(previous) }),
      warnings: key.warning ? [key.warning] : [],
    };
  }

  /** Issues a new secret; the old one stops working at once. */
  async rotateSecret(clientId: string): Promise<string> {
    const row = await this.row(clientId);
    if (!row) throw new ApplicationError('ERR_APPLICATION_NOT_FOUND', `no application ${clientId}`);
    const clientSecret = newSecret();
    await this.db.updateTable('identity_clients').set({ secret_hash: await hashSecret(clientSecret) }).where('client_id', '=', row.client_id).execute();
    return clientSecret;
  }

  async keysOf(clientId: string): Promise<{ current: KeyObject; others: readonly KeyObject[] } | null> {
    const cached = this.keyCache.get(clientId);
    const now = this.now();
    if (cached && now - cached.at < KEY_CACHE_MS) return cached.keys;
    const keys = await this.loadKeys(clientId);
    if (this.keyCache.size > 10_000) this.keyCache.clear();
    this.keyCache.set(clientId, { at: now, keys });
    return keys;
  }

  private async loadKeys(clientId: string): Promise<{ current: KeyObject; others: KeyObject[] } | null> {
    const own = await this.row(clientId);
    if (!own) return null;
    const siblings = await this.db
      .selectFrom('identity_clients')
      .select(['client_id', 'public_key', 'previous_keys'])
      .where('customer_no', '=', own.customer_no)
      .where('client_id', '!=', own.client_id)
      .orderBy('created_at')
      .execute();
    const others = [
      ...(JSON.parse(own.previous_keys) as string[]),
      ...siblings.flatMap((s) => [s.public_key, ...(JSON.parse(s.previous_keys) as string[])]),
    ];
    return {
      current: this.keyObject(own.public_key),
      others: [...new Set(others)].filter((p) => p !== own.public_key).map((p) => this.keyObject(p)),
    };
  }

  private keyObject(pem: string): KeyObject {
    let key = this.keyObjects.get(pem);
    if (!key) {
      key = createPublicKey(pem);
      this.keyObjects.set(pem, key);
    }
    return key;
  }
}
