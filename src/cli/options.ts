import type { Command } from 'commander';
import { loadConfig, type Config, type ConfigOverrides } from '../platform/config.js';

/** Options every `imzala` command accepts, so any command can point at any data directory. */
export function withDataOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data directory (env IMZALA_DATA_DIR)', undefined)
    .option('--database-url <url>', 'sqlite:<file> or postgres://… (env IMZALA_DATABASE_URL)', undefined);
}

export function configFrom(opts: { data?: string; databaseUrl?: string } & ConfigOverrides): Config {
  return loadConfig({ ...opts, dataDir: opts.data ?? opts.dataDir, databaseUrl: opts.databaseUrl });
}

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}
