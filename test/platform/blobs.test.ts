import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from '../../src/platform/blobs.js';

describe('filesystem blob store', () => {
  let root: string;
  let store: FileBlobStore;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-blobs-'));
    store = new FileBlobStore(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores a stream and reports its size and SHA-256', async () => {
    const parts = ['merhaba ', 'dünya'];
    const info = await store.put('docs/a.txt', Readable.from(parts.map((p) => Buffer.from(p))));
    expect(info).toEqual({ size: Buffer.byteLength(parts.join('')), sha256: createHash('sha256').update(parts.join('')).digest('hex') });
    expect(await text(await store.open('docs/a.txt'))).toBe('merhaba dünya');
    expect(await text(await store.open('docs/a.txt', { start: 8, end: 10 }))).toBe('dü');
    expect(await store.stat('docs/a.txt')).toEqual({ size: info.size });
    expect(await store.list('docs/')).toEqual(['docs/a.txt']);
  });

  it('leaves nothing behind when the source fails half-way, and keeps the previous blob whole', async () => {
    await store.put('doc', Buffer.from('old and whole'));
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put('doc', failing)).rejects.toThrow('connection reset');
    expect(await text(await store.open('doc'))).toBe('old and whole');
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
  });

  it('enforces a size limit without keeping the partial write', async () => {
    await expect(store.put('big', Buffer.alloc(2048), { maxBytes: 1024 })).rejects.toMatchObject({ code: 'ERR_BLOB_TOO_LARGE' });
    expect(await store.stat('big')).toBeNull();
    expect(fs.readdirSync(path.join(root, '.tmp'))).toEqual([]);
  });

  it('reclaims temp files a killed writer left behind, but not fresh ones', async () => {
    const tmp = path.join(root, '.tmp');
    fs.writeFileSync(path.join(tmp, 'old.part'), 'half');
    const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    fs.utimesSync(path.join(tmp, 'old.part'), hourAgo, hourAgo);
    fs.writeFileSync(path.join(tmp, 'fresh.part'), 'in flight');
    new FileBlobStore(root);
    expect(fs.readdirSync(tmp)).toEqual(['fresh.part']);
  });

  it('refuses keys that escape the store', async () => {
    for (const key of ['../etc/passwd', '/abs', 'a/../../b', '', 'a//b', '.tmp/x']) {
      await expect(store.put(key, Buffer.from('x'))).rejects.toMatchObject({ code: 'ERR_BLOB_KEY' });
    }
  });

  it('says a missing blob is missing before streaming', async () => {
    await expect(store.open('nope')).rejects.toMatchObject({ code: 'ERR_BLOB_NOT_FOUND' });
    expect(await store.stat('nope')).toBeNull();
    await store.delete('nope');
  });
});
