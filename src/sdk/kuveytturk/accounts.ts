import type { Gateway, TokenSource } from './gateway.js';
import type { Account, AccountActivity, AccountFilters, AccountListValue, TransactionQuery, TransactionsValue } from './types.js';

export interface TransactionWindows {
  /** Oldest day to include: `YYYY-MM-DD`, or a Date (taken as the bank's local day, Istanbul time). */
  from: Date | string;
  /** Newest day to include; today by default. */
  to?: Date | string;
  /** Days per request; default 30. */
  windowDays?: number;
  /** Passed to each request as itemCount. */
  itemCount?: number;
  signal?: AbortSignal;
}

const DAY = 86_400_000;

/** The bank keeps Istanbul time (UTC+3 all year since 2016): its days start at 21:00 UTC the evening before. */
const BANK_OFFSET_MS = 3 * 3_600_000;

/** `YYYY-MM-DD`: a Date becomes the bank's local day it falls in; a string is checked to have that shape. */
export function formatDay(day: Date | string): string {
  if (typeof day === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new TypeError(`dates are YYYY-MM-DD, got "${day}"`);
    return day;
  }
  if (Number.isNaN(day.getTime())) throw new TypeError('invalid Date');
  return new Date(day.getTime() + BANK_OFFSET_MS).toISOString().slice(0, 10);
}

const dayStart = (day: Date | string): number => Date.parse(`${formatDay(day)}T00:00:00Z`);

/**
 * Accounts and their movements. One class for both flows: `/v3` (the company's own accounts, client
 * credentials) and `/v2` (the logged-in customer's, authorization code), which differ only in path and token.
 */
export class Accounts {
  constructor(
    private readonly gateway: Gateway,
    private readonly tokens: TokenSource,
    private readonly version: 'v2' | 'v3',
  ) {}

  async list(filters: AccountFilters = {}, options: { signal?: AbortSignal } = {}): Promise<Account[]> {
    const res = await this.gateway.call<AccountListValue>({
      method: 'GET',
      path: `/${this.version}/accounts`,
      query: { ...filters },
      tokens: this.tokens,
      signal: options.signal,
    });
    return res.value.accountList;
  }

  async get(suffix: number | string, options: { signal?: AbortSignal } = {}): Promise<Account> {
    const res = await this.gateway.call<AccountListValue>({
      method: 'GET',
      path: `/${this.version}/accounts/${encodeURIComponent(String(suffix))}`,
      tokens: this.tokens,
      signal: options.signal,
    });
    const account = res.value.accountList[0];
    if (!account) throw new RangeError(`account ${suffix} came back empty`);
    return account;
  }

  /** One request: the movements between beginDate and endDate, newest first. */
  async transactions(suffix: number | string, query: TransactionQuery = {}, options: { signal?: AbortSignal } = {}): Promise<AccountActivity[]> {
    const res = await this.gateway.call<TransactionsValue>({
      method: 'GET',
      path: `/${this.version}/accounts/${encodeURIComponent(String(suffix))}/transactions`,
      query: {
        itemCount: query.itemCount,
        beginDate: query.beginDate === undefined ? undefined : formatDay(query.beginDate),
        endDate: query.endDate === undefined ? undefined : formatDay(query.endDate),
      },
      tokens: this.tokens,
      signal: options.signal,
    });
    return res.value.accountActivities;
  }

  /**
   * Every movement from `to` back to `from`, newest first, one request per window of `windowDays` days (the
   * bank caps how far one request reaches); the next window is fetched only when the caller asks for more.
   */
  async *iterateTransactions(suffix: number | string, windows: TransactionWindows): AsyncGenerator<AccountActivity, void, undefined> {
    const windowDays = windows.windowDays ?? 30;
    if (!Number.isInteger(windowDays) || windowDays < 1) throw new RangeError('windowDays must be a positive integer');
    const first = dayStart(windows.from);
    let end = dayStart(windows.to ?? new Date());
    if (Number.isNaN(first) || Number.isNaN(end)) throw new TypeError('from/to must be valid dates');
    const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
    while (end >= first) {
      const begin = Math.max(first, end - (windowDays - 1) * DAY);
      const page = await this.transactions(
        suffix,
        { beginDate: day(begin), endDate: day(end), ...(windows.itemCount ? { itemCount: windows.itemCount } : {}) },
        windows.signal ? { signal: windows.signal } : {},
      );
      yield* page;
      end = begin - DAY;
    }
  }
}
