import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import type { Platform } from '../../platform/platform.js';
import { XadesError } from './errors.js';
import type { XadesTables } from './migrations.js';
import type { PendingState } from './prepare.js';

/**
 * Pending two-phase signatures, kept in the database (state) and the blob store (the document), so a signature
 * prepared before a restart completes after it, on any process. `S` is the engine's state (XAdES by default;
 * the CAdES engine keeps its own in the same table: ids are random, so the two never meet).
 */
export class XadesPendingStore<S = PendingState> {
  private readonly db;

  constructor(
    private readonly platform: Platform,
    /** How long a prepared signature waits for its signature value (operators time out within minutes). */
    readonly ttlMs = 30 * 60 * 1000,
  ) {
    this.db = platform.database.db.withTables<XadesTables>();
  }

  async save(state: S, document: Buffer, now = Date.now()): Promise<string> {
    const id = randomBytes(16).toString('hex');
    const documentKey = `xades-pending/${id}`;
    await this.platform.blobs.put(documentKey, document);
    await this.db
      .insertInto('xades_pending')
      .values({ id, state: JSON.stringify(state), document_key: documentKey, created_at: now, expires_at: now + this.ttlMs })
      .execute();
    return id;
  }

  async load(id: string, now = Date.now()): Promise<{ state: S; document: Buffer }> {
    const row = /^[0-9a-f]{32}$/.test(id) ? await this.db.selectFrom('xades_pending').selectAll().where('id', '=', id).executeTakeFirst() : undefined;
    if (!row || Number(row.expires_at) < now) throw new XadesError('ERR_XADES_PENDING_NOT_FOUND', `no pending signature "${id}" (unknown, completed or expired)`);
    const document = await buffer(await this.platform.blobs.open(row.document_key));
    return { state: JSON.parse(row.state) as S, document };
  }

  async delete(id: string): Promise<void> {
    const row = await this.db.deleteFrom('xades_pending').where('id', '=', id).returning('document_key').executeTakeFirst();
    if (row) await this.platform.blobs.delete(row.document_key);
  }

  /** Removes expired entries; returns how many. */
  async purgeExpired(now = Date.now()): Promise<number> {
    const rows = await this.db.deleteFrom('xades_pending').where('expires_at', '<', now).returning('document_key').execute();
    for (const r of rows) await this.platform.blobs.delete(r.document_key);
    return rows.length;
  }
}
