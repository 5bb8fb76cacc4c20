import type { Kysely } from 'kysely';
import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import { BankCustomerDirectory } from './customers.js';
import { bankingMigrations, type BankingTables } from './migrations.js';
import { SANDBOX_PASSWORD, seedBank } from './seed.js';

export interface BankingPart extends Part {
  readonly customers: BankCustomerDirectory;
}

export function bankingDb(platform: Platform): Kysely<BankingTables> {
  return platform.database.db.withTables<BankingTables>();
}

/** The identity server's view of the bank's customers; needs only the platform, so it can be built first. */
export function createCustomerDirectory(platform: Platform): BankCustomerDirectory {
  return new BankCustomerDirectory(bankingDb(platform));
}

export interface BankingDeps {
  customers?: BankCustomerDirectory;
}

/** The seeded sandbox bank: its tables, its population, its customer directory. */
export function createBankingPart(platform: Platform, deps: BankingDeps = {}): BankingPart {
  const db = bankingDb(platform);
  const customers = deps.customers ?? new BankCustomerDirectory(db);
  return {
    name: 'banking',
    migrations: bankingMigrations,
    customers,
    seed: async () => {
      if (await seedBank(db)) platform.log.info('banking: seeded the sandbox bank');
    },
    banner: async () => [
      `sandbox bank: ${(await customers.list()).length} customers, password "${SANDBOX_PASSWORD}" for all (imzala bank customers)`,
    ],
  };
}
