import { Readable } from 'node:stream';
import type { BlobStore } from '../platform/blobs.js';
import { ThreadHash } from '../platform/hash-thread.js';

/** One blob of a document; a document is the concatenation of its parts, in order. */
export interface ContentPart {
  key: string;
  size: number;
}

/**
 * Streams a document made of parts (or the byte range `start`..`end` inclusive of it), opening each blob only
 * when the stream reaches it. The first part is opened before returning, so a missing blob fails up front.
 */
export async function openParts(blobs: BlobStore, parts: readonly ContentPart[], range?: { start: number; end?: number }): Promise<Readable> {
  const total = parts.reduce((n, p) => n + p.size, 0);
  const start = range?.start ?? 0;
  const end = Math.min(range?.end ?? total - 1, total - 1);
  const slices: Array<{ key: string; start: number; end: number }> = [];
  let offset = 0;
  for (const part of parts) {
    const from = Math.max(start, offset);
    const to = Math.min(end, offset + part.size - 1);
    if (from <= to) slices.push({ key: part.key, start: from - offset, end: to - offset });
    offset += part.size;
  }
  const first = slices[0] ? await blobs.open(slices[0].key, { start: slices[0].start, end: slices[0].end }) : undefined;
  return Readable.from(
    (async function* () {
      for (const [i, slice] of slices.entries()) {
        yield* i === 0 && first ? first : await blobs.open(slice.key, { start: slice.start, end: slice.end });
      }
    })(),
    { objectMode: false },
  );
}

/** A SHA-256 already fed the first `parts` of a document (`size` bytes), to continue from. */
export interface PartialDigest {
  hash: ThreadHash;
  parts: number;
  size: number;
}

/**
 * Size and SHA-256 of a document made of parts, reading each part once; with `from`, only the parts after the
 * ones that hash already covers (the hash is used up).
 */
export async function digestParts(blobs: BlobStore, parts: readonly ContentPart[], from?: PartialDigest): Promise<{ size: number; sha256: string }> {
  const hash = from?.hash ?? new ThreadHash();
  let size = from?.size ?? 0;
  for (const part of parts.slice(from?.parts ?? 0)) size += await hashBlob(blobs, part.key, hash);
  return { size, sha256: await hash.digest() };
}

/** Feeds one blob to `hash`; returns its size. Reads a MiB at a time: each read is a thread-pool round trip. */
export async function hashBlob(blobs: BlobStore, key: string, hash: ThreadHash): Promise<number> {
  let size = 0;
  for await (const chunk of await blobs.open(key, undefined, { readBytes: 1024 * 1024 })) {
    size += (chunk as Buffer).length;
    await hash.update(chunk as Buffer);
  }
  return size;
}
