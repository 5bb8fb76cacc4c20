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
 * The worker keeps the process alive only while answers are awaited; if it dies, what it held is verified
 * in-process and the next call starts a new one.
 */

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { verify } = require('node:crypto');
parentPort.on('message', ({ id, key, data, signature }) => {
  let valid = false;
  try {
    valid = verify('sha256', data, key, signature);
  } catch {
    // A key that is not RSA, or a signature of the wrong length: not a valid signature.
  }
  parentPort.postMessage({ id, valid });
});
`;

interface Job {
  key: KeyObject;
  data: Buffer;
  signature: Buffer;
  resolve: (valid: boolean) => void;
}

interface Thread {
  worker: Worker;
  /** Calls sent and not answered yet, by id. */
  pending: Map<number, Job>;
}

let current: Thread | undefined;
let lastId = 0;

function thread(): Thread {
  if (current) return current;
  const worker = new Worker(WORKER_SOURCE, { eval: true });
  const t: Thread = { worker, pending: new Map() };
  worker.unref();
  worker.on('message', ({ id, valid }: { id: number; valid: boolean }) => {
    const job = t.pending.get(id);
    t.pending.delete(id);
    job?.resolve(valid);
    if (t.pending.size === 0) worker.unref();
  });
  const fail = (): void => {
    if (current === t) current = undefined;
    for (const job of t.pending.values()) job.resolve(verifyBytes(job.key, job.data, job.signature));
    t.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', fail);
  current = t;
  return t;
}

/**
 * Whether `signature` is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of `data` under `key` (false for a key or
 * signature that cannot be one), decided on the verification thread.
 */
export function verifyOnThread(key: KeyObject, data: Buffer, signature: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const t = thread();
    const id = ++lastId;
    t.pending.set(id, { key, data, signature, resolve });
    if (t.pending.size === 1) t.worker.ref();
    try {
      t.worker.postMessage({ id, key, data, signature });
    } catch {
      // Something that cannot cross to the worker (a key that is no KeyObject): answered here.
      t.pending.delete(id);
      resolve(verifyBytes(key, data, signature));
    }
  });
}
