import type { Kysely } from 'kysely';
import type { PartMigrations } from '../platform/migrations.js';

/** The trust part's tables. Timestamps are unix millis (bigint). */
export type TrustTables = {
  /** One fixed row (id 'pki'): whoever inserts it first owns the creation of the hierarchy. */
  trust_pki: { id: string; created_at: number };
  /** CA, TSA and OCSP-signer identities: certificate and sealed PKCS#8 private key. */
  trust_authorities: {
    name: string;
    kind: string;
    issuer: string | null;
    certificate_pem: string;
    private_key: string;
    created_at: number;
  };
  /** Every certificate a CA issued (sub-CAs, TSA, OCSP signers, subscribers) with its revocation state. */
  trust_certificates: {
    serial: string;
    ca: string;
    kind: string;
    subject: string;
    tckn: string | null;
    operator: string | null;
    certificate_pem: string;
    not_before: number;
    not_after: number;
    status: string;
    revoked_at: number | null;
    revocation_reason: string | null;
    /** Only when the caller asked to keep a software key (sealed PKCS#8). */
    private_key: string | null;
    created_at: number;
  };
  /** Counters shared by every process on the database (TSA serial numbers, CRL numbers). */
  trust_counters: { name: string; value: number };
};

export const trustMigrations: PartMigrations = {
  '001_init': {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('trust_pki')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('trust_authorities')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('issuer', 'varchar(64)')
        .addColumn('certificate_pem', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('trust_certificates')
        .addColumn('serial', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('ca', 'varchar(64)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('tckn', 'varchar(11)')
        .addColumn('operator', 'varchar(16)')
        .addColumn('certificate_pem', 'text', (c) => c.notNull())
        .addColumn('not_before', 'bigint', (c) => c.notNull())
        .addColumn('not_after', 'bigint', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('revocation_reason', 'varchar(32)')
        .addColumn('private_key', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('trust_certificates_ca_status').on('trust_certificates').columns(['ca', 'status']).execute();
      await db.schema.createIndex('trust_certificates_tckn').on('trust_certificates').column('tckn').execute();
      await db.schema
        .createTable('trust_counters')
        .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
