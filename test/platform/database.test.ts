import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialectOf } from '../../src/platform/database.js';
import { migrateToLatest } from '../../src/platform/migrations.js';
import { testDialect, testPlatform } from '../helpers/platform.js';

type Platform = Awaited<ReturnType<typeof testPlatform>>;

// A type alias, not an interface: withTables<T> needs the implicit index signature.
type CounterTables = {
  counters: { name: string; value: number };
};

const counterMigrations = {
  '001_counters': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('counters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};

describe(`database layer (${testDialect})`, () => {
  let platform: Platform;
  beforeEach(async () => {
    platform = await testPlatform();
  });
  afterEach(async () => {
    await platform.cleanup();
  });

  it('opens the dialect the URL names', () => {
    expect(platform.database.dialect).toBe(testDialect);
    expect(dialectOf('postgresql://x/y')).toBe('postgres');
    expect(() => dialectOf('mysql://u:secret@h/d')).toThrow(/sqlite: or postgres/);
    expect(() => dialectOf('mysql://u:secret@h/d')).not.toThrow(/secret/);
  });

  it('applies each part’s migrations once, and again only what is new', async () => {
    const first = await migrateToLatest(platform.database, { demo: counterMigrations });
    expect(first).toEqual(['demo/001_counters']);
    expect(await migrateToLatest(platform.database, { demo: counterMigrations })).toEqual([]);
    const later = await migrateToLatest(platform.database, {
      demo: counterMigrations,
      another: { '001_x': { up: async (db: Kysely<unknown>) => void (await db.schema.createTable('x').addColumn('id', 'integer').execute()) } },
    });
    expect(later).toEqual(['another/001_x']);
  });

  it('migrates once when several processes open a fresh database at the same moment', async () => {
    const url = platform.config.databaseUrl;
    const script = path.resolve('test/platform/fixtures/slow-migration.ts');
    const runs = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ['--import', 'tsx', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.once('exit', (code) => resolve({ code, stdout, stderr }));
          }),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    // Exactly one process applied the migration; the others waited for it and found nothing to do.
    expect(runs.map((r) => r.stdout).sort()).toEqual(['["race/001_two_tables"]', '[]', '[]']);
  });

  it('returns bigint columns as numbers and keeps transactions atomic', async () => {
    await migrateToLatest(platform.database, { demo: counterMigrations });
    const db = platform.database.db.withTables<CounterTables>();
    await db.insertInto('counters').values({ name: 'a', value: 2 ** 40 }).execute();
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('counters').set({ value: sql<number>`value + 1` }).where('name', '=', 'a').execute();
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const row = await db.selectFrom('counters').selectAll().where('name', '=', 'a').executeTakeFirstOrThrow();
    expect(row.value).toBe(2 ** 40);
    expect(typeof row.value).toBe('number');
  });

  it('a failed migration reports its name and leaves earlier ones applied', async () => {
    await expect(
      migrateToLatest(platform.database, {
        demo: counterMigrations,
        broken: { '001_bad': { up: async (db: Kysely<unknown>) => void (await sql`THIS IS NOT SQL`.execute(db)) } },
      }),
    ).rejects.toMatchObject({ code: 'ERR_MIGRATION', message: expect.stringContaining('broken/001_bad') });
  });
});
