import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bankingDb, createCustomerDirectory } from '../../src/banking/part.js';
import { ibanFor, isValidTurkishIban } from '../../src/banking/iban.js';
import { buildSeedRows, SANDBOX_PASSWORD, seedBank } from '../../src/banking/seed.js';
import { bankingMigrations } from '../../src/banking/migrations.js';
import { openDatabase } from '../../src/platform/database.js';
import { migrateToLatest } from '../../src/platform/migrations.js';
import { testDialect, testPlatform, testSystem } from '../helpers/platform.js';

describe(`seeded sandbox bank (${testDialect})`, () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  beforeAll(async () => {
    system = await testSystem();
  });
  afterAll(async () => system.cleanup());

  it('stores exactly the deterministic population, and seeding again changes nothing', async () => {
    const db = bankingDb(system.platform);
    const expected = await buildSeedRows();
    expect(await buildSeedRows()).toEqual(expected);
    expect(await seedBank(db)).toBe(false);
    const accounts = await db.selectFrom('banking_accounts').selectAll().orderBy('id').execute();
    expect(accounts).toEqual(expected.banking_accounts);
    const customers = await db.selectFrom('banking_customers').selectAll().orderBy('customer_no').execute();
    expect(customers).toEqual([...expected.banking_customers].sort((a, b) => a.customer_no.localeCompare(b.customer_no)));
    const txCount = await db.selectFrom('banking_transactions').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(txCount.n)).toBe(expected.banking_transactions.length);
  });

  it('seeds once when several processes race on a fresh database', async () => {
    const first = await testPlatform();
    const second = openDatabase(first.config.databaseUrl);
    try {
      await migrateToLatest(first.database, { banking: bankingMigrations });
      const results = await Promise.all([seedBank(bankingDb(first)), seedBank(second.db.withTables())]);
      expect(results.filter(Boolean)).toHaveLength(1);
      const n = await bankingDb(first).selectFrom('banking_accounts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe((await buildSeedRows()).banking_accounts.length);
    } finally {
      await second.destroy();
      await first.cleanup();
    }
  });

  it('has corporate and retail customers, TL/USD/EUR/gold accounts, suffixes 1..n, Turkish branch names', async () => {
    const db = bankingDb(system.platform);
    const customers = await db.selectFrom('banking_customers').selectAll().execute();
    expect(customers.length).toBeGreaterThanOrEqual(6);
    expect(customers.filter((c) => c.corporate === 1 && c.corporate_web_user_name).length).toBeGreaterThanOrEqual(2);
    expect(customers.filter((c) => c.corporate === 0).length).toBeGreaterThanOrEqual(2);
    for (const c of customers) {
      expect(c.password_hash).toMatch(/^scrypt\$/);
      expect(c.password_hash).not.toContain(SANDBOX_PASSWORD);
    }
    const accounts = await db.selectFrom('banking_accounts').selectAll().execute();
    expect(new Set(accounts.map((a) => a.fx_id))).toEqual(new Set([0, 1, 19, 24]));
    for (const c of customers) {
      const suffixes = accounts.filter((a) => a.customer_no === c.customer_no).map((a) => a.suffix).sort((a, b) => a - b);
      expect(suffixes).toEqual(suffixes.map((_, i) => i + 1));
    }
    const branches = await db.selectFrom('banking_branches').selectAll().execute();
    expect(branches.some((b) => /[şŞçÇğĞıİöÖüÜ]/.test(b.name))).toBe(true);
  });

  it('gives every account a valid Turkish IBAN with bank code 00205', async () => {
    // The vendor PDF's own example, as an independent fixed point of the layout and check digits.
    expect(ibanFor('400368', 1)).toBe('TR320020500000040036800001');
    expect(isValidTurkishIban('TR320020500000040036800001')).toBe(true);
    expect(isValidTurkishIban('TR330020500000040036800001')).toBe(false);
    const accounts = await bankingDb(system.platform).selectFrom('banking_accounts').selectAll().execute();
    for (const a of accounts) {
      expect(a.iban).toHaveLength(26);
      expect(a.iban.slice(4, 9)).toBe('00205');
      expect(isValidTurkishIban(a.iban), a.iban).toBe(true);
      // mod-97 computed independently with BigInt.
      const rearranged = `${a.iban.slice(4)}2927${a.iban.slice(2, 4)}`;
      expect(BigInt(rearranged) % 97n).toBe(1n);
    }
  });

  it('has transaction histories whose running balances add up to each account balance', async () => {
    const db = bankingDb(system.platform);
    const accounts = await db.selectFrom('banking_accounts').selectAll().execute();
    const txs = await db.selectFrom('banking_transactions').selectAll().orderBy('account_id').orderBy('seq_num').execute();
    for (const a of accounts) {
      const mine = txs.filter((t) => t.account_id === a.id);
      expect(mine.length).toBeGreaterThan(10);
      let running = 0;
      for (const [i, t] of mine.entries()) {
        running += t.amount;
        expect(t.seq_num).toBe(i + 1);
        expect(t.balance).toBe(running);
        expect(running).toBeGreaterThanOrEqual(0);
        if (i > 0) expect(t.booked_at >= mine[i - 1]!.booked_at).toBe(true);
      }
      expect(running).toBe(a.balance);
      expect(a.last_seq).toBe(mine.length);
      if (a.is_active === 0) expect(a.balance).toBe(0);
    }
  });

  it('implements CustomerDirectory: find, authenticate, defaultCorporate', async () => {
    const directory = createCustomerDirectory(system.platform);
    expect(await directory.find('500101')).toEqual({ customerNo: '500101', name: 'Ziyaettin Yılmaz', corporate: false, phoneNumber: '+905321000004' });
    expect(await directory.find('999999')).toBeNull();
    expect(await directory.find("1' OR '1'='1")).toBeNull();
    expect((await directory.authenticate('500101', SANDBOX_PASSWORD))?.customerNo).toBe('500101');
    expect(await directory.authenticate('500101', 'wrong')).toBeNull();
    expect(await directory.authenticate('999999', SANDBOX_PASSWORD)).toBeNull();
    const corporate = await directory.defaultCorporate();
    expect(corporate).toMatchObject({ customerNo: '400368', corporate: true });
  });
});
