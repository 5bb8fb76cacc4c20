import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What `files.upload` accepts: a path, bytes, or a stream (Node or web). */
export type UploadInput = string | Uint8Array | NodeJS.ReadableStream | ReadableStream<Uint8Array>;

/**
 * Random access to the bytes being uploaded, so a chunk can be read again after a network failure. Streams
 * are spooled to a temporary file first (their size is needed before the first chunk goes out anyway).
 */
export interface UploadSource {
  readonly size: number;
  readonly name: string;
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

async function fileSource(file: string, name: string, cleanup?: () => Promise<void>): Promise<UploadSource> {
  const handle = await fs.promises.open(file, 'r');
  const { size } = await handle.stat();
  return {
    size,
    name,
    async read(offset, length) {
      const buffer = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await handle.read(buffer, done, buffer.length - done, offset + done);
        if (bytesRead === 0) throw new Error(`${file} shrank while being uploaded`);
        done += bytesRead;
      }
      return buffer;
    },
    async close() {
      await handle.close();
      await cleanup?.();
    },
  };
}

export async function openUploadSource(input: UploadInput, fileName?: string): Promise<UploadSource> {
  if (typeof input === 'string') return fileSource(input, fileName ?? path.basename(input));
  if (input instanceof Uint8Array) {
    const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    return {
      size: bytes.length,
      name: fileName ?? 'document',
      read: async (offset, length) => bytes.subarray(offset, offset + length),
      close: async () => undefined,
    };
  }
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'imzala-upload-'));
  const spool = path.join(dir, 'spool');
  const readable = input instanceof ReadableStream ? Readable.fromWeb(input as import('node:stream/web').ReadableStream) : (input as NodeJS.ReadableStream);
  try {
    await pipeline(readable, fs.createWriteStream(spool, { mode: 0o600 }));
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return fileSource(spool, fileName ?? 'document', () => fs.promises.rm(dir, { recursive: true, force: true }));
}
