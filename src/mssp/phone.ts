import { PhoneError } from './errors.js';
import { signDigest } from './pkcs7.js';
import { parsePolicy } from './policy.js';
import type { Subscriber, SubscriberStore } from './subscribers.js';
import type { Transaction, TransactionStore } from './transactions.js';

/** A PIN no subscriber can have (PINs are 4–8 digits): what the wrong-pin policy types. */
const IMPOSSIBLE_PIN = '000000000';

export interface PhoneAction {
  /** Act on this transaction; default the phone's oldest pending one. */
  transactionId?: string;
}

/**
 * The subscriber's side of a transaction: what the SIM-toolkit screen, the CLI, the HTTP API and the
 * automatic policies all call. Everything acts on the database, so any process can answer any transaction.
 */
export class VirtualPhone {
  constructor(
    readonly subscribers: SubscriberStore,
    readonly transactions: TransactionStore,
  ) {}

  async pending(phone: string): Promise<{ subscriber: Subscriber; pending: Transaction[] }> {
    const subscriber = await this.subscribers.require(phone);
    return { subscriber, pending: await this.transactions.pending(subscriber.phone) };
  }

  /**
   * Approves with the PIN (a wrong PIN counts toward the block and leaves the request pending; the last one
   * ends it with 402). `pin` undefined is the sandbox owner approving from the CLI: no PIN check. Approving a
   * transaction that is already signed returns it unchanged: one transaction, one signature.
   */
  async approve(phone: string, options: PhoneAction & { pin?: string }): Promise<Transaction> {
    const { subscriber, transaction } = await this.target(phone, options.transactionId);
    if (transaction.state === 'signed') return transaction;
    if (transaction.state !== 'pending') throw finished(transaction);
    if (subscriber.blocked) {
      await this.transactions.finish(transaction.id, 'blocked');
      throw new PhoneError('ERR_PIN_BLOCKED', 'PIN is blocked', { transactionId: transaction.id });
    }
    if (options.pin !== undefined) {
      const check = await this.subscribers.checkPin(subscriber.phone, options.pin);
      if (!check.ok) {
        if (check.blocked) {
          await this.transactions.finish(transaction.id, 'blocked');
          throw new PhoneError('ERR_PIN_BLOCKED', 'PIN is blocked', { transactionId: transaction.id });
        }
        throw new PhoneError('ERR_WRONG_PIN', `wrong PIN, ${check.attemptsLeft} attempt(s) left`, { attemptsLeft: check.attemptsLeft, transactionId: transaction.id });
      }
    }
    const signature = signDigest(transaction.digest, await this.subscribers.privateKey(subscriber.phone), subscriber.certificates);
    await this.transactions.finish(transaction.id, 'signed', signature);
    const after = (await this.transactions.get(transaction.id))!;
    if (after.state !== 'signed') throw finished(after);
    return after;
  }

  async reject(phone: string, options: PhoneAction = {}): Promise<Transaction> {
    const { transaction } = await this.target(phone, options.transactionId);
    if (transaction.state === 'refused') return transaction;
    if (transaction.state !== 'pending') throw finished(transaction);
    await this.transactions.finish(transaction.id, 'refused');
    const after = (await this.transactions.get(transaction.id))!;
    if (after.state !== 'refused') throw finished(after);
    return after;
  }

  /**
   * Lets the automatic policies act on every due transaction (or just `onlyId`) and expires overdue ones.
   * Called by the background loop and by whoever waits on a transaction, so tests need no timers of their own.
   */
  async runPolicies(onlyId?: string): Promise<void> {
    await this.transactions.expireDue();
    const now = Date.now();
    for (const { transaction: tx, policy: raw } of await this.transactions.pendingWithPolicy()) {
      if (onlyId !== undefined && tx.id !== onlyId) continue;
      const policy = parsePolicy(JSON.parse(raw));
      if (policy.mode === 'manual' || policy.mode === 'ignore') continue;
      if (now < tx.createdAt + policy.afterSeconds * 1000) continue;
      try {
        if (policy.mode === 'approve') await this.approve(tx.phone, { transactionId: tx.id });
        else if (policy.mode === 'reject') await this.reject(tx.phone, { transactionId: tx.id });
        else {
          for (let i = 0; i <= this.subscribers.maxPinAttempts; i++) await this.approve(tx.phone, { transactionId: tx.id, pin: IMPOSSIBLE_PIN }).catch(ignoreWrongPin);
        }
      } catch (err) {
        // Another process answered first: its outcome stands.
        if (!(err instanceof PhoneError)) throw err;
      }
    }
  }

  private async target(phone: string, transactionId?: string): Promise<{ subscriber: Subscriber; transaction: Transaction }> {
    const subscriber = await this.subscribers.require(phone);
    if (transactionId !== undefined) {
      const transaction = await this.transactions.get(transactionId);
      if (!transaction || transaction.phone !== subscriber.phone) throw new PhoneError('ERR_NO_PENDING', `no transaction ${transactionId} for ${subscriber.phone}`);
      return { subscriber, transaction };
    }
    const [transaction] = await this.transactions.pending(subscriber.phone);
    if (!transaction) throw new PhoneError('ERR_NO_PENDING', `no pending signature request for ${subscriber.phone}`);
    return { subscriber, transaction };
  }
}

function finished(tx: Transaction): PhoneError {
  return new PhoneError('ERR_ALREADY_FINISHED', `transaction ${tx.id} already ended: ${tx.state}`, { state: tx.state, transactionId: tx.id });
}

function ignoreWrongPin(err: unknown): void {
  if (err instanceof PhoneError && (err.code === 'ERR_WRONG_PIN' || err.code === 'ERR_PIN_BLOCKED' || err.code === 'ERR_ALREADY_FINISHED')) return;
  throw err;
}
