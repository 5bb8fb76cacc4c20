import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { BlobError, type BlobStore } from '../platform/blobs.js';
import { digestParts, openParts, type ContentPart, type PartialDigest } from './content.js';
import { EsignError } from './errors.js';
import type { EsignTables } from './migrations.js';

/** What an operation is: an uploaded original, or the output of a step (a signed document, …). */
export type OperationKind = 'upload' | 'signed' | (string & {});
/**
 * uploading → uploaded (an original with its bytes); a signing step may move it to signing → signed | failed.
 * A step's output is created `signed` with its bytes. aborted/expired: a chunked upload that never completed.
 */
export type OperationState = 'uploading' | 'uploaded' | 'signing' | 'signed' | 'failed' | 'aborted' | 'expired' | (string & {});

export interface Operation {
  id: string;
  tenantId: string;
  kind: OperationKind;
  state: OperationState;
  fileName: string;
  /** Whether the operation has its document (then size and sha256 are set). */
  hasContent: boolean;
  size: number | null;
  sha256: string | null;
  parentId: string | null;
  detail: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewOperation {
  /** A client-chosen id (v1 uploads, ChunkInit); a fresh uuid otherwise. */
  id?: string;
  kind: OperationKind;
  state: OperationState;
  fileName: string;
  parentId?: string | null;
}

type Row = EsignTables['esign_operations'];
type Db = Kysely<EsignTables>;

/**
 * Operations and their documents, always scoped to a tenant: another tenant's operation id answers exactly as
 * an unknown one does. This is the service the signing steps build on.
 */
export class Operations {
  constructor(
    private readonly db: Db,
    private readonly blobs: BlobStore,
  ) {}

  /** Creates an operation without content (e.g. a chunked upload in progress). Fails with operationExists. */
  async create(tenantId: string, input: NewOperation): Promise<Operation> {
    const now = Date.now();
    const row: Row = {
      tenant_id: tenantId,
      id: (input.id ?? randomUUID()).toLowerCase(),
      kind: input.kind,
      state: input.state,
      file_name: input.fileName,
      content: null,
      size: null,
      sha256: null,
      parent_id: input.parentId ?? null,
      detail: null,
      created_at: now,
      updated_at: now,
    };
    const inserted = await this.db
      .insertInto('esign_operations')
      .values(row)
      .onConflict((oc) => oc.columns(['tenant_id', 'id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new EsignError('operationExists', { id: row.id });
    return toOperation(row);
  }

  async get(tenantId: string, id: string): Promise<Operation | undefined> {
    const row = await this.row(tenantId, id);
    return row ? toOperation(row) : undefined;
  }

  /** Like get, but an unknown (or another tenant's) id fails with operationNotFound. */
  async require(tenantId: string, id: string): Promise<Operation> {
    const op = await this.get(tenantId, id);
    if (!op) throw new EsignError('operationNotFound', { id });
    return op;
  }

  /** Operations made from this one (newest first), e.g. its signed versions. */
  async children(tenantId: string, parentId: string, kind?: OperationKind): Promise<Operation[]> {
    let q = this.db.selectFrom('esign_operations').selectAll().where('tenant_id', '=', tenantId).where('parent_id', '=', parentId.toLowerCase());
    if (kind) q = q.where('kind', '=', kind);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toOperation);
  }

  /**
   * Streams the operation's document (or a byte range of it, `end` inclusive); fails with operationNotFound /
   * operationNotReady before any byte flows.
   */
  async openContent(tenantId: string, id: string, range?: { start: number; end?: number }): Promise<{ operation: Operation; stream: Readable }> {
    const row = await this.row(tenantId, id);
    if (!row) throw new EsignError('operationNotFound', { id });
    const operation = toOperation(row);
    if (row.content === null) throw new EsignError('operationNotReady', { state: row.state });
    try {
      return { operation, stream: await openParts(this.blobs, JSON.parse(row.content) as ContentPart[], range) };
    } catch (err) {
      if (err instanceof BlobError && err.code === 'ERR_BLOB_NOT_FOUND') throw new EsignError('operationNotReady', { state: row.state });
      throw err;
    }
  }

  /**
   * Writes a document (atomically: temp file, fsync, rename) and attaches it to an existing content-less
   * operation, moving it to `state`. The blob key is fresh per write, so a retried write never tears a reader.
   */
  async attachContent(tenantId: string, id: string, source: Readable | Buffer, options: { state: OperationState; maxBytes?: number }): Promise<Operation> {
    const key = `esign/${tenantId}/docs/${randomUUID()}`;
    const stored = await this.blobs.put(key, source, { maxBytes: options.maxBytes });
    return this.commitContent(tenantId, id, [{ key, size: stored.size }], stored, options.state);
  }

  /**
   * Makes already-stored blobs (a chunked upload's chunks) the operation's document, after reading them once to
   * check the expected size and SHA-256 (only the parts after `hashed`, when a hash of the first ones is at
   * hand). `alsoInTransaction` runs in the same transaction as the commit.
   */
  async adoptParts(
    tenantId: string,
    id: string,
    parts: ContentPart[],
    options: {
      state: OperationState;
      expect: { size: number; sha256?: string };
      hashed?: PartialDigest;
      alsoInTransaction?: (trx: Db) => Promise<void>;
    },
  ): Promise<Operation> {
    const digest = await digestParts(this.blobs, parts, options.hashed);
    if (digest.size !== options.expect.size) {
      throw new EsignError('chunkPlan', { detail: `expected ${options.expect.size} bytes, the chunks hold ${digest.size}` });
    }
    const expected = options.expect.sha256?.toLowerCase();
    if (expected !== undefined && expected !== digest.sha256) throw new EsignError('fileHash', { expected, actual: digest.sha256 });
    return this.commitContent(tenantId, id, parts, digest, options.state, options.alsoInTransaction);
  }

  /** Creates an operation that already has its document (a whole-file upload). */
  async createWithContent(tenantId: string, input: NewOperation, source: Readable | Buffer, maxBytes?: number): Promise<Operation> {
    const op = await this.create(tenantId, { ...input, state: 'uploading' });
    try {
      return await this.attachContent(tenantId, op.id, source, { state: input.state, maxBytes });
    } catch (err) {
      await this.db.deleteFrom('esign_operations').where('tenant_id', '=', tenantId).where('id', '=', op.id).execute();
      throw err;
    }
  }

  /**
   * Stores the output of a step on `parentId` (e.g. the signed document) as a NEW operation, as the vendor's
   * operationId chaining wants; returns it. The parent's state is the caller's to set.
   */
  async storeResult(
    tenantId: string,
    parentId: string,
    source: Readable | Buffer,
    meta: { fileName?: string; kind?: OperationKind; state?: OperationState } = {},
  ): Promise<Operation> {
    const parent = await this.require(tenantId, parentId);
    return this.createWithContent(
      tenantId,
      { kind: meta.kind ?? 'signed', state: meta.state ?? 'signed', fileName: meta.fileName ?? parent.fileName, parentId: parent.id },
      source,
    );
  }

  async setState(tenantId: string, id: string, state: OperationState, detail: string | null = null): Promise<Operation> {
    const result = await this.db
      .updateTable('esign_operations')
      .set({ state, detail, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new EsignError('operationNotFound', { id });
    return this.require(tenantId, id);
  }

  private row(tenantId: string, id: string): Promise<Row | undefined> {
    return this.db.selectFrom('esign_operations').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id.toLowerCase()).executeTakeFirst();
  }

  private async commitContent(
    tenantId: string,
    id: string,
    parts: ContentPart[],
    digest: { size: number; sha256: string },
    state: OperationState,
    alsoInTransaction?: (trx: Db) => Promise<void>,
  ): Promise<Operation> {
    const previous = await this.row(tenantId, id);
    if (!previous) {
      for (const part of parts) await this.blobs.delete(part.key);
      throw new EsignError('operationNotFound', { id });
    }
    await this.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('esign_operations')
        .set({ content: JSON.stringify(parts), size: digest.size, sha256: digest.sha256, state, updated_at: Date.now() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', previous.id)
        .execute();
      await alsoInTransaction?.(trx);
    });
    if (previous.content !== null) {
      const kept = new Set(parts.map((p) => p.key));
      for (const part of JSON.parse(previous.content) as ContentPart[]) if (!kept.has(part.key)) await this.blobs.delete(part.key);
    }
    return this.require(tenantId, id);
  }
}

function toOperation(row: Row): Operation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    state: row.state,
    fileName: row.file_name,
    hasContent: row.content !== null,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    parentId: row.parent_id,
    detail: row.detail,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
