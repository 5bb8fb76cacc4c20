import { randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { BlobError, type BlobStore } from '../platform/blobs.js';
import { ThreadHash } from '../platform/hash-thread.js';
import { hashBlob, type PartialDigest } from './content.js';
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
 * The whole-file SHA-256 of a session's first chunks, fed from each chunk's blob (on the hash thread) once the
 * chunks before it are in, while the upload runs, so that ChunkComplete need not read the whole document again.
 * It lives in this process only (node:crypto cannot save a hash state): after a restart, or past a chunk another
 * process took, completion reads from disk what it does not cover.
 */
class RunningHash {
  private readonly hash = new ThreadHash();
  private size = 0;
  /** The blob keys fed, in chunk order: the hash is used only while they are still the session's recorded chunks. */
  private readonly fed: string[] = [];
  /** Chunks not fed yet because one before them is missing, by index. */
  private readonly waiting = new Map<number, string>();
  /** Feeding and snapshots run one at a time, so a snapshot never sees a chunk half fed. */
  private queue: Promise<unknown> = Promise.resolve();
  /** A blob could not be read (e.g. the session was aborted meanwhile): the hash state is unknown, never use it. */
  private broken = false;
  touchedAt = Date.now();

  constructor(private readonly blobs: BlobStore) {}

  add(index: number, key: string): void {
    this.touchedAt = Date.now();
    // A re-sent chunk that was fed already: completion sees its recorded key differ from the fed one.
    if (index < this.fed.length) return;
    this.waiting.set(index, key);
    void this.run(async () => {
      for (let next = this.waiting.get(this.fed.length); next !== undefined; next = this.waiting.get(this.fed.length)) {
        this.waiting.delete(this.fed.length);
        this.size += await hashBlob(this.blobs, next, this.hash);
        this.fed.push(next);
      }
    });
  }

  /** A copy of the hash, if every chunk it fed is still the one recorded at its index (`recorded`, in order). */
  snapshot(recorded: readonly string[]): Promise<PartialDigest | undefined> {
    return this.run(() => {
      if (!this.hash.alive || this.fed.length === 0 || this.fed.length > recorded.length || this.fed.some((key, i) => key !== recorded[i])) return undefined;
      return { hash: this.hash.copy(), parts: this.fed.length, size: this.size };
    });
  }

  private run<T>(step: () => T | Promise<T>): Promise<T | undefined> {
    const result = this.queue
      .then(() => (this.broken ? undefined : step()))
      .catch(() => {
        this.broken = true;
        return undefined;
      });
    this.queue = result;
    return result;
  }
}

/**
 * Chunked uploads: each chunk is its own blob (written atomically, so a crash keeps every chunk that was
 * acknowledged and none that was not). The whole-file SHA-256 is built while the chunks arrive (RunningHash);
 * ChunkComplete checks it and the size and then makes the chunks the document's parts (see README: measured
 * against copying them into one blob). Chunks may come in any order and be re-sent; the last accepted copy wins.
 */
export class Uploads {
  /** By upload session id, for the sessions this process has taken chunks of. */
  private readonly running = new Map<string, RunningHash>();

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
    const blobKey = `${this.prefix(tenantId, session.uploadSessionId)}/${index}-${randomBytes(6).toString('hex')}`;
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
    const stillOpen = await this.db
      .updateTable('esign_upload_sessions')
      .set({ expires_at: Date.now() + this.settings.uploadTtlMs })
      .where('id', '=', session.uploadSessionId)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (Number(stillOpen.numUpdatedRows) === 0) {
      await this.blobs.delete(blobKey);
      throw new EsignError('sessionClosed', { state: 'closed' });
    }
    // A re-sent chunk's earlier copy is not deleted here: a ChunkComplete running now may have read the chunk
    // list already. Completion, abort and expiry reclaim every blob of the session the document does not use.
    await this.db
      .insertInto('esign_upload_chunks')
      .values({ session_id: session.uploadSessionId, chunk_index: index, size: stored.size, sha256: stored.sha256, blob_key: blobKey })
      .onConflict((oc) => oc.columns(['session_id', 'chunk_index']).doUpdateSet({ size: stored.size, sha256: stored.sha256, blob_key: blobKey }))
      .execute();
    await this.feed(session.uploadSessionId, index, blobKey);
  }

  /**
   * Hands a recorded chunk to the session's running hash, which reads it in the background once the chunks
   * before it are in. The first chunk this process sees of a session also hands over the ones recorded before
   * (by this process before a restart, or by another one), so the hash can still cover the whole file.
   */
  private async feed(uploadSessionId: string, index: number, blobKey: string): Promise<void> {
    let running = this.running.get(uploadSessionId);
    if (!running) {
      running = new RunningHash(this.blobs);
      this.running.set(uploadSessionId, running);
      let recorded;
      try {
        recorded = await this.db
          .selectFrom('esign_upload_chunks')
          .select(['chunk_index', 'blob_key'])
          .where('session_id', '=', uploadSessionId)
          .orderBy('chunk_index')
          .execute();
      } catch {
        // The chunk is recorded already; without a running hash, completion reads the chunks instead.
        this.running.delete(uploadSessionId);
        return;
      }
      for (const chunk of recorded) if (chunk.chunk_index !== index) running.add(chunk.chunk_index, chunk.blob_key);
    }
    running.add(index, blobKey);
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
        hashed: await this.running.get(session.uploadSessionId)?.snapshot(chunks.map((c) => c.blob_key)),
        alsoInTransaction: async (trx) => {
          const closed = await trx
            .updateTable('esign_upload_sessions')
            .set({ state: 'completed' })
            .where('id', '=', session.uploadSessionId)
            .where('state', '=', 'open')
            .executeTakeFirst();
          // Aborted or expired meanwhile: roll the content back rather than adopt chunks being deleted.
          if (Number(closed.numUpdatedRows) === 0) throw new EsignError('sessionClosed', { state: 'closed' });
          await trx.deleteFrom('esign_upload_chunks').where('session_id', '=', session.uploadSessionId).execute();
        },
      },
    );
    this.running.delete(session.uploadSessionId);
    const used = new Set(chunks.map((c) => c.blob_key));
    for (const key of await this.blobs.list(this.prefix(tenantId, session.uploadSessionId))) if (!used.has(key)) await this.blobs.delete(key);
    return operation;
  }

  async abort(tenantId: string, uploadSessionId: string): Promise<void> {
    const row = await this.openRow(tenantId, uploadSessionId);
    await this.close(row, 'aborted');
  }

  /** Expires every open session idle past its TTL and deletes its chunks; returns how many. */
  async sweepExpired(now = Date.now()): Promise<number> {
    // Also forgets running hashes idle that long: their sessions expired, or went on in another process.
    for (const [id, running] of this.running) if (running.touchedAt + this.settings.uploadTtlMs < now) this.running.delete(id);
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
    this.running.delete(row.id);
    await this.operations.setState(row.tenant_id, row.operation_id, state);
    const chunks = await this.db.selectFrom('esign_upload_chunks').select('blob_key').where('session_id', '=', row.id).execute();
    await this.dropChunks(row.id, chunks.map((c) => c.blob_key));
    // Also re-sent chunks' earlier copies, and any chunk written but never recorded (a crash in between).
    for (const key of await this.blobs.list(this.prefix(row.tenant_id, row.id))) await this.blobs.delete(key);
  }

  private prefix(tenantId: string, uploadSessionId: string): string {
    return `esign/${tenantId}/uploads/${uploadSessionId}`;
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
