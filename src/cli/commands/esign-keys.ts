import type { Command } from 'commander';
import { openSystem } from '../../app.js';
import { createEsignServices } from '../../esign/services.js';
import { TenantError, type Tenant, type Tenants } from '../../esign/tenants.js';
import { configFrom, UsageError, withDataOptions } from '../options.js';

type DataOpts = { data?: string; databaseUrl?: string; json?: boolean };

async function withTenants<T>(opts: DataOpts, work: (tenants: Tenants) => Promise<T>): Promise<T> {
  const system = await openSystem(configFrom(opts));
  try {
    return await work(createEsignServices(system.platform).tenants);
  } catch (err) {
    if (err instanceof TenantError && err.code === 'ERR_TENANT_NAME') throw new UsageError(err.message);
    throw err;
  } finally {
    await system.close();
  }
}

function describe(t: Tenant): Record<string, unknown> {
  return {
    tenantId: t.id,
    name: t.name,
    keyHint: t.keyHint,
    createdAt: new Date(t.createdAt).toISOString(),
    revokedAt: t.revokedAt === null ? null : new Date(t.revokedAt).toISOString(),
  };
}

/** `imzala esign keys create|list|revoke`: the API keys (one per tenant) of the e-signature API. */
export function registerEsignKeys(program: Command): void {
  const esign = program.command('esign').description('the Onaylarım e-signature API');
  const keys = esign.command('keys').description('API keys (X-API-KEY); each key is a tenant with its own files');

  withDataOptions(keys.command('create'))
    .description('create a tenant and print its API key (shown once; only its hash is stored)')
    .requiredOption('--name <name>', 'a name for the tenant')
    .option('--json', 'print {"apiKey", "tenantId", "name"} as JSON')
    .action(async (opts: DataOpts & { name: string }) => {
      const { tenant, apiKey } = await withTenants(opts, (t) => t.create(opts.name));
      process.stdout.write(
        opts.json ? `${JSON.stringify({ apiKey, tenantId: tenant.id, name: tenant.name })}\n` : `API key for "${tenant.name}" (tenant ${tenant.id}):\n${apiKey}\n`,
      );
    });

  withDataOptions(keys.command('list'))
    .description('list tenants and their keys (hint only)')
    .option('--json', 'print a JSON array')
    .action(async (opts: DataOpts) => {
      const list = (await withTenants(opts, (t) => t.list())).map(describe);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(list)}\n`);
        return;
      }
      if (list.length === 0) process.stdout.write('no keys; create one with `imzala esign keys create --name NAME`\n');
      for (const t of list) process.stdout.write(`${t.tenantId}  ${t.keyHint}…  ${t.revokedAt ? 'revoked' : 'active '}  ${t.name}\n`);
    });

  withDataOptions(keys.command('revoke'))
    .description('revoke the key of a tenant, by tenant id or name; its requests are refused from then on')
    .argument('<tenant>', 'tenant id or name')
    .option('--json', 'print the revoked tenants as JSON')
    .action(async (idOrName: string, opts: DataOpts) => {
      const revoked = (await withTenants(opts, (t) => t.revoke(idOrName))).map(describe);
      process.stdout.write(opts.json ? `${JSON.stringify(revoked)}\n` : revoked.map((t) => `revoked ${t.tenantId} (${t.name})\n`).join(''));
    });
}
