import type { KeyObject } from 'node:crypto';
import { sign } from 'node:crypto';
import {
  ApiError,
  AuthenticationError,
  BusinessError,
  RateLimitError,
  ScopeError,
  SignatureError,
  type BusinessResult,
} from '../errors.js';
import { signedPayload } from '../signature.js';
import { retryAfterSeconds, type RetryClass, type Transport, type TransportResponse } from '../transport.js';
import type { Envelope } from './types.js';

export type QueryValue = string | number | boolean | undefined | null | ReadonlyArray<string | number | boolean>;
/** A raw query string (kept exactly as given, `?` optional) or pairs serialised in insertion order. */
export type Query = string | Record<string, QueryValue>;
/** An object is serialised to JSON once; a string or bytes go on the wire untouched (pretty-printed bodies stay so). */
export type Body = string | Uint8Array | Record<string, unknown> | readonly unknown[];

/** Where a call's bearer token comes from: a client-credentials scope set or a stored customer's tokens. */
export interface TokenSource {
  token(): Promise<string>;
  /** The gateway said 401 to this token: drop or refresh it. Returns false when there is nothing new to try. */
  rejected(token: string): Promise<boolean>;
}

export interface GatewayCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query | undefined;
  body?: Body | undefined;
  tokens: TokenSource;
  signal?: AbortSignal | undefined;
}

export interface GatewayOptions {
  transport: Transport;
  gatewayUrl: string;
  privateKey: KeyObject;
  /** `LanguageId` header: 1 Turkish, 2 English. */
  languageId?: 1 | 2 | undefined;
  deviceId?: string | undefined;
}

function encodeQuery(query: Query): string {
  if (typeof query === 'string') return query.startsWith('?') ? query.slice(1) : query;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(v))}`);
  }
  return parts.join('&');
}

function serialiseBody(body: Body): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Buffer.from(JSON.stringify(body), 'utf8');
}

export function referenceIdOf(res: TransportResponse, json: unknown): string | undefined {
  const fromBody = (json as { executionReferenceId?: unknown } | undefined)?.executionReferenceId;
  if (typeof fromBody === 'string' && fromBody !== '') return fromBody;
  return res.headers.get('executionreferenceid') ?? res.headers.get('x-reference-id') ?? res.headers.get('x-request-id') ?? undefined;
}

function parse(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function messageOf(json: unknown, fallback: string): string {
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  // The banking envelope on a refused request: {success: false, results: [{errorCode, errorMessage}]}.
  const result = (json as { results?: Array<{ errorCode?: unknown; errorMessage?: unknown }> } | undefined)?.results?.[0];
  if (result && typeof result.errorMessage === 'string') return typeof result.errorCode === 'string' ? `${result.errorCode}: ${result.errorMessage}` : result.errorMessage;
  const m = (json as { message?: unknown; error?: unknown } | undefined)?.message ?? (json as { error?: unknown } | undefined)?.error;
  return typeof m === 'string' && m !== '' ? m : fallback;
}

/**
 * Signs and sends one gateway call. The body is serialised once into a buffer that is both signed and sent;
 * the query is built once into a URL and the signature covers that URL's `search`, exactly what goes on the wire.
 */
export class Gateway {
  constructor(private readonly options: GatewayOptions) {}

  /** The URL and body bytes a call puts on the wire (exposed so tests and debuggers can see them). */
  prepare(call: Pick<GatewayCall, 'method' | 'path' | 'query' | 'body'>): { url: URL; body: Buffer | undefined } {
    const url = new URL(this.options.gatewayUrl + (call.path.startsWith('/') ? call.path : `/${call.path}`));
    if (call.query !== undefined) {
      const raw = encodeQuery(call.query);
      url.search = raw === '' ? '' : `?${raw}`;
    }
    return { url, body: call.body === undefined ? undefined : serialiseBody(call.body) };
  }

  async call<T>(call: GatewayCall): Promise<Envelope<T>> {
    const { url, body } = this.prepare(call);
    let token = await call.tokens.token();
    for (let attempt = 0; ; attempt++) {
      const payload =
        body !== undefined ? signedPayload({ token, method: call.method, body }) : signedPayload({ token, method: call.method, query: url.search });
      const headers: Record<string, string> = {
        authorization: `Bearer ${token}`,
        signature: sign('sha256', payload, this.options.privateKey).toString('base64'),
        accept: 'application/json',
      };
      if (body !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
      if (this.options.languageId) headers.languageid = String(this.options.languageId);
      if (this.options.deviceId) headers.deviceid = this.options.deviceId;
      const retry: RetryClass = call.method === 'GET' ? 'idempotent' : 'once';
      const res = await this.options.transport.request({ method: call.method, url, headers, body, retry, signal: call.signal });
      // A 401 means the gateway did nothing: one more try with a renewed token is safe even for a transfer.
      if (res.status === 401 && attempt === 0 && (await call.tokens.rejected(token))) {
        token = await call.tokens.token();
        continue;
      }
      return this.interpret<T>(res);
    }
  }

  private interpret<T>(res: TransportResponse): Envelope<T> {
    const json = parse(res.body);
    const details = { status: res.status, referenceId: referenceIdOf(res, json), body: json };
    if (res.status >= 200 && res.status < 300) {
      const envelope = json as Envelope<T> | undefined;
      if (!envelope || typeof envelope !== 'object' || !('value' in envelope || 'success' in envelope)) {
        throw new ApiError('the gateway answered 2xx without the {value, success} envelope', details);
      }
      if (envelope.success === false) {
        const results: BusinessResult[] = Array.isArray(envelope.results) ? envelope.results : [];
        const first = results[0];
        throw new BusinessError(first ? `${first.errorCode}: ${first.errorMessage}` : 'the bank refused the request', { ...details, results });
      }
      return envelope;
    }
    const hint = res.headers.get('signature-hint') ?? undefined;
    const message = messageOf(json, `gateway answered ${res.status}`);
    if (res.status === 400 && (hint !== undefined || /signature/i.test(message))) throw new SignatureError(message, { ...details, hint });
    if (res.status === 401) throw new AuthenticationError(message, details);
    if (res.status === 403) throw new ScopeError(message, details);
    if (res.status === 429) throw new RateLimitError(message, { ...details, retryAfter: retryAfterSeconds(res.headers) });
    throw new ApiError(message, details);
  }
}
