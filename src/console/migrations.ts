import type { Kysely } from 'kysely';
import type { PartMigrations } from '../platform/migrations.js';

/** The console's tables. Times are unix milliseconds (bigint). */
export type ConsoleTables = {
  /** Developer-portal accounts; the password is a scrypt hash. */
  console_developers: {
    id: string;
    email: string;
    password_hash: string;
    created_at: number;
  };
  /** Signed-in sessions; only the SHA-256 of the cookie value is stored. */
  console_sessions: {
    token_hash: string;
    developer_id: string;
    expires_at: number;
  };
  /** Which developer registered which application (the identity part owns the application itself). */
  console_applications: {
    client_id: string;
    developer_id: string;
    created_at: number;
  };
  /** Failed sign-ins per e-mail (known or not), so guessing is throttled on every process alike. */
  console_signin_failures: {
    email: string;
    failures: number;
    window_start: number;
    locked_until: number;
  };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export const consoleMigrations: PartMigrations = {
  '001_init': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('console_developers')
        .addColumn('id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('email', 'varchar(254)', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('console_sessions')
        .addColumn('token_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('developer_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('console_applications')
        .addColumn('client_id', 'varchar(36)', (c) => c.primaryKey())
        .addColumn('developer_id', 'varchar(36)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('console_applications_developer').on('console_applications').column('developer_id').execute();
    },
  },  '002_signin_failures': {
    async up(db: AnyDb) {
      await db.schema
        .createTable('console_signin_failures')
        .addColumn('email', 'varchar(254)', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_start', 'bigint', (c) => c.notNull())
        .addColumn('locked_until', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
