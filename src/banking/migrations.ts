import type { Kysely } from 'kysely';
import type { PartMigrations } from '../platform/migrations.js';

/**
 * The sandbox bank's tables. Money is integer minor units (kuruş, cents, centigrams of gold); dates are the
 * bank's local time (Europe/Istanbul, UTC+3 all year) as `YYYY-MM-DDTHH:mm:ss` text, which sorts and compares
 * as text on both dialects and is exactly what the wire shows.
 */
export type BankingTables = {
  banking_branches: { id: number; name: string; city: string };
  banking_customers: {
    customer_no: string;
    name: string;
    /** 0/1: corporate customers own applications; retail ones log in for the authorization-code flow. */
    corporate: number;
    corporate_web_user_name: string | null;
    password_hash: string;
    phone_number: string;
    branch_id: number;
  };
  banking_accounts: {
    id: number;
    customer_no: string;
    suffix: number;
    fx_id: number;
    product_type: string;
    /** 0/1: a current (cari) account, as opposed to a participation (katılma) or precious-metal account. */
    is_current: number;
    balance: number;
    available_balance: number;
    iban: string;
    open_date: string;
    branch_id: number;
    is_active: number;
    multi_signature: number;
    name: string;
    /** The last transaction's sequence number: bumped by the same UPDATE that moves the balance. */
    last_seq: number;
  };
  banking_transactions: {
    account_id: number;
    seq_num: number;
    booked_at: string;
    description: string;
    amount: number;
    balance: number;
    transaction_code: string;
    transaction_reference: string;
    business_key: string;
  };
  banking_transfers: {
    id: number;
    sender_account_id: number;
    receiver_account_id: number;
    amount: number;
    description: string;
    created_at: string;
  };
  banking_sequences: { name: string; value: number };
};

export const bankingMigrations: PartMigrations = {
  '001_init': {
    up: async (db: Kysely<unknown>) => {
      await db.schema
        .createTable('banking_branches')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('city', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('banking_customers')
        .addColumn('customer_no', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('corporate', 'integer', (c) => c.notNull())
        .addColumn('corporate_web_user_name', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('phone_number', 'text', (c) => c.notNull())
        .addColumn('branch_id', 'integer', (c) => c.notNull().references('banking_branches.id'))
        .execute();
      await db.schema
        .createTable('banking_accounts')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('customer_no', 'text', (c) => c.notNull().references('banking_customers.customer_no'))
        .addColumn('suffix', 'integer', (c) => c.notNull())
        .addColumn('fx_id', 'integer', (c) => c.notNull())
        .addColumn('product_type', 'text', (c) => c.notNull())
        .addColumn('is_current', 'integer', (c) => c.notNull())
        .addColumn('balance', 'bigint', (c) => c.notNull())
        .addColumn('available_balance', 'bigint', (c) => c.notNull())
        .addColumn('iban', 'text', (c) => c.notNull().unique())
        .addColumn('open_date', 'text', (c) => c.notNull())
        .addColumn('branch_id', 'integer', (c) => c.notNull().references('banking_branches.id'))
        .addColumn('is_active', 'integer', (c) => c.notNull())
        .addColumn('multi_signature', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('last_seq', 'integer', (c) => c.notNull())
        .addUniqueConstraint('banking_accounts_customer_suffix', ['customer_no', 'suffix'])
        .execute();
      await db.schema
        .createTable('banking_transactions')
        .addColumn('account_id', 'integer', (c) => c.notNull().references('banking_accounts.id'))
        .addColumn('seq_num', 'integer', (c) => c.notNull())
        .addColumn('booked_at', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('balance', 'bigint', (c) => c.notNull())
        .addColumn('transaction_code', 'text', (c) => c.notNull())
        .addColumn('transaction_reference', 'text', (c) => c.notNull())
        .addColumn('business_key', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('banking_transactions_pk', ['account_id', 'seq_num'])
        .execute();
      await db.schema
        .createIndex('banking_transactions_by_date')
        .on('banking_transactions')
        .columns(['account_id', 'booked_at'])
        .execute();
      await db.schema
        .createTable('banking_transfers')
        .addColumn('id', 'bigint', (c) => c.primaryKey())
        .addColumn('sender_account_id', 'integer', (c) => c.notNull().references('banking_accounts.id'))
        .addColumn('receiver_account_id', 'integer', (c) => c.notNull().references('banking_accounts.id'))
        .addColumn('amount', 'bigint', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('banking_sequences')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};
