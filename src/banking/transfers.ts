import { randomInt } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { bankTime } from './clock.js';
import type { BusinessErrorCode } from './envelope.js';
import { isValidTurkishIban, normaliseIban } from './iban.js';
import type { BankingTables } from './migrations.js';

export interface TransferOrder {
  senderAccountSuffix: number;
  receiverIban: string;
  /** Minor units, > 0. */
  amount: number;
  description: string;
  corporateWebUserName: string;
}

export type TransferResult = { ok: true; moneyTransferTransactionId: number } | { ok: false; code: BusinessErrorCode };

/** Raised inside the database transaction to roll it back with a business answer. */
class Refused extends Error {
  constructor(readonly code: BusinessErrorCode) {
    super(code);
  }
}

type Trx = Transaction<BankingTables>;

/**
 * Moves money between two sandbox accounts in one database transaction. The debit is a conditional UPDATE
 * (`available_balance >= amount`), so concurrent transfers can never overdraw; rows are updated in id order,
 * so two opposite transfers cannot deadlock on PostgreSQL; SQLite serialises writers anyway.
 */
export class TransferDesk {
  constructor(private readonly db: Kysely<BankingTables>) {}

  async transfer(customerNo: string, order: TransferOrder): Promise<TransferResult> {
    const customer = await this.db
      .selectFrom('banking_customers')
      .select(['corporate_web_user_name'])
      .where('customer_no', '=', customerNo)
      .executeTakeFirst();
    const userName = customer?.corporate_web_user_name;
    if (!userName || userName.toLowerCase() !== order.corporateWebUserName.trim().toLowerCase()) {
      return { ok: false, code: 'InvalidCorporateWebUserName' };
    }
    if (!Number.isSafeInteger(order.amount) || order.amount <= 0) return { ok: false, code: 'InvalidAmount' };
    const iban = normaliseIban(order.receiverIban);
    if (!isValidTurkishIban(iban)) return { ok: false, code: 'InvalidIban' };
    const sender = await this.db
      .selectFrom('banking_accounts')
      .selectAll()
      .where('customer_no', '=', customerNo)
      .where('suffix', '=', order.senderAccountSuffix)
      .executeTakeFirst();
    if (!sender) return { ok: false, code: 'AccountNotFound' };
    if (sender.is_active !== 1) return { ok: false, code: 'AccountClosed' };
    const receiver = await this.db.selectFrom('banking_accounts').selectAll().where('iban', '=', iban).executeTakeFirst();
    if (!receiver) return { ok: false, code: 'IbanNotFound' };
    if (receiver.is_active !== 1) return { ok: false, code: 'ReceiverAccountClosed' };
    if (receiver.id === sender.id) return { ok: false, code: 'SameAccount' };
    if (receiver.fx_id !== sender.fx_id) return { ok: false, code: 'CurrencyMismatch' };

    try {
      const id = await this.db.transaction().execute(async (trx) => {
        const bookedAt = bankTime(Date.now());
        const moves = [
          { account: sender, amount: -order.amount },
          { account: receiver, amount: order.amount },
        ].sort((a, b) => a.account.id - b.account.id);
        const booked: { accountId: number; amount: number; balance: number; seq: number }[] = [];
        for (const move of moves) booked.push(await this.move(trx, move.account.id, move.amount));
        const next = await trx
          .updateTable('banking_sequences')
          .set({ value: sql<number>`value + 1` })
          .where('name', '=', 'transfer')
          .returning('value')
          .executeTakeFirstOrThrow();
        const transferId = Number(next.value);
        for (const b of booked) {
          await trx
            .insertInto('banking_transactions')
            .values({
              account_id: b.accountId,
              seq_num: b.seq,
              booked_at: bookedAt,
              description: order.description,
              amount: b.amount,
              balance: b.balance,
              transaction_code: 'HVL',
              transaction_reference: `KT${String(transferId).padStart(10, '0')}`,
              business_key: `${bookedAt.slice(0, 10).replaceAll('-', '')}${String(transferId)}${String(randomInt(0, 1000)).padStart(3, '0')}`,
            })
            .execute();
        }
        await trx
          .insertInto('banking_transfers')
          .values({
            id: transferId,
            sender_account_id: sender.id,
            receiver_account_id: receiver.id,
            amount: order.amount,
            description: order.description,
            created_at: bookedAt,
          })
          .execute();
        return transferId;
      });
      return { ok: true, moneyTransferTransactionId: id };
    } catch (err) {
      if (err instanceof Refused) return { ok: false, code: err.code };
      throw err;
    }
  }

  /** One side of the transfer; a debit only happens when the available balance covers it. */
  private async move(trx: Trx, accountId: number, amount: number) {
    let q = trx
      .updateTable('banking_accounts')
      .set({
        balance: sql<number>`balance + ${amount}`,
        available_balance: sql<number>`available_balance + ${amount}`,
        last_seq: sql<number>`last_seq + 1`,
      })
      .where('id', '=', accountId)
      .where('is_active', '=', 1);
    if (amount < 0) q = q.where('available_balance', '>=', -amount);
    const row = await q.returning(['balance', 'last_seq']).executeTakeFirst();
    if (!row) throw new Refused(amount < 0 ? 'InsufficientBalance' : 'ReceiverAccountClosed');
    return { accountId, amount, balance: Number(row.balance), seq: Number(row.last_seq) };
  }
}
