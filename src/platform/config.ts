import path from 'node:path';

/** Settings every part shares. Parts read their own tunables from `env` through `envNumber`/`envString`. */
export interface Config {
  dataDir: string;
  /** `sqlite:<file>` (default, under dataDir) or `postgres://…`. */
  databaseUrl: string;
  host: string;
  port: number;
  /** Where clients reach this server; issuer of tokens, base of URLs written into certificates. */
  publicUrl: string;
  redisUrl: string | undefined;
  /**
   * Whose X-Forwarded-* headers to believe (fastify's trustProxy): false by default, so a client cannot pick
   * the address that rate limits count; `true` or a list of proxy addresses/CIDRs behind a reverse proxy.
   */
  trustProxy: boolean | string;
  logLevel: string;
  env: NodeJS.ProcessEnv;
}

export interface ConfigOverrides {
  dataDir?: string;
  databaseUrl?: string;
  host?: string;
  port?: number;
  publicUrl?: string;
  logLevel?: string;
}

export class ConfigError extends Error {
  readonly code = 'ERR_CONFIG';
}

export function envNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
  return value;
}

export function envString(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  return raw === undefined || raw === '' ? fallback : raw;
}

/** Flags win over environment variables, which win over defaults. */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = path.resolve(overrides.dataDir ?? envString(env, 'IMZALA_DATA_DIR', './data'));
  const port = overrides.port ?? envNumber(env, 'IMZALA_PORT', 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`port must be 0-65535, got ${port}`);
  const host = overrides.host ?? envString(env, 'IMZALA_HOST', '127.0.0.1');
  const databaseUrl =
    overrides.databaseUrl ?? envString(env, 'IMZALA_DATABASE_URL', `sqlite:${path.join(dataDir, 'imzala.sqlite')}`);
  const publicUrl = (
    overrides.publicUrl ?? envString(env, 'IMZALA_PUBLIC_URL', `http://localhost:${port}`)
  ).replace(/\/+$/, '');
  return {
    dataDir,
    databaseUrl,
    host,
    port,
    publicUrl,
    redisUrl: env.IMZALA_REDIS_URL || undefined,
    trustProxy: trustProxyOf(envString(env, 'IMZALA_TRUST_PROXY', 'false')),
    logLevel: overrides.logLevel ?? envString(env, 'IMZALA_LOG_LEVEL', 'info'),
    env,
  };
}

function trustProxyOf(value: string): boolean | string {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0' || v === '') return false;
  return value.trim();
}
