import type { Kysely } from 'kysely';
import type { PartMigrations } from '../platform/migrations.js';

/** The simulated operators' own state. Times are unix millis; binary values Base64 text. */
export type MsspTables = {
  mssp_operators: {
    name: string;
    ap_id: string;
    ap_pwd_hash: string;
    created_at: number;
  };
  mssp_subscribers: {
    phone: string;
    operator: string;
    tckn: string;
    given_name: string;
    surname: string;
    pin_hash: string;
    wrong_pins: number;
    blocked: number;
    /** PKCS#8 DER, AES-256-GCM under the key file (iv.tag.ciphertext, Base64). */
    key_enc: string;
    /** JSON array of Base64 DER certificates, the subscriber's first. */
    certificates: string;
    /** JSON AutoPolicy. */
    policy: string;
    created_at: number;
  };
  mssp_transactions: {
    id: string;
    operator: string;
    phone: string;
    ap_id: string;
    ap_trans_id: string;
    mode: string;
    digest: string;
    display: string;
    profile: string;
    /** pending | signed | refused | expired | blocked */
    state: string;
    status_code: number;
    /** Base64 DER CMS SignedData, once signed. */
    signature: string | null;
    created_at: number;
    expires_at: number;
    finished_at: number | null;
  };
};

export const msspMigrations: PartMigrations = {
  '001_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('mssp_operators')
        .addColumn('name', 'varchar(16)', (c) => c.primaryKey())
        .addColumn('ap_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('ap_pwd_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('mssp_subscribers')
        .addColumn('phone', 'varchar(10)', (c) => c.primaryKey())
        .addColumn('operator', 'varchar(16)', (c) => c.notNull())
        .addColumn('tckn', 'varchar(11)', (c) => c.notNull())
        .addColumn('given_name', 'text', (c) => c.notNull())
        .addColumn('surname', 'text', (c) => c.notNull())
        .addColumn('pin_hash', 'text', (c) => c.notNull())
        .addColumn('wrong_pins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('key_enc', 'text', (c) => c.notNull())
        .addColumn('certificates', 'text', (c) => c.notNull())
        .addColumn('policy', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('mssp_transactions')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('operator', 'varchar(16)', (c) => c.notNull())
        .addColumn('phone', 'varchar(10)', (c) => c.notNull())
        .addColumn('ap_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('ap_trans_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('mode', 'varchar(32)', (c) => c.notNull())
        .addColumn('digest', 'text', (c) => c.notNull())
        .addColumn('display', 'text', (c) => c.notNull())
        .addColumn('profile', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('status_code', 'integer', (c) => c.notNull())
        .addColumn('signature', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('finished_at', 'bigint')
        .execute();
      await db.schema.createIndex('mssp_transactions_phone_state').on('mssp_transactions').columns(['phone', 'state']).execute();
      await db.schema.createIndex('mssp_transactions_state_expires').on('mssp_transactions').columns(['state', 'expires_at']).execute();
    },
  },
};
