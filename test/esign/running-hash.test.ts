import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEsignServices, type EsignServices } from '../../src/esign/services.js';
import type { BlobStore } from '../../src/platform/blobs.js';
import { esignHarness, sha256, type Harness } from './helpers.js';

/** The platform's blob store, noting which blobs are opened (to tell a read at completion from none). */
class OpenLog implements BlobStore {
  readonly opened: string[] = [];
  constructor(private readonly inner: BlobStore) {}
  put: BlobStore['put'] = (key, source, options) => this.inner.put(key, source, options);
  open: BlobStore['open'] = (key, range) => {
    this.opened.push(key);
    return this.inner.open(key, range);
  };
  stat: BlobStore['stat'] = (key) => this.inner.stat(key);
  delete: BlobStore['delete'] = (key) => this.inner.delete(key);
  list: BlobStore['list'] = (prefix) => this.inner.list(prefix);
}

describe('the whole-file SHA-256 of a chunked upload, built while the chunks arrive', () => {
  let h: Harness;
  let tenantId: string;
  const chunkSize = 1000;
  const data = randomBytes(chunkSize * 4 + 321);
  const totalChunks = 5;
  const part = (i: number) => data.subarray(i * chunkSize, (i + 1) * chunkSize);

  beforeAll(async () => {
    h = await esignHarness();
    tenantId = (await h.services.tenants.create('running-hash')).tenant.id;
  });
  afterAll(async () => h.cleanup());

  /** Another set of services on the same database and blobs: another process, or this one after a restart. */
  function process(): { services: EsignServices; log: OpenLog } {
    const log = new OpenLog(h.system.platform.blobs);
    return { services: createEsignServices({ ...h.system.platform, blobs: log }), log };
  }

  const put = (s: EsignServices, session: string, i: number, bytes = part(i)) =>
    s.uploads.putChunk(tenantId, session, i, Readable.from([bytes]), sha256(bytes));
  const init = (s: EsignServices) => s.uploads.init(tenantId, { chunkSize, totalSize: data.length, totalChunks, sha256: sha256(data) });
  const chunksOf = (log: OpenLog, session: string) => log.opened.filter((k) => k.includes(`/uploads/${session}/`));

  /** Completes, first with a wrong whole-file SHA-256 (refused; the chunks stay for a retry), then with none. */
  async function complete(s: EsignServices, session: string) {
    await expect(s.uploads.complete(tenantId, session, sha256(Buffer.from('other')))).rejects.toMatchObject({ code: 'fileHash' });
    return s.uploads.complete(tenantId, session);
  }

  it('reads each chunk once, out of order too; neither completion reads them again', async () => {
    const { services, log } = process();
    const s = await services.uploads.init(tenantId, { chunkSize, totalSize: data.length, totalChunks });
    for (const i of [1, 0, 3, 4, 2]) await put(services, s.uploadSessionId, i);
    const op = await complete(services, s.uploadSessionId);
    expect(op.sha256).toBe(sha256(data));
    expect(chunksOf(log, s.uploadSessionId).length).toBe(totalChunks);
  });

  it('a chunk re-sent with other bytes after it was hashed: the document and its SHA-256 are the last copy', async () => {
    const { services } = process();
    const s = await init(services);
    await put(services, s.uploadSessionId, 0, randomBytes(chunkSize));
    for (const i of [1, 2, 3, 4]) await put(services, s.uploadSessionId, i);
    await put(services, s.uploadSessionId, 0);
    const op = await services.uploads.complete(tenantId, s.uploadSessionId);
    expect(op.sha256).toBe(sha256(data));
    const { stream } = await services.operations.openContent(tenantId, op.id);
    const got: Buffer[] = [];
    for await (const piece of stream) got.push(piece as Buffer);
    expect(Buffer.concat(got).equals(data)).toBe(true);
  });

  it('after a restart between chunks, the new process hashes the earlier chunks itself and completes', async () => {
    const before = process();
    const s = await init(before.services);
    for (const i of [0, 1]) await put(before.services, s.uploadSessionId, i);
    const after = process();
    for (const i of [2, 3, 4]) await put(after.services, s.uploadSessionId, i);
    const op = await complete(after.services, s.uploadSessionId);
    expect(op.sha256).toBe(sha256(data));
    // The earlier chunks were read once, by the new process's running hash, and none again at completion.
    expect(chunksOf(after.log, s.uploadSessionId).length).toBe(totalChunks);
  });

  it('chunks split between two processes: the one completing reads what its running hash lacks', async () => {
    const a = process();
    const b = process();
    const s = await init(a.services);
    await put(a.services, s.uploadSessionId, 0);
    await put(b.services, s.uploadSessionId, 1);
    await put(a.services, s.uploadSessionId, 2);
    await put(b.services, s.uploadSessionId, 3);
    await put(b.services, s.uploadSessionId, 4);
    const op = await a.services.uploads.complete(tenantId, s.uploadSessionId);
    expect(op.sha256).toBe(sha256(data));
    expect(op.size).toBe(data.length);
  });
});
