import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type { BankingTables } from './migrations.js';

export interface AccountFilters {
  onlyHasAvailableBalance?: boolean;
  onlyOpen?: boolean;
  onlyWithNoBalance?: boolean;
  onlyCurrent?: boolean;
  sharedWithMultiSignature?: boolean;
}

type Account = BankingTables['banking_accounts'];

const FILTER_SQL: ReadonlyArray<[keyof AccountFilters, RawBuilder<unknown>]> = [
  ['onlyHasAvailableBalance', sql`available_balance > 0`],
  ['onlyOpen', sql`is_active = 1`],
  ['onlyWithNoBalance', sql`balance = 0`],
  ['onlyCurrent', sql`is_current = 1`],
  ['sharedWithMultiSignature', sql`multi_signature = 1`],
];

export interface AccountView {
  account: BankingTables['banking_accounts'];
  branchName: string;
  customerName: string;
}

export interface ActivityQuery {
  itemCount?: number;
  /** Bank-local `YYYY-MM-DDTHH:mm:ss` bounds, inclusive. */
  from?: string;
  to?: string;
}

/** Reads of the sandbox bank, always within one customer's accounts: the caller passes the token's customer. */
export class AccountBook {
  constructor(private readonly db: Kysely<BankingTables>) {}

  async accounts(customerNo: string, filters: AccountFilters, suffix?: number): Promise<AccountView[]> {
    // The hot path of every gateway call: one single-table statement, its text built once per filter
    // combination (no query building per call); branch and customer names never change at runtime, so they
    // come from memory.
    let mask = suffix === undefined ? 0 : 1;
    FILTER_SQL.forEach(([name], i) => {
      if (filters[name]) mask |= 2 << i;
    });
    const parameters: unknown[] = suffix === undefined ? [customerNo] : [customerNo, suffix];
    const { rows } = await this.db.executeQuery<Account>(CompiledQuery.raw(this.accountsSql(mask), parameters));
    const views: AccountView[] = [];
    for (const account of rows) {
      const names = await this.names(account.branch_id, account.customer_no);
      views.push({ account, ...names });
    }
    return views;
  }

  private readonly accountsSqlByMask = new Map<number, string>();

  /** The statement's text in this dialect for a filter combination (bit 0: by suffix, then FILTER_SQL's order). */
  private accountsSql(mask: number): string {
    let text = this.accountsSqlByMask.get(mask);
    if (text === undefined) {
      const where = [sql`customer_no = ${''}`];
      if (mask & 1) where.push(sql`suffix = ${0}`);
      FILTER_SQL.forEach(([, condition], i) => {
        if (mask & (2 << i)) where.push(condition);
      });
      text = sql`select * from banking_accounts where ${sql.join(where, sql` and `)} order by suffix`.compile(this.db).sql;
      this.accountsSqlByMask.set(mask, text);
    }
    return text;
  }

  private branchNames = new Map<number, string>();
  private customerNames = new Map<string, string>();

  private async names(branchId: number, customerNo: string): Promise<{ branchName: string; customerName: string }> {
    let branchName = this.branchNames.get(branchId);
    let customerName = this.customerNames.get(customerNo);
    if (branchName === undefined || customerName === undefined) {
      for (const b of await this.db.selectFrom('banking_branches').select(['id', 'name']).execute()) this.branchNames.set(b.id, b.name);
      for (const c of await this.db.selectFrom('banking_customers').select(['customer_no', 'name']).execute()) this.customerNames.set(c.customer_no, c.name);
      branchName = this.branchNames.get(branchId) ?? '';
      customerName = this.customerNames.get(customerNo) ?? '';
    }
    return { branchName, customerName };
  }

  async activities(customerNo: string, suffix: number, query: ActivityQuery) {
    const account = await this.db
      .selectFrom('banking_accounts')
      .selectAll()
      .where('customer_no', '=', customerNo)
      .where('suffix', '=', suffix)
      .executeTakeFirst();
    if (!account) return null;
    let q = this.db.selectFrom('banking_transactions').selectAll().where('account_id', '=', account.id);
    if (query.from) q = q.where('booked_at', '>=', query.from);
    if (query.to) q = q.where('booked_at', '<=', query.to);
    q = q.orderBy('booked_at', 'desc').orderBy('seq_num', 'desc');
    if (query.itemCount !== undefined) q = q.limit(query.itemCount);
    return { account, activities: await q.execute() };
  }

  async customerNumbers(): Promise<string[]> {
    const rows = await this.db.selectFrom('banking_customers').select('customer_no').orderBy('customer_no').execute();
    return rows.map((r) => r.customer_no);
  }

  async holderOf(iban: string): Promise<{ name: string; isActive: boolean } | null> {
    const row = await this.db
      .selectFrom('banking_accounts as a')
      .innerJoin('banking_customers as c', 'c.customer_no', 'a.customer_no')
      .select(['c.name', 'a.is_active'])
      .where('a.iban', '=', iban)
      .executeTakeFirst();
    return row ? { name: row.name, isActive: row.is_active === 1 } : null;
  }
}

/** "Ziyaettin Yılmaz" → "Zi******* Yı****": enough for the sender to recognise, not to learn the name. */
export function maskName(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => {
      const letters = [...word];
      return letters.slice(0, 2).join('') + '*'.repeat(Math.max(0, letters.length - 2));
    })
    .join(' ');
}
