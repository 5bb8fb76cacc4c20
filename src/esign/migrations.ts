import type { Kysely } from 'kysely';
import type { PartMigrations } from '../platform/migrations.js';
import { mobileMigration, type MobileTables } from './mobile/migrations.js';

/** The e-signature part's tables. Timestamps are unix millis (bigint). */
export type EsignTables = MobileTables & {
  esign_tenants: {
    id: string;
    name: string;
    /** SHA-256 (hex) of the API key; keys are 256-bit random, so a fast hash is safe and lets us look them up. */
    key_hash: string;
    /** The key's first characters, shown by `keys list` so an operator can tell keys apart. */
    key_hint: string;
    created_at: number;
    revoked_at: number | null;
  };
  esign_operations: {
    tenant_id: string;
    id: string;
    kind: string;
    state: string;
    file_name: string;
    /** The document as JSON `[{key, size}]`: the blobs whose concatenation it is (one, or a chunked upload's chunks). */
    content: string | null;
    size: number | null;
    sha256: string | null;
    parent_id: string | null;
    /** Free text for the step that set the state (e.g. why signing failed). */
    detail: string | null;
    created_at: number;
    updated_at: number;
  };
  esign_upload_sessions: {
    id: string;
    tenant_id: string;
    operation_id: string;
    file_name: string;
    chunk_size: number;
    total_size: number;
    total_chunks: number;
    /** Expected whole-file SHA-256 announced at ChunkInit, if any. */
    sha256: string | null;
    state: string;
    created_at: number;
    expires_at: number;
  };
  esign_upload_chunks: {
    session_id: string;
    chunk_index: number;
    size: number;
    sha256: string;
    blob_key: string;
  };
  esign_requests: {
    tenant_id: string;
    request_id: string;
    route: string;
    body_hash: string;
    /** 0 while the first request is still being answered. */
    status: number;
    response: string | null;
    created_at: number;
  };
};

export const esignMigrations: PartMigrations = {
  '001_init': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('esign_tenants')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('name', 'varchar(200)', (c) => c.notNull())
        .addColumn('key_hash', 'varchar(64)', (c) => c.notNull().unique())
        .addColumn('key_hint', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('esign_operations')
        .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('esign_tenants.id'))
        .addColumn('id', 'varchar(36)', (c) => c.notNull())
        .addColumn('kind', 'varchar(32)', (c) => c.notNull())
        .addColumn('state', 'varchar(32)', (c) => c.notNull())
        .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('content', 'text')
        .addColumn('size', 'bigint')
        .addColumn('sha256', 'varchar(64)')
        .addColumn('parent_id', 'varchar(36)')
        .addColumn('detail', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        // Operation ids are per tenant: v1 clients choose their own, and one tenant's choice must not reveal
        // or block another's.
        .addPrimaryKeyConstraint('esign_operations_pk', ['tenant_id', 'id'])
        .execute();
      await db.schema.createIndex('esign_operations_parent').on('esign_operations').columns(['tenant_id', 'parent_id']).execute();
      await db.schema
        .createTable('esign_upload_sessions')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('esign_tenants.id'))
        .addColumn('operation_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('file_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('chunk_size', 'bigint', (c) => c.notNull())
        .addColumn('total_size', 'bigint', (c) => c.notNull())
        .addColumn('total_chunks', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)')
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('esign_upload_sessions_open').on('esign_upload_sessions').columns(['state', 'expires_at']).execute();
      await db.schema
        .createTable('esign_upload_chunks')
        .addColumn('session_id', 'varchar(36)', (c) => c.notNull().references('esign_upload_sessions.id').onDelete('cascade'))
        .addColumn('chunk_index', 'integer', (c) => c.notNull())
        .addColumn('size', 'bigint', (c) => c.notNull())
        .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
        .addColumn('blob_key', 'varchar(255)', (c) => c.notNull())
        .addPrimaryKeyConstraint('esign_upload_chunks_pk', ['session_id', 'chunk_index'])
        .execute();
      await db.schema
        .createTable('esign_requests')
        .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('request_id', 'varchar(21)', (c) => c.notNull())
        .addColumn('route', 'varchar(64)', (c) => c.notNull())
        .addColumn('body_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('response', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('esign_requests_pk', ['tenant_id', 'request_id'])
        .execute();
    },
  },
  '002_mobile': mobileMigration,
};
