import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { SANDBOX_PASSWORD } from '../../src/banking/seed.js';
import { testConfig, testDialect } from '../helpers/platform.js';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    const code = await main(['node', 'imzala', ...args]);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe(`imzala bank (${testDialect})`, () => {
  let env: Awaited<ReturnType<typeof testConfig>>;
  let data: string[];
  beforeAll(async () => {
    env = await testConfig();
    data = ['--data', env.config.dataDir, '--database-url', env.config.databaseUrl];
  });
  afterAll(async () => env.cleanup());

  it('customers: lists the seeded customers and the public sandbox password, as a table or JSON', async () => {
    const table = await run(['bank', 'customers', ...data]);
    expect(table.code).toBe(0);
    expect(table.out).toContain('400368');
    expect(table.out).toContain('gokcul');
    expect(table.out).toContain(SANDBOX_PASSWORD);
    const json = await run(['bank', 'customers', '--json', ...data]);
    const parsed = JSON.parse(json.out) as { password: string; customers: { customerNo: string; corporate: boolean }[] };
    expect(parsed.password).toBe(SANDBOX_PASSWORD);
    expect(parsed.customers.map((c) => c.customerNo)).toEqual(['400368', '400512', '400777', '500101', '500202', '500303']);
    expect(JSON.stringify(parsed)).not.toContain('scrypt$');
  });

  it('accounts: one customer’s IBANs and balances; bad input exits 2, unknown customer 1', async () => {
    const json = await run(['bank', 'accounts', '500101', '--json', ...data]);
    expect(json.code).toBe(0);
    const accounts = JSON.parse(json.out) as { suffix: number; iban: string; fxCode: string; balance: string }[];
    expect(accounts.map((a) => a.fxCode)).toEqual(['TL', 'USD', 'EUR', 'ALT']);
    expect(accounts[0]!.balance).toMatch(/^\d+\.\d{2}$/);
    expect((await run(['bank', 'accounts', '500101', ...data])).out).toContain(accounts[0]!.iban);
    expect((await run(['bank', 'accounts', 'abc', ...data])).code).toBe(2);
    const unknown = await run(['bank', 'accounts', '999999', ...data]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('no sandbox customer 999999');
    expect((await run(['bank', '--help'])).code).toBe(0);
  });
});
