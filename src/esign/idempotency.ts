import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { EsignError } from './errors.js';
import type { EsignTables } from './migrations.js';

/** A recorded answer: what the first request with this requestId got. */
export interface RecordedAnswer {
  status: number;
  body: string;
}

/** A claim older than this is from a process that died mid-request; a retry may take it over. */
const STALE_CLAIM_MS = 15 * 60 * 1000;

/** JSON with object keys sorted, so the same request always hashes the same whatever the client's key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * requestId idempotency, per tenant: the first request with a requestId is answered and its answer recorded;
 * a retry with the same body (same route, same fields; `displayLanguage` aside) gets that answer again, and a
 * different body with the same requestId is refused with 409 (the id conflicts with the state it names;
 * nothing is wrong with the request's own syntax, which is what 400 would say). Only successful answers are
 * recorded: a refused request did nothing, so a retry with the same requestId is simply tried again.
 */
export class Idempotency {
  constructor(private readonly db: Kysely<EsignTables>) {}

  static bodyHash(route: string, body: Record<string, unknown>): string {
    const { displayLanguage: _ignored, ...rest } = body;
    return createHash('sha256').update(`${route}\n${canonical(rest)}`).digest('hex');
  }

  /**
   * Runs `work` once per (tenant, requestId). Returns the recorded answer of an earlier identical request,
   * or the fresh one (recording it when `work` succeeds).
   */
  async run(
    tenantId: string,
    requestId: string,
    route: string,
    body: Record<string, unknown>,
    work: () => Promise<RecordedAnswer>,
  ): Promise<RecordedAnswer> {
    const bodyHash = Idempotency.bodyHash(route, body);
    const now = Date.now();
    const claimed = await this.db
      .insertInto('esign_requests')
      .values({ tenant_id: tenantId, request_id: requestId, route, body_hash: bodyHash, status: 0, response: null, created_at: now })
      .onConflict((oc) => oc.columns(['tenant_id', 'request_id']).doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) {
      const existing = await this.db
        .selectFrom('esign_requests')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('request_id', '=', requestId)
        .executeTakeFirstOrThrow();
      if (existing.body_hash !== bodyHash) throw new EsignError('requestIdReused', { id: requestId });
      if (existing.status !== 0 && existing.response !== null) return { status: existing.status, body: existing.response };
      const takeover = await this.db
        .updateTable('esign_requests')
        .set({ created_at: now })
        .where('tenant_id', '=', tenantId)
        .where('request_id', '=', requestId)
        .where('status', '=', 0)
        .where('created_at', '<', now - STALE_CLAIM_MS)
        .executeTakeFirst();
      if (Number(takeover.numUpdatedRows) === 0) throw new EsignError('requestInProgress', { id: requestId });
    }
    let answer: RecordedAnswer;
    try {
      answer = await work();
    } catch (err) {
      await this.db.deleteFrom('esign_requests').where('tenant_id', '=', tenantId).where('request_id', '=', requestId).execute();
      throw err;
    }
    await this.db
      .updateTable('esign_requests')
      .set({ status: answer.status, response: answer.body })
      .where('tenant_id', '=', tenantId)
      .where('request_id', '=', requestId)
      .execute();
    return answer;
  }
}
