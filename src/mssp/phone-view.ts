import { describePolicy, type AutoPolicy } from './policy.js';
import type { Subscriber, SubscriberStore } from './subscribers.js';
import type { Transaction } from './transactions.js';

/** The fingerprint as the phone shows it: groups of four, so a person can compare it with the application's. */
export function groupFingerprint(hex: string): string {
  return hex.match(/.{1,4}/g)?.join(' ') ?? '';
}

export interface PendingView {
  transactionId: string;
  operator: string;
  userPrompt: string;
  fingerprint: string;
  fingerprintGrouped: string;
  mode: string;
  createdAt: string;
  expiresAt: string;
}

export interface TransactionView {
  transactionId: string;
  state: Transaction['state'];
  statusCode: number;
  fingerprint: string;
  finishedAt: string | null;
}

export interface PhoneView {
  phone: string;
  operator: string;
  name: string;
  tckn: string;
  blocked: boolean;
  attemptsLeft: number;
  policy: AutoPolicy;
  policyText: string;
  pending: PendingView[];
}

export function pendingView(tx: Transaction): PendingView {
  return {
    transactionId: tx.id,
    operator: tx.operator,
    userPrompt: tx.display,
    fingerprint: tx.fingerprint,
    fingerprintGrouped: groupFingerprint(tx.fingerprint),
    mode: tx.mode,
    createdAt: new Date(tx.createdAt).toISOString(),
    expiresAt: new Date(tx.expiresAt).toISOString(),
  };
}

export function transactionView(tx: Transaction): TransactionView {
  return {
    transactionId: tx.id,
    state: tx.state,
    statusCode: tx.statusCode,
    fingerprint: tx.fingerprint,
    finishedAt: tx.finishedAt === undefined ? null : new Date(tx.finishedAt).toISOString(),
  };
}

export function phoneView(s: Subscriber, pending: Transaction[], store: SubscriberStore): PhoneView {
  return {
    phone: s.phone,
    operator: s.operator,
    name: `${s.givenName} ${s.surname}`,
    tckn: s.tckn,
    blocked: s.blocked,
    attemptsLeft: s.blocked ? 0 : Math.max(0, store.maxPinAttempts - s.wrongPins),
    policy: s.policy,
    policyText: describePolicy(s.policy),
    pending: pending.map(pendingView),
  };
}
