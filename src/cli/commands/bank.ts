import type { Command } from 'commander';
import { openSystem } from '../../app.js';
import type { BankingPart } from '../../banking/part.js';
import { Amount, fxCodeOf } from '../../banking/money.js';
import { SANDBOX_PASSWORD } from '../../banking/seed.js';
import { configFrom, UsageError, withDataOptions } from '../options.js';

interface Options {
  data?: string;
  databaseUrl?: string;
  json?: boolean;
}

async function withBank<T>(opts: Options, run: (bank: BankingPart) => Promise<T>): Promise<T> {
  const system = await openSystem(configFrom(opts));
  try {
    const bank = system.parts.find((p) => p.name === 'banking') as BankingPart | undefined;
    if (!bank) throw new Error('the banking part is not in this build');
    return await run(bank);
  } finally {
    await system.close();
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((cell, i) => cell + ' '.repeat(widths[i]! - [...cell].length)).join('  ').trimEnd()).join('\n');
}

/** `imzala bank …`: the seeded sandbox bank, read straight from the database (no server needed). */
export function registerBank(program: Command): void {
  const bank = program.command('bank').description('the sandbox bank: its test customers and their accounts');

  withDataOptions(bank.command('customers'))
    .description(`list the sandbox customers (every one logs in with the public sandbox password "${SANDBOX_PASSWORD}")`)
    .option('--json', 'print JSON for scripts')
    .action(async (opts: Options) => {
      await withBank(opts, async ({ customers }) => {
        const list = await customers.list();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ password: SANDBOX_PASSWORD, customers: list }, null, 2)}\n`);
          return;
        }
        const rows = [['CUSTOMER', 'TYPE', 'NAME', 'CORPORATE WEB USER', 'PHONE (SMS)']];
        for (const c of list) rows.push([c.customerNo, c.corporate ? 'corporate' : 'retail', c.name, c.corporateWebUserName ?? '-', c.phoneNumber]);
        process.stdout.write(`${table(rows)}\n\nSandbox password for every customer: ${SANDBOX_PASSWORD}\n`);
      });
    });

  withDataOptions(bank.command('accounts'))
    .description("list a customer's accounts with IBANs and balances")
    .argument('<customerNo>', 'the customer number, e.g. 400368')
    .option('--json', 'print JSON for scripts')
    .action(async (customerNo: string, opts: Options) => {
      if (!/^\d{1,12}$/.test(customerNo)) throw new UsageError(`customer number must be digits, got "${customerNo}"`);
      await withBank(opts, async ({ customers, book }) => {
        if (!(await customers.find(customerNo))) throw new Error(`no sandbox customer ${customerNo} (see: imzala bank customers)`);
        const views = await book.accounts(customerNo, {});
        const accounts = views.map(({ account: a, branchName }) => ({
          suffix: a.suffix,
          iban: a.iban,
          fxCode: fxCodeOf(a.fx_id),
          balance: new Amount(a.balance).toFixed2(),
          availableBalance: new Amount(a.available_balance).toFixed2(),
          productType: a.product_type,
          isActive: a.is_active === 1,
          branchName,
        }));
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(accounts, null, 2)}\n`);
          return;
        }
        const rows = [['SUFFIX', 'IBAN', 'FX', 'BALANCE', 'AVAILABLE', 'PRODUCT', 'STATE']];
        for (const a of accounts) rows.push([String(a.suffix), a.iban, a.fxCode, a.balance, a.availableBalance, a.productType, a.isActive ? 'open' : 'closed']);
        process.stdout.write(`${table(rows)}\n`);
      });
    });
}
