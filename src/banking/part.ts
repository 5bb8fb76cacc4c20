import type { Kysely } from 'kysely';
import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import type { Gateway } from '../gateway/gateway.js';
import { AccountBook } from './accounts.js';
import { BankCustomerDirectory } from './customers.js';
import { bankingMigrations, type BankingTables } from './migrations.js';
import { bankingRoutes } from './routes.js';
import { SANDBOX_PASSWORD, seedBank } from './seed.js';
import { TransferDesk } from './transfers.js';

export interface BankingPart extends Part {
  readonly customers: BankCustomerDirectory;
  readonly book: AccountBook;
  readonly desk: TransferDesk;
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
  /** The gateway the APIs run behind; without one the part serves no HTTP routes (tables, seed, CLI only). */
  gateway?: Gateway;
}

/** The seeded sandbox bank: its tables, its population, its customer directory, its APIs behind the gateway. */
export function createBankingPart(platform: Platform, deps: BankingDeps = {}): BankingPart {
  const db = bankingDb(platform);
  const customers = deps.customers ?? new BankCustomerDirectory(db);
  const book = new AccountBook(db);
  const desk = new TransferDesk(db);
  const gateway = deps.gateway;
  return {
    name: 'banking',
    migrations: bankingMigrations,
    customers,
    book,
    desk,
    ...(gateway ? { routes: bankingRoutes({ gateway, book, desk }), notFound: gateway.notFound } : {}),
    seed: async () => {
      if (await seedBank(db)) platform.log.info('banking: seeded the sandbox bank');
    },
    banner: async () => [
      `sandbox bank: ${(await customers.list()).length} customers, password "${SANDBOX_PASSWORD}" for all (imzala bank customers)`,
    ],
  };
}
