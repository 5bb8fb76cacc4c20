import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
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
  const db = new Kysely<{}>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}
