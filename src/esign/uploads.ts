import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { BlobError, type BlobStore } from '../platform/blobs.js';
import { EsignError } from './errors.js';
import type { EsignTables } from './migrations.js';
import type { Operation, Operations } from './operations.js';
import type { EsignSettings } from './settings.js';

export interface UploadSession {
  uploadSessionId: string;
  operationId: string;
  fileName: string;
  chunkSize: number;
  totalSize: number;
  totalChunks: number;
  state: 'open' | 'completed' | 'aborted' | 'expired';
  expiresAt: number;
}

type SessionRow = EsignTables['esign_upload_sessions'];

/**
 * Chunked uploads: each chunk is its own blob (written atomically, so a crash keeps every chunk that was
 * acknowledged and none that was not). ChunkComplete reads them once in order to check size and SHA-256 and
 * then makes them the document's parts (see README: measured against copying them into one blob). Chunks may
 * come in any order and be re-sent; the last accepted copy wins.
 */
export class Uploads {
  constructor(
    private readonly db: Kysely<EsignTables>,
    private readonly blobs: BlobStore,
    private readonly operations: Operations,
    private readonly settings: EsignSettings,
  ) {}

  async init(
    tenantId: string,
    input: { operationId?: string | null; fileName?: string | null; chunkSize: number; totalSize: number; totalChunks: number; sha256?: string | null },
  ): Promise<UploadSession> {
    const s = this.settings;
    if (input.totalSize > s.maxDocumentBytes) throw new EsignError('documentTooLarge', { max: s.maxDocumentBytes });
    if (input.chunkSize > s.maxChunkBytes) {
      throw new EsignError('chunkPlan', { detail: `chunkSize may be at most ${s.maxChunkBytes} bytes` });
    }
    const expectedChunks = Math.ceil(input.totalSize / input.chunkSize);
    if (input.totalChunks !== expectedChunks) {
      throw new EsignError('chunkPlan', { detail: `totalChunks must be ceil(totalSize / chunkSize) = ${expectedChunks}` });
    }
    if (input.totalChunks > s.maxChunks) throw new EsignError('chunkPlan', { detail: `at most ${s.maxChunks} chunks` });
    const open = await this.db
      .selectFrom('esign_upload_sessions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('tenant_id', '=', tenantId)
      .where('state', '=', 'open')
      .executeTakeFirstOrThrow();
    if (Number(open.n) >= s.maxOpenUploadsPerTenant) throw new EsignError('tooManyUploads', { max: s.maxOpenUploadsPerTenant });

    const fileName = input.fileName ?? 'document';
    const operation = await this.operations.create(tenantId, {
      id: input.operationId ?? undefined,
      kind: 'upload',
      state: 'uploading',
      fileName,
    });
    const now = Date.now();
    const row: SessionRow = {
      id: randomUUID(),
      tenant_id: tenantId,
      operation_id: operation.id,
      file_name: fileName,
      chunk_size: input.chunkSize,
      total_size: input.totalSize,
      total_chunks: input.totalChunks,
      sha256: input.sha256?.toLowerCase() ?? null,
      state: 'open',
      created_at: now,
      expires_at: now + s.uploadTtlMs,
    };
    await this.db.insertInto('esign_upload_sessions').values(row).execute();
    return toSession(row);
  }

  /** The session, scoped to the tenant; another tenant's session answers as an unknown one. */
  async get(tenantId: string, uploadSessionId: string): Promise<UploadSession> {
    return toSession(await this.row(tenantId, uploadSessionId));
  }

  async receivedChunks(uploadSessionId: string): Promise<number[]> {
    const rows = await this.db
      .selectFrom('esign_upload_chunks')
      .select('chunk_index')
      .where('session_id', '=', uploadSessionId)
      .orderBy('chunk_index')
      .execute();
    return rows.map((r) => r.chunk_index);
  }

  /** The byte count chunk `index` must have. */
  expectedChunkSize(session: UploadSession, index: number): number {
    return index < session.totalChunks - 1 ? session.chunkSize : session.totalSize - session.chunkSize * (session.totalChunks - 1);
  }

  /**
   * Streams one chunk to its own blob, refusing bytes beyond its expected size as they arrive; checks its size
   * and, when given, its SHA-256, and only then records it.
   */
  async putChunk(tenantId: string, uploadSessionId: string, index: number, body: Readable, sha256?: string): Promise<void> {
    const session = toSession(await this.openRow(tenantId, uploadSessionId));
    if (index >= session.totalChunks) throw new EsignError('chunkIndex', { index, last: session.totalChunks - 1 });
    const expected = this.expectedChunkSize(session, index);
    const blobKey = `esign/${tenantId}/uploads/${session.uploadSessionId}/${index}-${randomBytes(6).toString('hex')}`;
    let stored;
    try {
      stored = await this.blobs.put(blobKey, body, { maxBytes: expected });
    } catch (err) {
      if (err instanceof BlobError && err.code === 'ERR_BLOB_TOO_LARGE') throw new EsignError('chunkTooLarge', { index, expected });
      throw err;
    }
    if (stored.size !== expected) {
      await this.blobs.delete(blobKey);
      throw new EsignError('chunkSize', { index, expected, actual: stored.size });
    }
    if (sha256 !== undefined && sha256.toLowerCase() !== stored.sha256) {
      await this.blobs.delete(blobKey);
      throw new EsignError('chunkHash', { index });
    }
    const previous = await this.db
      .selectFrom('esign_upload_chunks')
      .select('blob_key')
      .where('session_id', '=', session.uploadSessionId)
      .where('chunk_index', '=', index)
      .executeTakeFirst();
    await this.db
      .insertInto('esign_upload_chunks')
      .values({ session_id: session.uploadSessionId, chunk_index: index, size: stored.size, sha256: stored.sha256, blob_key: blobKey })
      .onConflict((oc) => oc.columns(['session_id', 'chunk_index']).doUpdateSet({ size: stored.size, sha256: stored.sha256, blob_key: blobKey }))
      .execute();
    await this.db
      .updateTable('esign_upload_sessions')
      .set({ expires_at: Date.now() + this.settings.uploadTtlMs })
      .where('id', '=', session.uploadSessionId)
      .execute();
    if (previous && previous.blob_key !== blobKey) await this.blobs.delete(previous.blob_key);
  }

  /**
   * Assembles the chunks in order into the operation's document and checks the whole-file SHA-256 (the one
   * given here, else the one announced at ChunkInit). Completing a completed session answers the same again.
   */
  async complete(tenantId: string, uploadSessionId: string, sha256?: string | null): Promise<Operation> {
    const row = await this.row(tenantId, uploadSessionId);
    if (row.state === 'completed') return this.operations.require(tenantId, row.operation_id);
    if (row.state !== 'open') throw new EsignError('sessionClosed', { state: row.state });
    const session = toSession(row);
    const chunks = await this.db
      .selectFrom('esign_upload_chunks')
      .select(['chunk_index', 'blob_key', 'size'])
      .where('session_id', '=', session.uploadSessionId)
      .orderBy('chunk_index')
      .execute();
    const have = new Set(chunks.map((c) => c.chunk_index));
    const missing: number[] = [];
    for (let i = 0; i < session.totalChunks; i++) if (!have.has(i)) missing.push(i);
    if (missing.length > 0) {
      const shown = missing.slice(0, 20).join(', ') + (missing.length > 20 ? `, … (${missing.length} in all)` : '');
      throw new EsignError('chunksMissing', { missing: shown });
    }
    if (sha256 && row.sha256 && sha256.toLowerCase() !== row.sha256) {
      throw new EsignError('fileHash', { expected: row.sha256, actual: sha256.toLowerCase() });
    }
    // The chunks become the document's parts: no second copy of the bytes, and the content commits in the
    // same transaction that closes the session, so the sweeper can never reclaim chunks a document uses.
    const operation = await this.operations.adoptParts(
      tenantId,
      session.operationId,
      chunks.map((c) => ({ key: c.blob_key, size: Number(c.size) })),
      {
        state: 'uploaded',
        expect: { size: session.totalSize, sha256: sha256?.toLowerCase() ?? row.sha256 ?? undefined },
        alsoInTransaction: async (trx) => {
          await trx.updateTable('esign_upload_sessions').set({ state: 'completed' }).where('id', '=', session.uploadSessionId).execute();
          await trx.deleteFrom('esign_upload_chunks').where('session_id', '=', session.uploadSessionId).execute();
        },
      },
    );
    return operation;
  }

  async abort(tenantId: string, uploadSessionId: string): Promise<void> {
    const row = await this.openRow(tenantId, uploadSessionId);
    await this.close(row, 'aborted');
  }

  /** Expires every open session idle past its TTL and deletes its chunks; returns how many. */
  async sweepExpired(now = Date.now()): Promise<number> {
    const rows = await this.db
      .selectFrom('esign_upload_sessions')
      .selectAll()
      .where('state', '=', 'open')
      .where('expires_at', '<', now)
      .execute();
    for (const row of rows) await this.close(row, 'expired');
    return rows.length;
  }

  private async close(row: SessionRow, state: 'aborted' | 'expired'): Promise<void> {
    const updated = await this.db
      .updateTable('esign_upload_sessions')
      .set({ state })
      .where('id', '=', row.id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) return;
    await this.operations.setState(row.tenant_id, row.operation_id, state);
    const chunks = await this.db.selectFrom('esign_upload_chunks').select('blob_key').where('session_id', '=', row.id).execute();
    await this.dropChunks(row.id, chunks.map((c) => c.blob_key));
    // Also any chunk blob written but never recorded (the server died between the write and the row).
    for (const key of await this.blobs.list(`esign/${row.tenant_id}/uploads/${row.id}`)) await this.blobs.delete(key);
  }

  private async dropChunks(sessionId: string, keys: string[]): Promise<void> {
    await this.db.deleteFrom('esign_upload_chunks').where('session_id', '=', sessionId).execute();
    for (const key of keys) await this.blobs.delete(key);
  }

  private async row(tenantId: string, uploadSessionId: string): Promise<SessionRow> {
    const row = await this.db
      .selectFrom('esign_upload_sessions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', uploadSessionId.toLowerCase())
      .executeTakeFirst();
    if (!row) throw new EsignError('sessionNotFound', { id: uploadSessionId });
    return row;
  }

  private async openRow(tenantId: string, uploadSessionId: string): Promise<SessionRow> {
    const row = await this.row(tenantId, uploadSessionId);
    if (row.state !== 'open') throw new EsignError('sessionClosed', { state: row.state });
    return row;
  }
}

function toSession(row: SessionRow): UploadSession {
  return {
    uploadSessionId: row.id,
    operationId: row.operation_id,
    fileName: row.file_name,
    chunkSize: Number(row.chunk_size),
    totalSize: Number(row.total_size),
    totalChunks: row.total_chunks,
    state: row.state as UploadSession['state'],
    expiresAt: Number(row.expires_at),
  };
}
