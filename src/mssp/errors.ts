/** Errors of the virtual phone and the subscriber register; `code` is stable, `status` the HTTP status. */
export type PhoneErrorCode =
  | 'ERR_INVALID_INPUT'
  | 'ERR_UNKNOWN_PHONE'
  | 'ERR_PHONE_EXISTS'
  | 'ERR_NO_PENDING'
  | 'ERR_WRONG_PIN'
  | 'ERR_PIN_BLOCKED'
  | 'ERR_ALREADY_FINISHED';

const HTTP: Record<PhoneErrorCode, number> = {
  ERR_INVALID_INPUT: 400,
  ERR_UNKNOWN_PHONE: 404,
  ERR_PHONE_EXISTS: 409,
  ERR_NO_PENDING: 409,
  ERR_WRONG_PIN: 403,
  ERR_PIN_BLOCKED: 423,
  ERR_ALREADY_FINISHED: 409,
};

export class PhoneError extends Error {
  override readonly name = 'PhoneError';
  readonly status: number;

  constructor(
    readonly code: PhoneErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = HTTP[code];
  }
}
