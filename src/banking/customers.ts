import type { Kysely } from 'kysely';
import type { BankCustomer, CustomerDirectory } from '../identity/ports.js';
import type { BankingTables } from './migrations.js';
import { verifySecretOrDecoy } from '../platform/secrets.js';

type CustomerRow = BankingTables['banking_customers'];

function toCustomer(row: CustomerRow): BankCustomer {
  return { customerNo: row.customer_no, name: row.name, corporate: row.corporate === 1, phoneNumber: row.phone_number };
}

/** The bank's customers as the identity server sees them (port CustomerDirectory). */
export class BankCustomerDirectory implements CustomerDirectory {
  constructor(private readonly db: Kysely<BankingTables>) {}

  async find(customerNo: string): Promise<BankCustomer | null> {
    const row = await this.row(customerNo);
    return row ? toCustomer(row) : null;
  }

  async authenticate(customerNo: string, password: string): Promise<BankCustomer | null> {
    const row = await this.row(customerNo);
    const ok = await verifySecretOrDecoy(row?.password_hash, password);
    return row && ok ? toCustomer(row) : null;
  }

  async defaultCorporate(): Promise<BankCustomer> {
    const row = await this.db
      .selectFrom('banking_customers')
      .selectAll()
      .where('corporate', '=', 1)
      .orderBy('customer_no')
      .limit(1)
      .executeTakeFirst();
    if (!row) throw new Error('the sandbox bank has no corporate customer: was it seeded?');
    return toCustomer(row);
  }

  /** Every customer with its corporate web user name, for `imzala bank customers` and the testcustomers API. */
  async list(): Promise<(BankCustomer & { corporateWebUserName: string | null })[]> {
    const rows = await this.db.selectFrom('banking_customers').selectAll().orderBy('customer_no').execute();
    return rows.map((r) => ({ ...toCustomer(r), corporateWebUserName: r.corporate_web_user_name }));
  }

  private async row(customerNo: string): Promise<CustomerRow | undefined> {
    if (typeof customerNo !== 'string' || !/^\d{1,12}$/.test(customerNo)) return undefined;
    return this.db.selectFrom('banking_customers').selectAll().where('customer_no', '=', customerNo).executeTakeFirst();
  }
}
