import type { Kysely } from 'kysely';
import type { Platform } from '../platform/platform.js';
import type { TrustTables } from './migrations.js';

export type TrustDb = Kysely<TrustTables>;

export function trustDb(platform: Platform): TrustDb {
  return platform.database.db.withTables<TrustTables>();
}

/** Next value of a counter shared by every process on the database (one atomic UPDATE … RETURNING). */
export async function nextCounter(db: TrustDb, name: string): Promise<number> {
  const row = await db
    .updateTable('trust_counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirst();
  if (row) return Number(row.value);
  await db.insertInto('trust_counters').values({ name, value: 0 }).onConflict((oc) => oc.column('name').doNothing()).execute();
  return nextCounter(db, name);
}
