import type { Kysely } from 'kysely';
import type { BankingTables } from './migrations.js';

export interface AccountFilters {
  onlyHasAvailableBalance?: boolean;
  onlyOpen?: boolean;
  onlyWithNoBalance?: boolean;
  onlyCurrent?: boolean;
  sharedWithMultiSignature?: boolean;
}

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
    let q = this.db
      .selectFrom('banking_accounts as a')
      .innerJoin('banking_branches as b', 'b.id', 'a.branch_id')
      .innerJoin('banking_customers as c', 'c.customer_no', 'a.customer_no')
      .selectAll('a')
      .select(['b.name as branch_name', 'c.name as customer_name'])
      .where('a.customer_no', '=', customerNo);
    if (suffix !== undefined) q = q.where('a.suffix', '=', suffix);
    if (filters.onlyHasAvailableBalance) q = q.where('a.available_balance', '>', 0);
    if (filters.onlyOpen) q = q.where('a.is_active', '=', 1);
    if (filters.onlyWithNoBalance) q = q.where('a.balance', '=', 0);
    if (filters.onlyCurrent) q = q.where('a.is_current', '=', 1);
    if (filters.sharedWithMultiSignature) q = q.where('a.multi_signature', '=', 1);
    const rows = await q.orderBy('a.suffix').execute();
    return rows.map(({ branch_name, customer_name, ...account }) => ({ account, branchName: branch_name, customerName: customer_name }));
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
