/** Failures of application management (create, rotate, find), each with a stable code. */
export type ApplicationErrorCode =
  | 'ERR_PUBLIC_KEY'
  | 'ERR_APPLICATION_NOT_FOUND'
  | 'ERR_CUSTOMER_NOT_FOUND'
  | 'ERR_INVALID_SCOPE'
  | 'ERR_INVALID_REDIRECT_URI'
  | 'ERR_INVALID_NAME';

export class ApplicationError extends Error {
  constructor(
    readonly code: ApplicationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApplicationError';
  }
}
