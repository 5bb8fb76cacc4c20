import { ImzalaError, AbortError, NetworkError } from './errors.js';

/**
 * The one HTTP layer under every resource class (stripe-node's way): global fetch, a per-call timeout, the
 * caller's AbortSignal, and retries only where a retry cannot do a thing twice.
 */
export interface TransportOptions {
  /** Defaults to the global fetch (undici). */
  fetch?: typeof globalThis.fetch;
  /** Retries after the first attempt; default 2. */
  maxRetries?: number;
  /** Per attempt; default 60 s; 0 disables. Long-polling calls pass their own. */
  timeoutMs?: number;
  /** First backoff step and cap, ms; the wait is drawn uniformly from [0, min(cap, base·2^attempt)]. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** A 429 asking for a longer wait than this (seconds) is returned to the caller, not waited out. Default 60. */
  maxRetryAfter?: number;
  userAgent?: string;
}

/**
 * How much a request may be repeated:
 * - `idempotent`: GETs and calls the API documents as repeatable (status, download, re-sent chunk): retried on
 *   network errors, 5xx and 429;
 * - `once`: everything else, a money transfer included: retried only when the connection failed before the
 *   request left (refused, DNS, TLS) or the server answered 429 (it did nothing and said when to come back).
 */
export type RetryClass = 'idempotent' | 'once';

export type RequestBody = Uint8Array | { stream: () => ReadableStream<Uint8Array>; length: number };

export interface TransportRequest {
  method: string;
  /** The final URL: its `search` is exactly the query that goes on the wire. */
  url: URL;
  headers?: Record<string, string>;
  body?: RequestBody | undefined;
  retry: RetryClass;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

export interface TransportResponse {
  status: number;
  headers: Headers;
  body: Buffer;
  /** Attempts made, 1 when the first one answered. */
  attempts: number;
}

/** Connection failures that prove the request never reached the server. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_HAS_EXPIRED',
]);

/** The innermost cause's message ("bad port", "other side closed"), more telling than fetch's "fetch failed". */
function innermostMessage(err: unknown): string {
  let message = err instanceof Error ? err.message : String(err);
  for (let e: unknown = (err as { cause?: unknown }).cause, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof Error && e.message) message = e.message;
  }
  return message;
}

function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'ERR_IMZALA') return code;
  }
  return undefined;
}

export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers.get('retry-after');
  if (raw === null || raw.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Number(raw.trim());
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** Waits, unless the signal aborts first (then rejects with AbortError). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError('aborted', { cause: signal.reason }));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError('aborted', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class Transport {
  private readonly fetchImpl: typeof globalThis.fetch;
  readonly maxRetries: number;
  private readonly timeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly maxRetryAfter: number;
  private readonly userAgent: string;

  constructor(options: TransportOptions = {}) {
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.maxRetries = options.maxRetries ?? 2;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.backoffBaseMs = options.backoffBaseMs ?? 250;
    this.backoffMaxMs = options.backoffMaxMs ?? 8_000;
    this.maxRetryAfter = options.maxRetryAfter ?? 60;
    this.userAgent = options.userAgent ?? 'imzala-sdk/0.1.0';
  }

  /** Jittered exponential backoff ("full jitter"): spreads retries of many clients over time. */
  backoff(attempt: number): number {
    return Math.random() * Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** attempt);
  }

  async request(req: TransportRequest): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.maxRetries;
      let response: TransportResponse;
      try {
        response = await this.once(req, attempt + 1);
      } catch (err) {
        if (!(err instanceof NetworkError) || last) throw err;
        if (req.retry === 'once' && err.sent) throw err;
        await sleep(this.backoff(attempt), req.signal);
        continue;
      }
      if (last) return response;
      if (response.status === 429) {
        const wait = retryAfterSeconds(response.headers);
        if (wait !== undefined && wait > this.maxRetryAfter) return response;
        await sleep(wait !== undefined ? wait * 1000 + Math.random() * 100 : this.backoff(attempt), req.signal);
        continue;
      }
      if (response.status >= 500 && req.retry === 'idempotent') {
        await sleep(this.backoff(attempt), req.signal);
        continue;
      }
      return response;
    }
  }

  private async once(req: TransportRequest, attempts: number): Promise<TransportResponse> {
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    const signals: AbortSignal[] = [];
    if (req.signal) signals.push(req.signal);
    const timeout = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
    if (timeout) signals.push(timeout);
    const signal = signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);

    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
    let body: BodyInit | undefined;
    if (req.body instanceof Uint8Array) {
      body = req.body as Uint8Array<ArrayBuffer>;
    } else if (req.body) {
      body = req.body.stream() as unknown as BodyInit;
      headers['content-length'] = String(req.body.length);
    }
    const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, body, signal, redirect: 'manual' };
    if (body !== undefined && !(body instanceof Uint8Array)) init.duplex = 'half';

    let res: Response;
    try {
      res = await this.fetchImpl(req.url, init);
    } catch (err) {
      throw this.failure(err, req, timeout);
    }
    try {
      const bytes = Buffer.from(await res.arrayBuffer());
      return { status: res.status, headers: res.headers, body: bytes, attempts };
    } catch (err) {
      throw this.failure(err, req, timeout);
    }
  }

  private failure(err: unknown, req: TransportRequest, timeout: AbortSignal | undefined): ImzalaError {
    if (err instanceof ImzalaError) return err;
    if (req.signal?.aborted) return new AbortError(`${req.method} ${req.url.pathname} aborted`, { cause: req.signal.reason });
    if (timeout?.aborted) {
      return new NetworkError(`${req.method} ${req.url.pathname} timed out`, { cause: err, sent: true });
    }
    const code = causeCode(err);
    const sent = code === undefined || !NOT_SENT.has(code);
    return new NetworkError(`${req.method} ${req.url.origin}${req.url.pathname} failed: ${code ?? innermostMessage(err)}`, {
      cause: err,
      sent,
    });
  }
}
