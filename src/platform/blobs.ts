import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface BlobInfo {
  size: number;
  sha256: string;
}

/** Where documents live. Writes are atomic: a reader sees the whole blob or none of it. */
export interface BlobStore {
  put(key: string, source: Readable | Buffer | Uint8Array, options?: { maxBytes?: number }): Promise<BlobInfo>;
  /**
   * Opens the blob (or a byte range, `end` inclusive); fails with ERR_BLOB_NOT_FOUND before any byte flows.
   * `readBytes`: how much to read at a time (larger for a reader that consumes fast, such as a hash).
   */
  open(key: string, range?: { start: number; end?: number }, options?: { readBytes?: number }): Promise<Readable>;
  stat(key: string): Promise<{ size: number } | null>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix, for sweeping expired uploads. */
  list(prefix: string): Promise<string[]>;
}

export class BlobError extends Error {
  constructor(
    readonly code: 'ERR_BLOB_KEY' | 'ERR_BLOB_NOT_FOUND' | 'ERR_BLOB_TOO_LARGE',
    message: string,
  ) {
    super(message);
  }
}

const TEMP_MAX_AGE_MS = 60 * 60 * 1000;
const WRITE_BATCH_BYTES = 1024 * 1024;

const KEY = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

function checkKey(key: string): void {
  if (!KEY.test(key) || key.includes('..')) throw new BlobError('ERR_BLOB_KEY', `invalid blob key "${key}"`);
}

/** Counts and hashes bytes on their way to disk, refusing to pass more than maxBytes. */
class Meter extends Transform {
  readonly hash = createHash('sha256');
  size = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      done(new BlobError('ERR_BLOB_TOO_LARGE', `blob exceeds ${this.maxBytes} bytes`));
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }
}

/** Filesystem blobs under `root`; temp file + fsync + rename, then fsync of the directory. */
export class FileBlobStore implements BlobStore {
  private readonly tmpDir: string;

  constructor(private readonly root: string) {
    this.tmpDir = path.join(root, '.tmp');
    fs.mkdirSync(this.tmpDir, { recursive: true });
    this.reclaimAbandonedTemps();
  }

  /**
   * A process killed mid-write leaves its temp file behind. Only old ones are removed: another process on the
   * same data directory may be writing a fresh one right now.
   */
  private reclaimAbandonedTemps(): void {
    const cutoff = Date.now() - TEMP_MAX_AGE_MS;
    for (const name of fs.readdirSync(this.tmpDir)) {
      const file = path.join(this.tmpDir, name);
      try {
        if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
      } catch {
        // Gone already (another process reclaimed it): nothing to do.
      }
    }
  }

  private pathOf(key: string): string {
    checkKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, source: Readable | Buffer | Uint8Array, options: { maxBytes?: number } = {}): Promise<BlobInfo> {
    const target = this.pathOf(key);
    const tmp = path.join(this.tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const meter = new Meter(options.maxBytes ?? Number.POSITIVE_INFINITY);
    const input = source instanceof Readable ? source : Readable.from([Buffer.from(source)]);
    try {
      // flush: the bytes are fsynced before the rename makes them visible. The high-water mark lets the small
      // pieces a socket delivers gather into one writev per MiB: each fs call is a thread-pool round trip.
      await pipeline(input, meter, fs.createWriteStream(tmp, { flush: true, highWaterMark: WRITE_BATCH_BYTES }));
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(tmp, target);
      await syncDir(path.dirname(target));
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    return { size: meter.size, sha256: meter.hash.digest('hex') };
  }

  async open(key: string, range?: { start: number; end?: number }, options: { readBytes?: number } = {}): Promise<Readable> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(this.pathOf(key), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobError('ERR_BLOB_NOT_FOUND', `no blob "${key}"`);
      throw err;
    }
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: options.readBytes });
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const s = await fsp.stat(this.pathOf(key));
      return s.isFile() ? { size: s.size } : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.pathOf(key), { force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const base = prefix.replace(/\/$/, '');
    const out: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const entry of entries) {
        if (entry.name === '.tmp') continue;
        const child = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), child);
        else out.push(child);
      }
    };
    await walk(base === '' ? this.root : this.pathOf(base), base);
    return out.sort();
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fsp.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
