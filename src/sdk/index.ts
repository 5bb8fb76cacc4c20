/**
 * imzala SDK: Kuveyt Türk API Market (signed gateway calls, OAuth2) and Onaylarım CoreApi (uploads, mobile
 * XAdES, fingerprints, downloads). Works against the vendors' endpoints and against an imzala server.
 */
export {
  ImzalaError,
  ApiError,
  AuthenticationError,
  SignatureError,
  ScopeError,
  RateLimitError,
  BusinessError,
  ApiResultError,
  NetworkError,
  AbortError,
  type BusinessResult,
  type ErrorDetails,
} from './errors.js';
export { signRequest, signedPayload, loadPrivateKey, type SignRequestInput, type PrivateKeyInput } from './signature.js';
export { Transport, type TransportOptions, type RetryClass } from './transport.js';

export { KuveytTurk, type KuveytTurkOptions, type CustomerSession } from './kuveytturk/client.js';
export { KUVEYTTURK_ENVIRONMENTS, type KuveytTurkEnvironment, type KuveytTurkBaseUrls } from './kuveytturk/environments.js';
export { Accounts, type TransactionWindows } from './kuveytturk/accounts.js';
export { Fx } from './kuveytturk/fx.js';
export { MoneyTransfer } from './kuveytturk/money-transfer.js';
export { TestData } from './kuveytturk/test-data.js';
export type { Query, Body, TokenSource } from './kuveytturk/gateway.js';
export {
  IdentityClient,
  MemoryTokenStore,
  type TokenSet,
  type TokenStore,
  type AuthorizationRequest,
  type AuthorizationStart,
  type CodeExchange,
} from './kuveytturk/tokens.js';
export * from './kuveytturk/types.js';

export { Onaylarim, ONAYLARIM_TEST_URL, type OnaylarimOptions, type MobileSigning, type MobileSigned } from './onaylarim/client.js';
export { Files, type UploadOptions } from './onaylarim/files.js';
export { Xades } from './onaylarim/xades.js';
export { XadesMobile } from './onaylarim/xades-mobile.js';
export { Fingerprint } from './onaylarim/fingerprint.js';
export { Operations } from './onaylarim/operations.js';
export { newRequestId } from './onaylarim/request-id.js';
export type { UploadInput } from './onaylarim/upload-source.js';
export * from './onaylarim/types.js';
