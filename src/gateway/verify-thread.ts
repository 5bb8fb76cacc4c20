import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { verifyBytes } from './signature.js';

/*
 * Request signatures verified on one dedicated worker thread. On libuv's thread pool every verification wakes a
 * sleeping pool thread (futex, a context switch, contention on the pool's queue lock), which on a 2-core machine
 * cost the event loop more than the RSA operation itself. A worker's message port wakes the other side only
 * when it is idle: while it is busy, further messages queue without a wake-up and are read in one go.
 * bench/gateway, 4 interleaved runs each on node-svc: thread pool 28–33% of the bare route (sys time ~40 µs per
 * call), this worker 31–40% (~18 µs); batching the calls of one event-loop turn into one message was worse
 * (22–27%): the event loop then idles while the worker verifies the whole batch.
 *
 * Messages stay cheap to copy: a key crosses once and is named by number afterwards, the signed text and the
 * signature travel as strings (a small Buffer is a view of an 8 KB pool, which a message would copy whole).
 * That took the event loop's cost per message from 4.5–6.5 µs to 1.75–3 µs, and bench/gateway to 42.5% and
 * 42.6% (medians of 3 rounds, two runs).
 * The worker keeps the process alive only while answers are awaited; if it dies, what it held is verified
 * in-process and the next call starts a new one.
 */

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { verify } = require('node:crypto');
const keys = new Map();
parentPort.on('message', ({ id, keyId, key, forget, data, signature }) => {
  if (key !== undefined) keys.set(keyId, key);
  if (forget !== undefined) keys.delete(forget);
  let valid = false;
  try {
    valid = verify('sha256', typeof data === 'string' ? Buffer.from(data, 'utf8') : data, keys.get(keyId), Buffer.from(signature, 'base64'));
  } catch {
    // A key that is not RSA, or a signature of the wrong length: not a valid signature.
  }
  parentPort.postMessage({ id, valid });
});
`;

/** Keys the worker holds at most; the least recently used is dropped first. */
const WORKER_KEYS = 1024;

interface Job {
  key: KeyObject;
  data: string | Uint8Array;
  signature: string;
  resolve: (valid: boolean) => void;
}

interface Thread {
  worker: Worker;
  /** Calls sent and not answered yet, by id. */
  pending: Map<number, Job>;
  /** Ids of the keys this worker holds, least recently used first. */
  keys: Map<number, true>;
}

let current: Thread | undefined;
let lastId = 0;
let lastKeyId = 0;
const keyIds = new WeakMap<KeyObject, number>();

function verifyHere(job: Job): boolean {
  const data = typeof job.data === 'string' ? Buffer.from(job.data, 'utf8') : job.data;
  return verifyBytes(job.key, Buffer.from(data.buffer, data.byteOffset, data.byteLength), Buffer.from(job.signature, 'base64'));
}

function thread(): Thread {
  if (current) return current;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const t: Thread = { worker, pending: new Map(), keys: new Map() };
  worker.unref();
  worker.on('message', ({ id, valid }: { id: number; valid: boolean }) => {
    const job = t.pending.get(id);
    t.pending.delete(id);
    job?.resolve(valid);
    if (t.pending.size === 0) worker.unref();
  });
  const fail = (): void => {
    if (current === t) current = undefined;
    for (const job of t.pending.values()) job.resolve(verifyHere(job));
    t.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  current = t;
  return t;
}

function keyIdOf(key: KeyObject): number {
  let keyId = keyIds.get(key);
  if (keyId === undefined) {
    keyId = ++lastKeyId;
    keyIds.set(key, keyId);
  }
  return keyId;
}

/**
 * Whether `signatureBase64` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature under `key` of `data` (text is taken
 * as its UTF-8); false for a key or signature that cannot be one. Decided on the verification thread.
 */
export function verifyOnThread(key: KeyObject, data: string | Uint8Array, signatureBase64: string): Promise<boolean> {
  return new Promise((resolve) => {
    const job: Job = { key, data, signature: signatureBase64, resolve };
    const t = thread();
    const id = ++lastId;
    const keyId = keyIdOf(key);
    const known = t.keys.delete(keyId);
    t.keys.set(keyId, true);
    let forget: number | undefined;
    if (t.keys.size > WORKER_KEYS) {
      forget = t.keys.keys().next().value as number;
      t.keys.delete(forget);
    }
    // A view into a larger buffer would be copied whole: send the bytes alone.
    const bytes = typeof data === 'string' || data.byteLength === data.buffer.byteLength ? data : new Uint8Array(data);
    t.pending.set(id, job);
    if (t.pending.size === 1) t.worker.ref();
    try {
      t.worker.postMessage({ id, keyId, key: known ? undefined : key, forget, data: bytes, signature: signatureBase64 });
    } catch {
      // Something that cannot cross to the worker (a key that is no KeyObject): answered here.
      t.pending.delete(id);
      t.keys.delete(keyId);
      resolve(verifyHere(job));
    }
  });
}
