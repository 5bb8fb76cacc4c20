/** Every failure of the trust services carries one of these stable codes (jose-style: one class, many codes). */
export type TrustErrorCode =
  | 'ERR_TRUST_TCKN_INVALID'
  | 'ERR_TRUST_UNKNOWN_OPERATOR'
  | 'ERR_TRUST_UNKNOWN_CA'
  | 'ERR_TRUST_UNKNOWN_CERTIFICATE'
  | 'ERR_TRUST_ALREADY_REVOKED'
  | 'ERR_TRUST_BAD_REASON'
  | 'ERR_TRUST_BAD_SERIAL'
  | 'ERR_TRUST_BAD_INPUT'
  | 'ERR_TRUST_NOT_OUR_CERTIFICATE'
  | 'ERR_TRUST_KEY_MISMATCH';

export class TrustError extends Error {
  constructor(
    readonly code: TrustErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TrustError';
  }
}
