import { createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import type { Command } from 'commander';
import { openSystem } from '../../app.js';
import type { Application } from '../../identity/applications.js';
import { ApplicationError } from '../../identity/errors.js';
import type { IdentityPart } from '../../identity/part.js';
import { createLogger } from '../../platform/logger.js';
import { configFrom, UsageError, withDataOptions } from '../options.js';

interface DataOpts {
  data?: string;
  databaseUrl?: string;
  json?: boolean;
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function readKeyFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read public key file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** Runs one command on the identity part's services, straight on the database (no server needed). */
async function withApplications<T>(opts: DataOpts, run: (identity: IdentityPart) => Promise<T>): Promise<T> {
  const config = configFrom(opts);
  // Logs go to stderr so that stdout stays the command's answer (`--json` output is parsed by scripts).
  const system = await openSystem(config, createLogger(config.logLevel, process.stderr));
  try {
    const identity = system.parts.find((p) => p.name === 'identity') as IdentityPart | undefined;
    if (!identity) throw new Error('the identity part is not part of this system');
    return await run(identity);
  } catch (err) {
    // Bad input is a usage error (exit 2); an unknown application is a failure (exit 1).
    if (err instanceof ApplicationError && err.code !== 'ERR_APPLICATION_NOT_FOUND') throw new UsageError(err.message);
    throw err;
  } finally {
    await system.close();
  }
}

function fingerprint(pem: string): string {
  const der = createPublicKey(pem).export({ type: 'spki', format: 'der' });
  return `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`;
}

function describe(app: Application): Record<string, unknown> {
  return {
    clientId: app.clientId,
    name: app.name,
    customerNo: app.customerNo,
    scopes: app.scopes,
    redirectUris: app.redirectUris,
    keyFingerprint: fingerprint(app.publicKey),
    previousKeys: app.previousKeys.length,
    createdAt: app.createdAt.toISOString(),
  };
}

function warn(warnings: readonly string[]): void {
  for (const w of warnings) process.stderr.write(`imzala: warning: ${w}\n`);
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerApps(program: Command): void {
  const apps = program.command('apps').description('register and manage API Market applications (OAuth2 clients)');

  withDataOptions(apps.command('create'))
    .description('register an application; prints its client id and secret (the secret is shown only now)')
    .requiredOption('--name <name>', 'application name')
    .requiredOption('--public-key <file>', 'RSA public key, PEM (BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY), 2048 bits')
    .requiredOption('--scopes <scopes>', 'space-separated scopes, e.g. "public accounts transfers"')
    .option('--redirect-uri <uri>', 'redirect URI for the authorization code flow (repeatable)', collect, [])
    .option('--customer <customerNo>', 'owning bank customer (default: the first corporate customer)')
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { name: string; publicKey: string; scopes: string; redirectUri: string[]; customer?: string }) => {
      const publicKey = readKeyFile(opts.publicKey);
      const created = await withApplications(opts, (identity) =>
        identity.applications.create({ name: opts.name, publicKey, scopes: opts.scopes, redirectUris: opts.redirectUri, customerNo: opts.customer }),
      );
      warn(created.warnings);
      if (opts.json) return out(JSON.stringify({ clientId: created.application.clientId, clientSecret: created.clientSecret }));
      out(`client_id     ${created.application.clientId}`);
      out(`client_secret ${created.clientSecret}   (shown only now: store it safely)`);
      out(`customer      ${created.application.customerNo}`);
      out(`scopes        ${created.application.scopes.join(' ')}`);
    });

  withDataOptions(apps.command('list'))
    .description('list registered applications (never their secrets)')
    .option('--customer <customerNo>', 'only this customer\'s applications')
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { customer?: string }) => {
      const list = await withApplications(opts, (identity) => identity.applications.list(opts.customer));
      if (opts.json) return out(JSON.stringify(list.map(describe)));
      if (list.length === 0) return out('no applications');
      for (const app of list) {
        out(`${app.clientId}  ${app.name}  customer ${app.customerNo}  scopes: ${app.scopes.join(' ')}`);
      }
    });

  withDataOptions(apps.command('rotate-key'))
    .description('register a new public key; the old one is kept as "previous" (the gateway hints at it)')
    .requiredOption('--client-id <id>', 'application client id')
    .requiredOption('--public-key <file>', 'new RSA public key, PEM')
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { clientId: string; publicKey: string }) => {
      const publicKey = readKeyFile(opts.publicKey);
      const { application, warnings } = await withApplications(opts, (identity) => identity.applications.rotateKey(opts.clientId, publicKey));
      warn(warnings);
      if (opts.json) return out(JSON.stringify(describe(application)));
      out(`new key ${fingerprint(application.publicKey)} registered on ${application.clientId}; ${application.previousKeys.length} previous key(s) kept`);
    });

  withDataOptions(apps.command('rotate-secret'))
    .description('issue a new client secret (the old one stops working at once); shown only now')
    .requiredOption('--client-id <id>', 'application client id')
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { clientId: string }) => {
      const clientSecret = await withApplications(opts, (identity) => identity.applications.rotateSecret(opts.clientId));
      if (opts.json) return out(JSON.stringify({ clientId: opts.clientId, clientSecret }));
      out(`client_secret ${clientSecret}   (shown only now: store it safely)`);
    });
}
