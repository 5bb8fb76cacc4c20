import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { NetworkError } from '../errors.js';
import { sleep, type Transport } from '../transport.js';
import type { CoreApi } from './core-api.js';
import { newRequestId } from './request-id.js';
import { openUploadSource, type UploadInput, type UploadSource } from './upload-source.js';
import type { ChunkSession, DownloadedFile, UploadProgress, UploadResult, UploadStatus } from './types.js';

export interface UploadOptions {
  /** The name sent with a whole upload; the path's base name by default. */
  fileName?: string;
  onProgress?: (progress: UploadProgress) => void;
  /** Bytes per chunk; the client's default (8 MiB) otherwise. The server may answer with another size. */
  chunkSize?: number;
  /** Files larger than this go in chunks; the chunk size by default. */
  chunkThreshold?: number;
  /** Continue an interrupted chunked upload of the same bytes (with the same chunkSize). */
  resumeSessionId?: string;
  /** How many times a chunked upload reconnects and resumes after a network failure; default 5. */
  maxResumes?: number;
  signal?: AbortSignal;
}

const PIECE = 64 * 1024;

/** Documents in and out (`CoreApiFile`): whole or chunked uploads with resume, chunk primitives, download. */
export class Files {
  constructor(
    private readonly api: CoreApi,
    private readonly transport: Transport,
    private readonly defaults: { chunkSize: number; prefix: string },
  ) {}

  private path(name: string): string {
    return `${this.defaults.prefix}/CoreApiFile/${name}`;
  }

  /** Uploads whole when the file is at most `chunkThreshold` bytes, else in chunks; resolves to the upload's operationId. */
  async upload(input: UploadInput, options: UploadOptions = {}): Promise<UploadResult> {
    const source = await openUploadSource(input, options.fileName);
    try {
      const chunkSize = options.chunkSize ?? this.defaults.chunkSize;
      const threshold = options.chunkThreshold ?? chunkSize;
      if (options.resumeSessionId === undefined && source.size <= threshold) return await this.uploadWhole(source, options);
      return await this.uploadChunked(source, chunkSize, options);
    } finally {
      await source.close();
    }
  }

  /** Multipart `file` field, streamed (so progress reflects bytes handed to the socket). */
  private async uploadWhole(source: UploadSource, options: UploadOptions): Promise<UploadResult> {
    const boundary = `----imzala${randomBytes(12).toString('hex')}`;
    const filename = source.name.replace(/["\r\n\\]/g, '_');
    const requestId = newRequestId();
    // BaseRequest as form fields ahead of the file, so a streaming server has them before the bytes.
    const field = (name: string, value: string): string => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const head = Buffer.from(
      field('requestId', requestId) +
        field('displayLanguage', this.api.options.displayLanguage) +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      'utf8',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8');
    const length = head.length + source.size + tail.length;
    const stream = (): ReadableStream<Uint8Array> => {
      let offset = 0;
      let stage: 'head' | 'file' | 'tail' | 'done' = 'head';
      return new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          if (stage === 'head') {
            controller.enqueue(head);
            stage = source.size === 0 ? 'tail' : 'file';
          } else if (stage === 'file') {
            const piece = await source.read(offset, PIECE);
            offset += piece.length;
            controller.enqueue(piece);
            options.onProgress?.({ sentBytes: offset, totalBytes: source.size });
            if (offset >= source.size) stage = 'tail';
          } else if (stage === 'tail') {
            controller.enqueue(tail);
            stage = 'done';
          } else {
            controller.close();
          }
        },
      });
    };
    const result = await this.api.raw<{ operationId: string }>({
      path: this.path('UploadFile'),
      requestId,
      // Each UploadFile creates an operation: only a connection that never opened is retried.
      retry: 'once',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: { stream, length },
      signal: options.signal,
      timeoutMs: 0,
    });
    if (source.size === 0) options.onProgress?.({ sentBytes: 0, totalBytes: 0 });
    return { operationId: result.operationId, chunked: false };
  }

  private async uploadChunked(source: UploadSource, requestedChunkSize: number, options: UploadOptions): Promise<UploadResult> {
    let session: ChunkSession;
    let pending: number[];
    if (options.resumeSessionId !== undefined) {
      const status = await this.uploadStatus(options.resumeSessionId, options.signal);
      const expected = Math.max(1, Math.ceil(source.size / requestedChunkSize));
      if (status.totalChunks !== expected) {
        throw new RangeError(`session ${options.resumeSessionId} has ${status.totalChunks} chunks; these bytes make ${expected} at ${requestedChunkSize} bytes per chunk`);
      }
      session = { uploadSessionId: options.resumeSessionId, operationId: '', chunkSize: requestedChunkSize, totalChunks: status.totalChunks };
      pending = missing(status);
    } else {
      session = await this.initChunks(
        {
          totalSize: source.size,
          chunkSize: requestedChunkSize,
          totalChunks: Math.max(1, Math.ceil(source.size / requestedChunkSize)),
          fileName: source.name,
        },
        options.signal,
      );
      pending = Array.from({ length: session.totalChunks }, (_, i) => i);
    }
    const chunkLength = (i: number): number => Math.max(0, Math.min(session.chunkSize, source.size - i * session.chunkSize));
    let sent = source.size - pending.reduce((sum, i) => sum + chunkLength(i), 0);
    const report = (chunkIndex?: number): void =>
      options.onProgress?.({ sentBytes: sent, totalBytes: source.size, uploadSessionId: session.uploadSessionId, chunkIndex, totalChunks: session.totalChunks });
    report();

    let resumes = 0;
    const maxResumes = options.maxResumes ?? 5;
    while (pending.length > 0) {
      const index = pending[0]!;
      try {
        const bytes = await source.read(index * session.chunkSize, chunkLength(index));
        await this.uploadChunk(session.uploadSessionId, index, bytes, options.signal);
        pending.shift();
        sent += bytes.length;
        report(index);
      } catch (err) {
        if (!(err instanceof NetworkError) || resumes >= maxResumes) throw annotate(err, session.uploadSessionId);
        resumes++;
        await sleep(this.transport.backoff(resumes), options.signal);
        // Ask the server what it holds: a chunk whose answer was lost may have arrived after all.
        try {
          const status = await this.uploadStatus(session.uploadSessionId, options.signal);
          pending = missing(status);
          sent = source.size - pending.reduce((sum, i) => sum + chunkLength(i), 0);
        } catch (statusErr) {
          if (!(statusErr instanceof NetworkError)) throw annotate(statusErr, session.uploadSessionId);
        }
      }
    }
    const done = await this.completeChunks(session.uploadSessionId, options.signal);
    return { operationId: done.operationId, chunked: true, uploadSessionId: session.uploadSessionId };
  }

  initChunks(
    init: { totalSize: number; chunkSize: number; totalChunks: number; operationId?: string; fileName?: string },
    signal?: AbortSignal,
  ): Promise<ChunkSession> {
    return this.api.json<ChunkSession>({ path: this.path('ChunkInit'), retry: 'once', fields: { ...init }, signal });
  }

  /**
   * Re-sending a chunk is idempotent on the server, so it is retried like a GET. The `chunksha256` header (an
   * imzala extension other servers ignore) lets the server refuse a chunk damaged on the way.
   */
  async uploadChunk(uploadSessionId: string, chunkIndex: number, bytes: Uint8Array, signal?: AbortSignal): Promise<{ accepted: boolean }> {
    return this.api.raw<{ accepted: boolean }>({
      path: this.path('ChunkUpload'),
      retry: 'idempotent',
      headers: {
        'content-type': 'application/octet-stream',
        uploadsessionid: uploadSessionId,
        chunkindex: String(chunkIndex),
        chunksha256: createHash('sha256').update(bytes).digest('hex'),
      },
      body: bytes,
      signal,
      timeoutMs: 0,
    });
  }

  completeChunks(uploadSessionId: string, signal?: AbortSignal): Promise<{ isSuccess: boolean; operationId: string }> {
    return this.api.json({ path: this.path('ChunkComplete'), retry: 'once', fields: { uploadSessionId }, signal });
  }

  abortChunks(uploadSessionId: string, signal?: AbortSignal): Promise<{ aborted: boolean }> {
    return this.api.json({ path: this.path('ChunkAbort'), retry: 'idempotent', fields: { uploadSessionId }, signal });
  }

  uploadStatus(uploadSessionId: string, signal?: AbortSignal): Promise<UploadStatus> {
    return this.api.json({ path: this.path('GetUploadStatus'), retry: 'idempotent', fields: { uploadSessionId }, signal });
  }

  async download(operationId: string, options: { signal?: AbortSignal } = {}): Promise<DownloadedFile> {
    const result = await this.api.json<{ operationId: string; fileData: string; fileName: string }>({
      path: this.path('DownloadCore'),
      retry: 'idempotent',
      fields: { operationId },
      signal: options.signal,
      timeoutMs: 0,
    });
    return { operationId: result.operationId ?? operationId, fileName: result.fileName, data: Buffer.from(result.fileData, 'base64') };
  }

  /** Downloads into a file, written atomically (a temporary name, then rename). */
  async downloadTo(operationId: string, file: string, options: { signal?: AbortSignal } = {}): Promise<DownloadedFile> {
    const downloaded = await this.download(operationId, options);
    const partial = `${file}.${randomBytes(4).toString('hex')}.part`;
    await fs.promises.writeFile(partial, downloaded.data);
    await fs.promises.rename(partial, file);
    return downloaded;
  }
}

function missing(status: UploadStatus): number[] {
  const received = new Set(status.receivedChunkIndices);
  return Array.from({ length: status.totalChunks }, (_, i) => i).filter((i) => !received.has(i));
}

/** Names the session in the error so the caller can resume it later. */
function annotate(err: unknown, uploadSessionId: string): unknown {
  if (err instanceof Error && !err.message.includes(uploadSessionId)) {
    err.message = `${err.message} (upload session ${uploadSessionId}; pass resumeSessionId to continue)`;
  }
  return err;
}
