/**
 * One error class per family, each with a stable `code` (jose's way), the HTTP status when there was a
 * response, and the reference id the server gave (the banking envelope's executionReferenceId, or the
 * e-signature requestId we sent) so a support ticket can name the call.
 */
export interface ErrorDetails {
  status?: number | undefined;
  referenceId?: string | undefined;
  /** The response body as received, for logs; never contains our secrets (they are request-side). */
  body?: unknown;
  cause?: unknown;
}

export class ImzalaError extends Error {
  readonly code: string = 'ERR_IMZALA';
  readonly status: number | undefined;
  readonly referenceId: string | undefined;
  readonly body: unknown;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.referenceId = details.referenceId;
    this.body = details.body;
  }
}

/** Any HTTP failure that no more specific family covers (404 Path not found, 5xx, a malformed answer). */
export class ApiError extends ImzalaError {
  override readonly code: string = 'ERR_API';
}

/** Bad client credentials, an expired/revoked token, a wrong grant (OAuth2 errors and gateway 401s). */
export class AuthenticationError extends ImzalaError {
  override readonly code = 'ERR_AUTHENTICATION';
  /** The RFC 6749 error code when the identity server gave one (invalid_client, invalid_grant, …). */
  readonly oauthError: string | undefined;
  constructor(message: string, details: ErrorDetails & { oauthError?: string | undefined } = {}) {
    super(message, details);
    this.oauthError = details.oauthError;
  }
}

/** The gateway did not accept the request's Signature header. */
export class SignatureError extends ImzalaError {
  override readonly code = 'ERR_SIGNATURE';
  /** The gateway's `Signature-Hint` header: why it thinks the signature did not verify, when it can tell. */
  readonly hint: string | undefined;
  constructor(message: string, details: ErrorDetails & { hint?: string | undefined } = {}) {
    super(message, details);
    this.hint = details.hint;
  }
}

/** The token lacks the scope the endpoint needs (gateway 403, identity invalid_scope). */
export class ScopeError extends ImzalaError {
  override readonly code = 'ERR_SCOPE';
}

export class RateLimitError extends ImzalaError {
  override readonly code = 'ERR_RATE_LIMIT';
  /** Seconds the server asked us to wait (Retry-After), when it said. */
  readonly retryAfter: number | undefined;
  constructor(message: string, details: ErrorDetails & { retryAfter?: number | undefined } = {}) {
    super(message, details);
    this.retryAfter = details.retryAfter;
  }
}

export interface BusinessResult {
  errorCode: string;
  errorMessage: string;
}

/** The bank answered HTTP 200 with `success: false`: the call was understood and refused. */
export class BusinessError extends ImzalaError {
  override readonly code = 'ERR_BUSINESS';
  readonly results: readonly BusinessResult[];
  constructor(message: string, details: ErrorDetails & { results: readonly BusinessResult[] }) {
    super(message, details);
    this.results = details.results;
  }
}

/** The e-signature API answered its envelope with a non-empty `error` (refused, timed out, unknown file, …). */
export class ApiResultError extends ImzalaError {
  override readonly code = 'ERR_API_RESULT';
}

/**
 * The connection failed. `sent` tells whether the request may have reached the server: when false (refused,
 * DNS, TLS) a retry is always safe; when true, only an idempotent request may be retried.
 */
export class NetworkError extends ImzalaError {
  override readonly code = 'ERR_NETWORK';
  readonly sent: boolean;
  constructor(message: string, details: ErrorDetails & { sent: boolean }) {
    super(message, details);
    this.sent = details.sent;
  }
}

/** The caller aborted (AbortSignal) or a configured timeout fired. */
export class AbortError extends ImzalaError {
  override readonly code = 'ERR_ABORTED';
}
