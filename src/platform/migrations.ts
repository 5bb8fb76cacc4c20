import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';

/** Each part owns its tables; its migrations are named `<part>/<NNN>_<what>` so parts never collide. */
export type PartMigrations = Record<string, Migration>;

export class MigrationError extends Error {
  readonly code = 'ERR_MIGRATION';
}

export async function migrateToLatest(database: Database, sets: Record<string, PartMigrations>): Promise<string[]> {
  const all: Record<string, Migration> = {};
  for (const [part, migrations] of Object.entries(sets)) {
    for (const [name, migration] of Object.entries(migrations)) all[`${part}/${name}`] = migration;
  }
  const provider: MigrationProvider = { getMigrations: async () => all };
  // Parts add migrations independently, so a new one may sort before another part's applied one.
  const migrator = new Migrator({ db: database.db, provider, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
