import { ApiError, ApiResultError, AuthenticationError, RateLimitError } from '../errors.js';
import { retryAfterSeconds, type RequestBody, type RetryClass, type Transport } from '../transport.js';
import { newRequestId } from './request-id.js';

export interface CoreApiOptions {
  transport: Transport;
  baseUrl: string;
  apiKey: string;
  displayLanguage: string;
}

export interface CoreCall {
  path: string;
  retry: RetryClass;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
}

/**
 * The e-signature wire: `X-API-KEY` on every call, a fresh 21-character requestId and the displayLanguage in
 * every request (in the JSON body, or as headers/form fields when the body is raw bytes), `ApiResult<T>` back.
 */
export class CoreApi {
  constructor(readonly options: CoreApiOptions) {}

  url(path: string): URL {
    return new URL(this.options.baseUrl + path);
  }

  /** A JSON call; `fields` are merged with the BaseRequest fields. */
  json<T>(call: CoreCall & { fields: Record<string, unknown> }): Promise<T> {
    const requestId = newRequestId();
    const body = Buffer.from(JSON.stringify({ ...call.fields, requestId, displayLanguage: this.options.displayLanguage }), 'utf8');
    return this.send<T>(call, requestId, { 'content-type': 'application/json; charset=utf-8' }, body);
  }

  /** A call whose body is not JSON (a chunk's bytes, a multipart form): BaseRequest travels in headers. */
  raw<T>(call: CoreCall & { headers: Record<string, string>; body: RequestBody; requestId?: string }): Promise<T> {
    const requestId = call.requestId ?? newRequestId();
    return this.send<T>(call, requestId, call.headers, call.body);
  }

  private async send<T>(call: CoreCall, requestId: string, headers: Record<string, string>, body: RequestBody): Promise<T> {
    const res = await this.options.transport.request({
      method: 'POST',
      url: this.url(call.path),
      headers: {
        ...headers,
        'x-api-key': this.options.apiKey,
        requestid: requestId,
        displaylanguage: this.options.displayLanguage,
        accept: 'application/json',
      },
      body,
      retry: call.retry,
      signal: call.signal,
      timeoutMs: call.timeoutMs,
    });
    const text = res.body.toString('utf8');
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    const envelope = json as { result?: unknown; error?: unknown } | undefined;
    const error = typeof envelope?.error === 'string' && envelope.error.trim() !== '' ? envelope.error : undefined;
    const details = { status: res.status, referenceId: requestId, body: json };
    if (res.status === 401 || res.status === 403) throw new AuthenticationError(error ?? `the API key was refused (${res.status})`, details);
    if (res.status === 429) throw new RateLimitError(error ?? 'too many requests', { ...details, retryAfter: retryAfterSeconds(res.headers) });
    if (error !== undefined) throw new ApiResultError(error, details);
    if (res.status < 200 || res.status >= 300) {
      const message = typeof json === 'string' && json !== '' ? json : `${call.path} answered ${res.status}`;
      throw new ApiError(message, details);
    }
    if (!envelope || typeof envelope !== 'object' || !('result' in envelope) || envelope.result === null || envelope.result === undefined) {
      throw new ApiResultError(`${call.path} answered without a result`, details);
    }
    const result = envelope.result as { isSuccess?: unknown };
    if (result.isSuccess === false) throw new ApiResultError(`${call.path} answered isSuccess: false`, details);
    return envelope.result as T;
  }
}
