/** Every failure of the XAdES engine: one class, a stable `code` per cause (jose's way). */
export type XadesErrorCode =
  | 'ERR_XADES_OPTIONS' // a level, profile, mode or combination the engine refuses
  | 'ERR_XADES_DOCUMENT' // the document is not what the mode needs (not XML, no root, …)
  | 'ERR_XADES_PATH' // signaturePath malformed or naming no signature
  | 'ERR_XADES_CERTIFICATE' // the signer certificate cannot be used
  | 'ERR_XADES_STATE' // a pending state that is malformed, stale or does not match its document
  | 'ERR_XADES_SIGNATURE_VALUE' // the returned signature value does not verify over the prepared SignedInfo
  | 'ERR_XADES_TRUST' // the trust services failed (time-stamp, OCSP, CRL, chain)
  | 'ERR_XADES_PROFILE' // a Turkish profile rule is broken (e.g. time-stamp more than 2 hours after SigningTime)
  | 'ERR_XADES_PENDING_NOT_FOUND';

export class XadesError extends Error {
  constructor(
    readonly code: XadesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'XadesError';
  }
}
