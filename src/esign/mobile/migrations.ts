import type { Kysely } from 'kysely';

/** One mobile signing (XAdES or CAdES): the durable record the background work and the waiting requests share. */
export type MobileTables = {
  esign_mobile_signings: {
    /** The signed document's operationId (created, without content, when signing starts). */
    id: string;
    tenant_id: string;
    /** The document being signed (the upload, or an earlier signed version). */
    source_id: string;
    request_id: string;
    /** Hash of the request (Idempotency.bodyHash), so a retried requestId can tell a repeat from a conflict. */
    body_hash: string;
    /** xades | cades: which engine assembles the signature. */
    format: string;
    operator: string;
    phone: string;
    pending_id: string;
    /** Hex SHA-256 of canonical SignedInfo: the operator's DataToBeSigned. */
    digest: string;
    fingerprint: string;
    display: string;
    /** The operator's MSSP_TransID once the request was accepted. */
    transaction_id: string | null;
    /** waiting | signed | refused | expired | unknownSubscriber | pinBlocked | failed */
    state: string;
    detail: string | null;
    /** Which process drives the signing, and until when: another may take it over once the lease lapses. */
    lease_owner: string;
    lease_until: number;
    /** Past this, a signing still waiting is expired (the operator's time-out plus a margin). */
    deadline: number;
    created_at: number;
    updated_at: number;
  };
};

export const mobileMigration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('esign_mobile_signings')
      .addColumn('id', 'varchar(36)', (c) => c.notNull())
      .addColumn('tenant_id', 'varchar(36)', (c) => c.notNull().references('esign_tenants.id'))
      .addColumn('source_id', 'varchar(36)', (c) => c.notNull())
      .addColumn('request_id', 'varchar(21)', (c) => c.notNull())
      .addColumn('body_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('format', 'varchar(8)', (c) => c.notNull())
      .addColumn('operator', 'varchar(16)', (c) => c.notNull())
      .addColumn('phone', 'varchar(16)', (c) => c.notNull())
      .addColumn('pending_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('digest', 'varchar(128)', (c) => c.notNull())
      .addColumn('fingerprint', 'varchar(128)', (c) => c.notNull())
      .addColumn('display', 'varchar(1024)', (c) => c.notNull())
      .addColumn('transaction_id', 'varchar(128)')
      .addColumn('state', 'varchar(32)', (c) => c.notNull())
      .addColumn('detail', 'text')
      .addColumn('lease_owner', 'varchar(64)', (c) => c.notNull())
      .addColumn('lease_until', 'bigint', (c) => c.notNull())
      .addColumn('deadline', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('esign_mobile_signings_pk', ['tenant_id', 'id'])
      .addUniqueConstraint('esign_mobile_signings_request', ['tenant_id', 'request_id'])
      .execute();
    await db.schema.createIndex('esign_mobile_signings_source').on('esign_mobile_signings').columns(['tenant_id', 'source_id']).execute();
    await db.schema.createIndex('esign_mobile_signings_waiting').on('esign_mobile_signings').columns(['state', 'lease_until']).execute();
  },
};
