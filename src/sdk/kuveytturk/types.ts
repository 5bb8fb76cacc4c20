import type { BusinessResult } from '../errors.js';

/** Every gateway answer: `{value, success, results, errors, executionReferenceId}`. */
export interface Envelope<T> {
  value: T;
  success: boolean;
  results: BusinessResult[];
  errors: unknown[];
  executionReferenceId: string;
}

/** An account as `GET /v3/accounts` lists it (the PDF's fields); `/v2` adds accountNumber, fxCode and type. */
export interface Account {
  name: string;
  suffix: number;
  balance: number;
  availableBalance: number;
  fxId: number;
  iban: string;
  productType: string;
  openDate: string;
  branchName: string;
  branchId: number;
  customerName: string;
  isActive: number;
  accountNumber?: number | string;
  fxCode?: string;
  type?: string | number;
}

export interface AccountListValue {
  accountList: Account[];
}

export interface AccountFilters {
  onlyHasAvailableBalance?: boolean;
  onlyOpen?: boolean;
  onlyWithNoBalance?: boolean;
  onlyCurrent?: boolean;
  sharedWithMultiSignature?: boolean;
}

/** One account movement; amount is signed (outgoing negative); lists come newest first. */
export interface AccountActivity {
  suffix: number;
  date: string;
  description: string;
  amount: number;
  balance: number;
  fxCode: string;
  businessKey: string;
  seqNum: number;
  transactionCode: string;
  transactionReference: string;
  iban: string;
}

export interface TransactionsValue {
  accountActivities: AccountActivity[];
}

export interface TransactionQuery {
  /** A Date or `YYYY-MM-DD`. */
  beginDate?: Date | string;
  endDate?: Date | string;
  itemCount?: number;
}

export interface FxRate {
  fxCode: string;
  fxId: number;
  fxName: string;
  buyRate: number;
  sellRate: number;
}

export interface FxRatesValue {
  rateList: FxRate[];
}

export interface OutgoingMoneyTransfer {
  senderAccountSuffix: number;
  receiverIban: string;
  moneyTransferAmount: number;
  moneyTransferDescription: string;
  corporateWebUserName: string;
}

export interface OutgoingMoneyTransferValue {
  moneyTransferTransactionId: string | number;
  [field: string]: unknown;
}

export interface CustomerIbanInfo {
  customerName: string;
  bankName: string;
  bankId: number | string;
}

/** Currency ids (fxId) the bank uses. */
export const FX_IDS = { TL: 0, USD: 1, EUR: 19, GOLD: 24, SILVER: 26, PLATINUM: 27 } as const;
