/** ETSI TS 102 204 status codes (the set Turkish operators use), by number and by their stable names. */
export const STATUS = {
  REQUEST_OK: 100,
  WRONG_PARAM: 101,
  MISSING_PARAM: 102,
  WRONG_DATA_LENGTH: 103,
  UNAUTHORIZED_ACCESS: 104,
  UNKNOWN_CLIENT: 105,
  INAPPROPRIATE_DATA: 107,
  INCOMPATIBLE_INTERFACE: 108,
  UNSUPPORTED_PROFILE: 109,
  EXPIRED_TRANSACTION: 208,
  OTA_ERROR: 209,
  USER_CANCEL: 401,
  PIN_NR_BLOCKED: 402,
  CARD_BLOCKED: 403,
  NO_KEY_FOUND: 404,
  PB_SIGNATURE_PROCESS: 406,
  NO_CERT_FOUND: 422,
  SIGNATURE: 500,
  REVOKED_CERTIFICATE: 501,
  VALID_SIGNATURE: 502,
  INVALID_SIGNATURE: 503,
  OUTSTANDING_TRANSACTION: 504,
  INTERNAL_ERROR: 900,
} as const;

export type StatusName = keyof typeof STATUS;
export type StatusCode = (typeof STATUS)[StatusName];

const NAMES = new Map<number, StatusName>(Object.entries(STATUS).map(([name, code]) => [code, name as StatusName]));

export function statusName(code: number): StatusName | undefined {
  return NAMES.get(code);
}

/** ETSI splits faults by who is to blame: 1xx are the caller's (SOAP Sender/Client), the rest the MSSP's side. */
export function isSenderFault(code: number): boolean {
  return code >= 100 && code < 200;
}

/**
 * The one error family of the operator protocol, on both sides of the wire. `code` is stable: the ETSI status
 * name (USER_CANCEL, EXPIRED_TRANSACTION, …) when the operator answered with one, or ERR_MSSP_TRANSPORT /
 * ERR_MSSP_RESPONSE / ERR_MSSP_TIMEOUT when no usable answer came back.
 */
export type MsspErrorCode = StatusName | 'ERR_MSSP_TRANSPORT' | 'ERR_MSSP_RESPONSE' | 'ERR_MSSP_TIMEOUT';

export class MsspError extends Error {
  override readonly name = 'MsspError';
  readonly code: MsspErrorCode;
  /** The ETSI numeric status when there is one. */
  readonly statusCode: number | undefined;

  constructor(code: MsspErrorCode, message: string, options: { statusCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options.statusCode ?? (code in STATUS ? STATUS[code as StatusName] : undefined);
  }

  static fromStatus(code: number, message?: string): MsspError {
    const name = statusName(code);
    if (!name) return new MsspError('ERR_MSSP_RESPONSE', `operator answered unknown status ${code}${message ? `: ${message}` : ''}`, { statusCode: code });
    return new MsspError(name, message || name, { statusCode: code });
  }
}
