import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { KuveytTurkEnvironment } from '../sdk/index.js';
import { UsageError } from './options.js';

/**
 * Settings of the integrator commands (`imzala kt`, `imzala esign` as a client): flags win over environment
 * variables, which win over the profile file (`--config FILE`, env IMZALA_CONFIG, default
 * ~/.config/imzala/config.json), profile chosen by `--config-profile` / IMZALA_CONFIG_PROFILE ("default").
 *
 *   { "profiles": { "default": { "esign": { "baseUrl": "…", "apiKey": "…" },
 *                               "kt": { "clientId": "…", "clientSecret": "…", "privateKey": "key.pem", "baseUrl": "…" } } } }
 */
export interface ProfileFile {
  profiles?: Record<string, { esign?: { baseUrl?: string; apiKey?: string }; kt?: Partial<KtSettings> & { environment?: string } }>;
}

export interface KtSettings {
  clientId: string;
  clientSecret: string;
  /** PEM text. */
  privateKey: string;
  baseUrl: string | undefined;
  environment: KuveytTurkEnvironment | undefined;
}

export interface EsignSettings {
  baseUrl: string;
  apiKey: string;
}

export interface ProfileOptions {
  config?: string;
  configProfile?: string;
}

export function withProfileOptions(command: Command): Command {
  return command
    .option('--config <file>', 'profile file (env IMZALA_CONFIG; default ~/.config/imzala/config.json)')
    .option('--config-profile <name>', 'profile in that file (env IMZALA_CONFIG_PROFILE; default "default")');
}

function profile(opts: ProfileOptions, env: NodeJS.ProcessEnv): NonNullable<ProfileFile['profiles']>[string] {
  const explicit = opts.config ?? env.IMZALA_CONFIG;
  const file = explicit ?? path.join(env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'), 'imzala', 'config.json');
  const name = opts.configProfile ?? env.IMZALA_CONFIG_PROFILE ?? 'default';
  if (!fs.existsSync(file)) {
    if (explicit) throw new UsageError(`profile file ${file} does not exist`);
    return {};
  }
  let parsed: ProfileFile;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as ProfileFile;
  } catch (err) {
    throw new UsageError(`profile file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const found = parsed.profiles?.[name];
  if (!found && (opts.configProfile ?? env.IMZALA_CONFIG_PROFILE)) throw new UsageError(`profile "${name}" is not in ${file}`);
  return found ?? {};
}

/** A PEM given inline or as a path to a file. */
function readKey(value: string): string {
  if (value.includes('-----BEGIN')) return value;
  try {
    return fs.readFileSync(value, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the private key ${value}: ${(err as Error).message}`);
  }
}

export function esignSettings(opts: ProfileOptions & { baseUrl?: string; apiKey?: string }, env: NodeJS.ProcessEnv = process.env): EsignSettings {
  const p = profile(opts, env).esign ?? {};
  const baseUrl = opts.baseUrl ?? env.IMZALA_BASE_URL ?? p.baseUrl;
  const apiKey = opts.apiKey ?? env.IMZALA_API_KEY ?? p.apiKey;
  if (!baseUrl) throw new UsageError('no e-signature server: pass --base-url or set IMZALA_BASE_URL');
  if (!apiKey) throw new UsageError('no API key: pass --api-key or set IMZALA_API_KEY');
  return { baseUrl, apiKey };
}

export function ktSettings(
  opts: ProfileOptions & { clientId?: string; clientSecret?: string; privateKey?: string; baseUrl?: string; environment?: string },
  env: NodeJS.ProcessEnv = process.env,
): KtSettings {
  const p = profile(opts, env).kt ?? {};
  const clientId = opts.clientId ?? env.IMZALA_KT_CLIENT_ID ?? p.clientId;
  const clientSecret = opts.clientSecret ?? env.IMZALA_KT_CLIENT_SECRET ?? p.clientSecret;
  const key = opts.privateKey ?? env.IMZALA_KT_PRIVATE_KEY ?? p.privateKey;
  const baseUrl = opts.baseUrl ?? env.IMZALA_KT_BASE_URL ?? p.baseUrl;
  const environment = opts.environment ?? env.IMZALA_KT_ENVIRONMENT ?? p.environment;
  if (!clientId || !clientSecret) throw new UsageError('no client credentials: pass --client-id/--client-secret or set IMZALA_KT_CLIENT_ID/IMZALA_KT_CLIENT_SECRET');
  if (!key) throw new UsageError('no private key: pass --private-key FILE or set IMZALA_KT_PRIVATE_KEY');
  if (environment !== undefined && !['sandbox', 'test', 'production'].includes(environment)) {
    throw new UsageError(`--environment is sandbox, test or production, got "${environment}"`);
  }
  if (baseUrl !== undefined && environment !== undefined) throw new UsageError('pass either a base URL or an environment, not both');
  return { clientId, clientSecret, privateKey: readKey(key), baseUrl, environment: environment as KuveytTurkEnvironment | undefined };
}
