import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteAdapter, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, SqliteDialectConfig } from 'kysely';
import pg from 'pg';
import { ConfigError } from './config.js';

export type DialectName = 'sqlite' | 'postgres';

/** The platform's one database handle. Parts narrow it to their own tables with `db.withTables<T>()`. */
export interface Database {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  db: Kysely<{}>;
  dialect: DialectName;
  destroy(): Promise<void>;
}

// int8 and numeric come back from pg as strings; our bigints are money in minor units and counters, well
// inside 2^53, so numbers are the honest type on both dialects.
pg.types.setTypeParser(20, (v) => Number(v));

export function dialectOf(url: string): DialectName {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^sqlite:/i.test(url)) return 'sqlite';
  throw new ConfigError(`IMZALA_DATABASE_URL must start with sqlite: or postgres://, got "${url.replace(/:[^:@/]*@/, ':***@')}"`);
}

export function openDatabase(url: string): Database {
  if (dialectOf(url) === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle client whose connection the server dropped (restart, failover, DROP DATABASE … FORCE) is discarded
    // by the pool and replaced on next use; without a listener its 'error' event would crash the process.
    pool.on('error', () => undefined);
    const db = new Kysely<{}>({ dialect: new PostgresDialect({ pool }) });
    return { db, dialect: 'postgres', destroy: () => db.destroy() };
  }
  const file = url.replace(/^sqlite:(\/\/)?/i, '');
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  // WAL lets the CLI and a running server use the same file at once; busy_timeout makes writers queue, not fail.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<{}>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}

/**
 * Several processes share one SQLite file (the CLI beside a server, servers started together). Kysely's SQLite
 * dialect opens deferred transactions and runs migrations outside any, so two processes starting at once both
 * saw a migration as pending and the second failed on "table already exists". Here every transaction is
 * BEGIN IMMEDIATE, which takes the write lock up front (waiting out busy_timeout rather than failing when a
 * read turns into a write), and migrations run inside one, since SQLite's DDL is transactional.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query anew, which costs more than running a small one. Hands it a
 * view of the connection whose prepare() reuses statements by SQL text (Kysely runs one query at a time on
 * its single connection, so a statement is never busy twice). Bounded: the oldest is dropped when full.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): SqliteDatabase.Database {
  const statements = new Map<string, SqliteDatabase.Statement>();
  const prepare = (source: string): SqliteDatabase.Statement => {
    let statement = statements.get(source);
    if (!statement) {
      statement = sqlite.prepare(source);
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      statements.set(source, statement);
    }
    return statement;
  };
  return new Proxy(sqlite, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
