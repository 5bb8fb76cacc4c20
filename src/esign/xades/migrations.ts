import type { Kysely } from 'kysely';
import type { PartMigrations } from '../../platform/migrations.js';

export type XadesTables = {
  xades_pending: {
    id: string;
    /** PendingState as JSON text. */
    state: string;
    /** Blob key of the document the state was prepared over. */
    document_key: string;
    created_at: number;
    expires_at: number;
  };
};

export const xadesMigrations: PartMigrations = {
  '001_pending': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('xades_pending')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('document_key', 'varchar(200)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('xades_pending_expires').on('xades_pending').column('expires_at').execute();
    },
  },
};
