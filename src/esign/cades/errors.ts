/** The CAdES engine's error family; `code` is stable. */
export type CadesErrorCode =
  | 'ERR_CADES_OPTIONS' // a level, profile or combination the engine does not offer
  | 'ERR_CADES_DOCUMENT' // an existing CMS that cannot take another signature (detached, malformed)
  | 'ERR_CADES_PATH' // signaturePath malformed or naming no signature
  | 'ERR_CADES_SIGNATURE_VALUE' // the signature value does not verify over the signed attributes
  | 'ERR_CADES_STATE'; // a pending state that does not match what it claims

export class CadesError extends Error {
  override readonly name = 'CadesError';
  constructor(
    readonly code: CadesErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Whether the caller's request (not the engine or its trust services) is what went wrong. */
  get isInput(): boolean {
    return this.code === 'ERR_CADES_OPTIONS' || this.code === 'ERR_CADES_DOCUMENT' || this.code === 'ERR_CADES_PATH';
  }
}
