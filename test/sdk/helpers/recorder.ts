import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A request exactly as it arrived on the socket: the raw request target and the body's bytes. */
export interface RecordedRequest {
  method: string;
  /** `req.url`: the request target as sent, query untouched. */
  target: string;
  path: string;
  /** The raw query after `?` (empty when none), byte for byte as sent. */
  rawQuery: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Reply = { status?: number; headers?: Record<string, string>; json?: unknown; text?: string } | 'destroy';
export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

/**
 * A plain node:http server that records every request's raw bytes and answers through a test's handler: the
 * instrument that shows what the SDK put on the wire (not a stand-in for imzala's servers).
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  private server: http.Server | undefined;
  url = '';
  constructor(public handler: Handler) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = req.url ?? '/';
        const q = target.indexOf('?');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          target,
          path: q < 0 ? target : target.slice(0, q),
          rawQuery: q < 0 ? '' : target.slice(q + 1),
          headers: req.headers,
          body: Buffer.concat(chunks),
        };
        this.requests.push(recorded);
        Promise.resolve(this.handler(recorded)).then(
          (reply) => {
            if (reply === 'destroy') return req.socket.destroy();
            const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
            res.writeHead(reply.status ?? 200, {
              'content-type': reply.json !== undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
              ...reply.headers,
            });
            res.end(body);
          },
          (err: unknown) => {
            res.writeHead(500).end(String(err));
          },
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.toLowerCase() === path.toLowerCase());
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface TestKeys {
  dir: string;
  pkcs1: string;
  pkcs8: string;
  publicPem: string;
  pkcs1File: string;
  pkcs8File: string;
  publicFile: string;
}

/** A fresh 2048-bit RSA pair in both private PEM forms, written to a temporary directory for openssl. */
export function testKeys(): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-sdk-keys-'));
  const pkcs1 = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keys = { dir, pkcs1, pkcs8, publicPem, pkcs1File: path.join(dir, 'pkcs1.pem'), pkcs8File: path.join(dir, 'pkcs8.pem'), publicFile: path.join(dir, 'public.pem') };
  fs.writeFileSync(keys.pkcs1File, pkcs1);
  fs.writeFileSync(keys.pkcs8File, pkcs8);
  fs.writeFileSync(keys.publicFile, publicPem);
  return keys;
}

/** `openssl dgst -sha256 -verify`: the independent check that `signature` covers exactly `bytes`. */
export function opensslVerifies(keys: TestKeys, bytes: Buffer, signatureBase64: string): boolean {
  const data = path.join(keys.dir, `data-${process.hrtime.bigint()}`);
  const sig = `${data}.sig`;
  fs.writeFileSync(data, bytes);
  fs.writeFileSync(sig, Buffer.from(signatureBase64, 'base64'));
  try {
    execFileSync('openssl', ['dgst', '-sha256', '-verify', keys.publicFile, '-signature', sig, data], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** `openssl dgst -sha256 -sign KEY` over the bytes, Base64: what a `Signature` header must equal. */
export function opensslSign(keyFile: string, bytes: Buffer): string {
  return execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile], { input: bytes }).toString('base64');
}
