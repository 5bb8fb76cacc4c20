import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { BlobError, type BlobStore } from '../platform/blobs.js';
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
  /** Set once the operation has content. */
  blobKey: string | null;
  size: number | null;
  sha256: string | null;
  parentId: string | null;
  detail: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface StoredContent {
  size: number;
  sha256: string;
}

type Row = EsignTables['esign_operations'];

/**
 * Operations and their documents, always scoped to a tenant: another tenant's operation id answers exactly as
 * an unknown one does. This is the service the signing steps build on.
 */
export class Operations {
  constructor(
    private readonly db: Kysely<EsignTables>,
    private readonly blobs: BlobStore,
  ) {}

  /** Creates an operation without content (e.g. a chunked upload in progress). Fails with operationExists. */
  async create(
    tenantId: string,
    input: { id?: string; kind: OperationKind; state: OperationState; fileName: string; parentId?: string | null },
  ): Promise<Operation> {
    const now = Date.now();
    const row: Row = {
      tenant_id: tenantId,
      id: (input.id ?? randomUUID()).toLowerCase(),
      kind: input.kind,
      state: input.state,
      file_name: input.fileName,
      blob_key: null,
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
    const row = await this.db
      .selectFrom('esign_operations')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id.toLowerCase())
      .executeTakeFirst();
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
    let q = this.db.selectFrom('esign_operations').selectAll().where('tenant_id', '=', tenantId).where('parent_id', '=', parentId);
    if (kind) q = q.where('kind', '=', kind);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').execute();
    return rows.map(toOperation);
  }

  /** Streams the operation's document; fails with operationNotFound / operationNotReady before any byte flows. */
  async openContent(tenantId: string, id: string, range?: { start: number; end?: number }): Promise<{ operation: Operation; stream: Readable }> {
    const operation = await this.require(tenantId, id);
    if (!operation.blobKey) throw new EsignError('operationNotReady', { state: operation.state });
    try {
      return { operation, stream: await this.blobs.open(operation.blobKey, range) };
    } catch (err) {
      if (err instanceof BlobError && err.code === 'ERR_BLOB_NOT_FOUND') throw new EsignError('operationNotReady', { state: operation.state });
      throw err;
    }
  }

  /**
   * Writes a document (atomically) and attaches it to an existing content-less operation, moving it to `state`.
   * The blob key is fresh per write, so a concurrent or retried write never tears what a reader sees.
   */
  async attachContent(
    tenantId: string,
    id: string,
    source: Readable | Buffer,
    options: { state: OperationState; maxBytes?: number; expect?: { size?: number; sha256?: string } },
  ): Promise<Operation> {
    const blobKey = this.newBlobKey(tenantId);
    const stored = await this.blobs.put(blobKey, source, { maxBytes: options.maxBytes });
    const expect = options.expect;
    if (expect?.size !== undefined && expect.size !== stored.size) {
      await this.blobs.delete(blobKey);
      throw new EsignError('chunkPlan', { detail: `expected ${expect.size} bytes, got ${stored.size}` });
    }
    if (expect?.sha256 !== undefined && expect.sha256.toLowerCase() !== stored.sha256) {
      await this.blobs.delete(blobKey);
      throw new EsignError('fileHash', { expected: expect.sha256.toLowerCase(), actual: stored.sha256 });
    }
    return this.setContent(tenantId, id, blobKey, stored, options.state);
  }

  /** Creates an operation that already has its document (a whole-file upload). */
  async createWithContent(
    tenantId: string,
    input: { id?: string; kind: OperationKind; state: OperationState; fileName: string; parentId?: string | null },
    source: Readable | Buffer,
    maxBytes?: number,
  ): Promise<Operation> {
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

  private newBlobKey(tenantId: string): string {
    return `esign/${tenantId}/docs/${randomUUID()}`;
  }

  private async setContent(tenantId: string, id: string, blobKey: string, stored: StoredContent, state: OperationState): Promise<Operation> {
    const previous = await this.get(tenantId, id);
    if (!previous) {
      await this.blobs.delete(blobKey);
      throw new EsignError('operationNotFound', { id });
    }
    await this.db
      .updateTable('esign_operations')
      .set({ blob_key: blobKey, size: stored.size, sha256: stored.sha256, state, updated_at: Date.now() })
      .where('tenant_id', '=', tenantId)
      .where('id', '=', previous.id)
      .execute();
    if (previous.blobKey && previous.blobKey !== blobKey) await this.blobs.delete(previous.blobKey);
    return { ...previous, blobKey, size: stored.size, sha256: stored.sha256, state, updatedAt: Date.now() };
  }
}

function toOperation(row: Row): Operation {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    state: row.state,
    fileName: row.file_name,
    blobKey: row.blob_key,
    size: row.size === null ? null : Number(row.size),
    sha256: row.sha256,
    parentId: row.parent_id,
    detail: row.detail,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}
