import { Worker } from 'node:worker_threads';

/*
 * SHA-256 computed on a worker thread. Hashing a whole document on the event loop, on top of what the request
 * handling already does there, makes a large upload CPU-bound on one core; the worker uses another. One worker
 * per process, started on first use; it keeps the process alive only while an answer is awaited.
 *
 * Bytes travel through a few fixed slots of shared memory, copied in by `update` and handed back once hashed:
 * moving each piece's own ArrayBuffer instead left up to a GC's worth of dead buffers in each thread (bench/upload:
 * 342-392 MB peak RSS after the 1 GB upload, against 282-294 MB with the slots), and the slots also bound what is
 * in flight.
 */

const SLOT_BYTES = 1024 * 1024;
const SLOTS = 8;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const slots = new Uint8Array(workerData.shared);
const hashes = new Map();
parentPort.on('message', (m) => {
  let result;
  try {
    if (m.op === 'create') hashes.set(m.id, m.from === undefined ? createHash('sha256') : hashes.get(m.from).copy());
    else if (m.op === 'update') hashes.get(m.id).update(slots.subarray(m.slot * ${SLOT_BYTES}, m.slot * ${SLOT_BYTES} + m.length));
    else if (m.op === 'digest') result = hashes.get(m.id).digest('hex');
    if (m.op === 'digest' || m.op === 'free') hashes.delete(m.id);
  } catch (err) {
    // An unknown id (its create failed, or it was digested already): that hash is unusable, and says so when asked.
    hashes.delete(m.id);
    if (m.reply !== undefined) parentPort.postMessage({ reply: m.reply, error: String(err) });
    return;
  } finally {
    if (m.op === 'update') parentPort.postMessage({ slot: m.slot });
  }
  if (m.reply !== undefined) parentPort.postMessage({ reply: m.reply, result });
});
`;

type Message = { op: 'create'; id: number; from?: number } | { op: 'update'; id: number; slot: number; length: number } | { op: 'digest' | 'free'; id: number };

interface Thread {
  worker: Worker;
  slots: Uint8Array;
  free: number[];
  /** `update` calls waiting for a slot, in order. */
  slotWaiters: Array<{ resolve: (slot: number) => void; reject: (err: Error) => void }>;
  answers: Map<number, { resolve: (result: string) => void; reject: (err: Error) => void }>;
}

let current: Thread | undefined;
let lastId = 0;
let lastReply = 0;

function thread(): Thread {
  if (current) return current;
  const shared = new SharedArrayBuffer(SLOT_BYTES * SLOTS);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { shared } });
  const t: Thread = { worker, slots: new Uint8Array(shared), free: Array.from({ length: SLOTS }, (_, i) => i), slotWaiters: [], answers: new Map() };
  worker.unref();
  worker.on('message', (m: { slot?: number; reply?: number; result?: string; error?: string }) => {
    if (m.slot !== undefined) {
      const waiter = t.slotWaiters.shift();
      if (waiter) waiter.resolve(m.slot);
      else t.free.push(m.slot);
    }
    if (m.reply !== undefined) {
      const answer = t.answers.get(m.reply);
      t.answers.delete(m.reply);
      if (m.error !== undefined) answer?.reject(new Error(`hash thread: ${m.error}`));
      else answer?.resolve(m.result ?? '');
    }
    if (t.answers.size === 0 && t.slotWaiters.length === 0) worker.unref();
  });
  // A dead worker fails what waits on it; the next hash starts a new one (the old hashes are gone with it).
  const fail = (err: Error): void => {
    if (current === t) current = undefined;
    for (const answer of t.answers.values()) answer.reject(err);
    for (const waiter of t.slotWaiters) waiter.reject(err);
    t.answers.clear();
    t.slotWaiters.length = 0;
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`hash thread exited with code ${code}`)));
  current = t;
  return t;
}

function ask(t: Thread, message: Message): Promise<string> {
  const reply = ++lastReply;
  return new Promise((resolve, reject) => {
    t.answers.set(reply, { resolve, reject });
    t.worker.ref();
    t.worker.postMessage({ ...message, reply });
  });
}

function takeSlot(t: Thread): Promise<number> {
  const slot = t.free.pop();
  if (slot !== undefined) return Promise.resolve(slot);
  return new Promise((resolve, reject) => {
    t.slotWaiters.push({ resolve, reject });
    t.worker.ref();
  });
}

// A hash dropped without being digested (an abandoned upload) is freed in the worker too.
const dropped = new FinalizationRegistry<{ id: number; thread: Thread }>(({ id, thread: t }) => {
  if (t === current) t.worker.postMessage({ op: 'free', id });
});

export class ThreadHash {
  private readonly id = ++lastId;
  /** The worker this hash lives in: if it dies, the hash fails rather than restart on a new one. */
  private readonly thread = thread();

  constructor(from?: ThreadHash) {
    this.thread.worker.postMessage({ op: 'create', id: this.id, from: from?.id } satisfies Message);
    dropped.register(this, { id: this.id, thread: this.thread });
  }

  /** Feeds `data` to the hash; `data` may be reused once this resolves (its bytes are copied). */
  async update(data: Uint8Array): Promise<void> {
    for (let at = 0; at < data.byteLength; at += SLOT_BYTES) {
      const piece = data.subarray(at, at + SLOT_BYTES);
      const slot = await takeSlot(this.thread);
      this.thread.slots.set(piece, slot * SLOT_BYTES);
      this.thread.worker.postMessage({ op: 'update', id: this.id, slot, length: piece.byteLength } satisfies Message);
    }
  }

  /** False once the worker holding this hash has exited (the hash is lost with it). */
  get alive(): boolean {
    return this.thread === current;
  }

  /** A new hash with this one's state, independent of it from now on. */
  copy(): ThreadHash {
    return new ThreadHash(this);
  }

  /** The hex digest; the hash is used up. */
  digest(): Promise<string> {
    if (!this.alive) return Promise.reject(new Error('hash thread: the worker holding this hash has exited'));
    return ask(this.thread, { op: 'digest', id: this.id });
  }
}
