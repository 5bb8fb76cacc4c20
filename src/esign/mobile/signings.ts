import type { Kysely } from 'kysely';
import type { EsignTables } from '../migrations.js';
import type { MobileOperator, MobileOutcome, SignatureFormat } from './ports.js';

/** waiting until the operator answers; then exactly one of the others, for good. */
export type SigningState = 'waiting' | 'signed' | Exclude<MobileOutcome, 'unavailable'>;

export interface MobileSigning {
  /** The signed document's operationId. */
  id: string;
  tenantId: string;
  sourceId: string;
  requestId: string;
  bodyHash: string;
  format: SignatureFormat;
  operator: MobileOperator;
  phone: string;
  pendingId: string;
  digest: Buffer;
  fingerprint: string;
  display: string;
  transactionId: string | null;
  state: SigningState;
  detail: string | null;
  deadline: number;
  createdAt: number;
  updatedAt: number;
}

export type NewSigning = Omit<MobileSigning, 'transactionId' | 'state' | 'detail' | 'createdAt' | 'updatedAt'>;

type Row = EsignTables['esign_mobile_signings'];
type Db = Kysely<EsignTables>;

/** The durable records of mobile signings; every change of hands and of state is a conditional update. */
export class MobileSignings {
  constructor(private readonly db: Db) {}

  /** Inserts under a lease for `owner`; false when the tenant already used this requestId. */
  async insert(input: NewSigning, owner: string, leaseMs: number): Promise<boolean> {
    const now = Date.now();
    const result = await this.db
      .insertInto('esign_mobile_signings')
      .values({
        id: input.id,
        tenant_id: input.tenantId,
        source_id: input.sourceId,
        request_id: input.requestId,
        body_hash: input.bodyHash,
        format: input.format,
        operator: input.operator,
        phone: input.phone,
        pending_id: input.pendingId,
        digest: input.digest.toString('hex'),
        fingerprint: input.fingerprint,
        display: input.display,
        transaction_id: null,
        state: 'waiting',
        detail: null,
        lease_owner: owner,
        lease_until: now + leaseMs,
        deadline: input.deadline,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) => oc.columns(['tenant_id', 'request_id']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(tenantId: string, id: string): Promise<MobileSigning | undefined> {
    const row = await this.db.selectFrom('esign_mobile_signings').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id.toLowerCase()).executeTakeFirst();
    return row && toSigning(row);
  }

  async byRequest(tenantId: string, requestId: string): Promise<MobileSigning | undefined> {
    const row = await this.db
      .selectFrom('esign_mobile_signings')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('request_id', '=', requestId)
      .executeTakeFirst();
    return row && toSigning(row);
  }

  /** The newest signing of a document, optionally only one still waiting. */
  async latestOf(tenantId: string, sourceId: string, options: { waiting?: boolean } = {}): Promise<MobileSigning | undefined> {
    let q = this.db.selectFrom('esign_mobile_signings').selectAll().where('tenant_id', '=', tenantId).where('source_id', '=', sourceId.toLowerCase());
    if (options.waiting) q = q.where('state', '=', 'waiting');
    const row = await q.orderBy('created_at', 'desc').orderBy('id').limit(1).executeTakeFirst();
    return row && toSigning(row);
  }

  async setTransaction(signing: MobileSigning, owner: string, transactionId: string): Promise<boolean> {
    return this.update(signing, owner, { transaction_id: transactionId });
  }

  /** Extends the lease; false when another process has taken the signing over (or it has ended). */
  async renew(signing: MobileSigning, owner: string, leaseMs: number): Promise<boolean> {
    return this.update(signing, owner, { lease_until: Date.now() + leaseMs });
  }

  /** Moves a waiting signing to its final state; false when it had already ended (or changed hands). */
  async finish(signing: MobileSigning, owner: string, state: Exclude<SigningState, 'waiting'>, detail: string | null): Promise<boolean> {
    return this.update(signing, owner, { state, detail });
  }

  /** Takes over waiting signings whose lease has lapsed (their process died); returns the ones won. */
  async claimLapsed(owner: string, leaseMs: number, limit = 100): Promise<MobileSigning[]> {
    const now = Date.now();
    const rows = await this.db
      .selectFrom('esign_mobile_signings')
      .selectAll()
      .where('state', '=', 'waiting')
      .where('lease_until', '<', now)
      .orderBy('created_at')
      .limit(limit)
      .execute();
    const won: MobileSigning[] = [];
    for (const row of rows) {
      const taken = await this.db
        .updateTable('esign_mobile_signings')
        .set({ lease_owner: owner, lease_until: now + leaseMs })
        .where('tenant_id', '=', row.tenant_id)
        .where('id', '=', row.id)
        .where('state', '=', 'waiting')
        .where('lease_owner', '=', row.lease_owner)
        .where('lease_until', '=', row.lease_until)
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) > 0) won.push(toSigning(row));
    }
    return won;
  }

  private async update(signing: MobileSigning, owner: string, set: Partial<Row>): Promise<boolean> {
    const result = await this.db
      .updateTable('esign_mobile_signings')
      .set({ ...set, updated_at: Date.now() })
      .where('tenant_id', '=', signing.tenantId)
      .where('id', '=', signing.id)
      .where('state', '=', 'waiting')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

function toSigning(row: Row): MobileSigning {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    sourceId: row.source_id,
    requestId: row.request_id,
    bodyHash: row.body_hash,
    format: row.format as SignatureFormat,
    operator: row.operator as MobileOperator,
    phone: row.phone,
    pendingId: row.pending_id,
    digest: Buffer.from(row.digest, 'hex'),
    fingerprint: row.fingerprint,
    display: row.display,
    transactionId: row.transaction_id,
    state: row.state as SigningState,
    detail: row.detail,
    deadline: Number(row.deadline),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
