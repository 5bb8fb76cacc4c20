import type { Kysely } from 'kysely';
import type { PartMigrations } from '../platform/migrations.js';

/** The identity part's tables. Times are unix milliseconds (bigint); JSON is stored as text. */
export type IdentityTables = {
  /** Registered applications (OAuth2 clients). The secret is a scrypt hash, never the plaintext. */
  identity_clients: {
    client_id: string;
    name: string;
    secret_hash: string;
    public_key: string;
    /** JSON array of PEM strings, newest first: the keys this application had before its last rotations. */
    previous_keys: string;
    /** Space-separated. */
    scopes: string;
    /** JSON array. */
    redirect_uris: string;
    customer_no: string;
    created_at: number;
  };
  /** oidc-provider's models (tokens, codes, grants, sessions, interactions), one row each. */
  identity_oidc: {
    id: string;
    model: string;
    payload: string;
    grant_id: string | null;
    uid: string | null;
    user_code: string | null;
    /** For access tokens: whose data the token may see (copied out so the gateway check is one lookup). */
    customer_no: string | null;
    expires_at: number | null;
    consumed_at: number | null;
  };
  /** Where a customer's login stands inside one authorization interaction (password passed, OTP pending). */
  identity_logins: {
    uid: string;
    csrf: string;
    customer_no: string | null;
    otp_hash: string | null;
    otp_expires_at: number | null;
    otp_attempts: number;
    otp_sends: number;
    password_attempts: number;
    created_at: number;
  };
  /** Process-shared secrets (cookie keys, the provider's signing key), created once on first start. */
  identity_settings: {
    name: string;
    value: string;
  };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const identityMigrations: PartMigrations = {
  '001_init': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('identity_clients')
        .addColumn('client_id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret_hash', 'text', (c) => c.notNull())
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('previous_keys', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('customer_no', 'varchar(32)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('identity_clients_customer').on('identity_clients').column('customer_no').execute();

      await db.schema
        .createTable('identity_oidc')
        .addColumn('id', 'varchar(128)', (c) => c.notNull())
        .addColumn('model', 'varchar(64)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'varchar(128)')
        .addColumn('uid', 'varchar(128)')
        .addColumn('user_code', 'varchar(128)')
        .addColumn('customer_no', 'varchar(32)')
        .addColumn('expires_at', 'bigint')
        .addColumn('consumed_at', 'bigint')
        .addPrimaryKeyConstraint('identity_oidc_pk', ['id', 'model'])
        .execute();
      await db.schema.createIndex('identity_oidc_grant').on('identity_oidc').column('grant_id').execute();
      await db.schema.createIndex('identity_oidc_uid').on('identity_oidc').columns(['uid', 'model']).execute();
      await db.schema.createIndex('identity_oidc_expires').on('identity_oidc').column('expires_at').execute();

      await db.schema
        .createTable('identity_logins')
        .addColumn('uid', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('csrf', 'varchar(64)', (c) => c.notNull())
        .addColumn('customer_no', 'varchar(32)')
        .addColumn('otp_hash', 'text')
        .addColumn('otp_expires_at', 'bigint')
        .addColumn('otp_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('otp_sends', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('password_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('identity_settings')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
};
