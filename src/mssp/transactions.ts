import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { MsspTables } from './migrations.js';
import type { MessagingMode } from './protocol.js';
import { STATUS } from './status.js';

export type TransactionState = 'pending' | 'signed' | 'refused' | 'expired' | 'blocked';

/** One MSS_Signature request, from arrival to its one outcome. */
export interface Transaction {
  /** MSSP_TransID. */
  id: string;
  operator: string;
  phone: string;
  apId: string;
  apTransId: string;
  mode: MessagingMode;
  digest: Buffer;
  /** Uppercase hex of the digest (MA3's calculateFingerPrint), as the phone shows it. */
  fingerprint: string;
  display: string;
  profile: string;
  state: TransactionState;
  /** ETSI status of the outcome: 504 while pending, then 500, 401, 208 or 402. */
  statusCode: number;
  /** DER CMS SignedData once signed. */
  signature: Buffer | undefined;
  createdAt: number;
  expiresAt: number;
  finishedAt: number | undefined;
}

export const OUTCOME_STATUS: Record<Exclude<TransactionState, 'pending'>, number> = {
  signed: STATUS.SIGNATURE,
  refused: STATUS.USER_CANCEL,
  expired: STATUS.EXPIRED_TRANSACTION,
  blocked: STATUS.PIN_NR_BLOCKED,
};

export type NewTransaction = Pick<Transaction, 'operator' | 'phone' | 'apId' | 'apTransId' | 'mode' | 'digest' | 'display' | 'profile'> & {
  timeoutSeconds: number;
};

type Row = MsspTables['mssp_transactions'];

/** Durable transactions: every process (and every restart) sees the same ones, and each ends exactly once. */
export class TransactionStore {
  constructor(private readonly db: Kysely<MsspTables>) {}

  async create(input: NewTransaction): Promise<Transaction> {
    const now = Date.now();
    const row: Row = {
      // MSSP_TransID is an xs:NCName: it may not start with a digit.
      id: `mss-${randomUUID()}`,
      operator: input.operator,
      phone: input.phone,
      ap_id: input.apId,
      ap_trans_id: input.apTransId,
      mode: input.mode,
      digest: input.digest.toString('base64'),
      display: input.display,
      profile: input.profile,
      state: 'pending',
      status_code: STATUS.OUTSTANDING_TRANSACTION,
      signature: null,
      created_at: now,
      expires_at: now + input.timeoutSeconds * 1000,
      finished_at: null,
    };
    await this.db.insertInto('mssp_transactions').values(row).execute();
    return toTransaction(row);
  }

  /** The transaction, expired first if its time is up (so a reader never sees a stale "pending"). */
  async get(id: string): Promise<Transaction | undefined> {
    const row = await this.db.selectFrom('mssp_transactions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    if (row.state === 'pending' && row.expires_at <= Date.now()) {
      await this.finish(id, 'expired');
      return this.get(id);
    }
    return toTransaction(row);
  }

  /** Pending, unexpired transactions of a phone, oldest first. */
  async pending(phone: string): Promise<Transaction[]> {
    await this.expireDue();
    const rows = await this.db
      .selectFrom('mssp_transactions')
      .selectAll()
      .where('phone', '=', phone)
      .where('state', '=', 'pending')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toTransaction);
  }

  /** Recent transactions of a phone, newest first (the phone's history). */
  async recent(phone: string, limit = 10): Promise<Transaction[]> {
    const rows = await this.db.selectFrom('mssp_transactions').selectAll().where('phone', '=', phone).orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map(toTransaction);
  }

  /** Every pending transaction whose subscriber has an automatic policy. */
  async pendingWithPolicy(): Promise<Array<{ transaction: Transaction; policy: string }>> {
    const rows = await this.db
      .selectFrom('mssp_transactions as t')
      .innerJoin('mssp_subscribers as s', 's.phone', 't.phone')
      .selectAll('t')
      .select('s.policy as policy')
      .where('t.state', '=', 'pending')
      .where('s.policy', 'not like', '%"manual"%')
      .execute();
    return rows.map(({ policy, ...row }) => ({ transaction: toTransaction(row), policy }));
  }

  /**
   * Ends a pending transaction. Only the first caller wins (the UPDATE is conditional on state = pending), so
   * two approvals racing in two processes store one signature; returns whether this call was the one.
   */
  async finish(id: string, state: Exclude<TransactionState, 'pending'>, signature?: Buffer): Promise<boolean> {
    const result = await this.db
      .updateTable('mssp_transactions')
      .set({ state, status_code: OUTCOME_STATUS[state], signature: signature?.toString('base64') ?? null, finished_at: Date.now() })
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async expireDue(now = Date.now()): Promise<number> {
    const result = await this.db
      .updateTable('mssp_transactions')
      .set({ state: 'expired', status_code: STATUS.EXPIRED_TRANSACTION, finished_at: now })
      .where('state', '=', 'pending')
      .where('expires_at', '<=', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}

export function fingerprintOf(digest: Buffer): string {
  return digest.toString('hex').toUpperCase();
}

function toTransaction(row: Row): Transaction {
  const digest = Buffer.from(row.digest, 'base64');
  return {
    id: row.id,
    operator: row.operator,
    phone: row.phone,
    apId: row.ap_id,
    apTransId: row.ap_trans_id,
    mode: row.mode as MessagingMode,
    digest,
    fingerprint: fingerprintOf(digest),
    display: row.display,
    profile: row.profile,
    state: row.state as TransactionState,
    statusCode: row.status_code,
    signature: row.signature ? Buffer.from(row.signature, 'base64') : undefined,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    finishedAt: row.finished_at ?? undefined,
  };
}
