// The XAdES engine's public surface (mobile signing flow, CoreApi routes, CLI).
export { XadesError, type XadesErrorCode } from './errors.js';
export {
  LEVELS, PROFILES, PROFILE_RULES, POLICY_URI, POLICY_SHA256_HEX, parseLevel, resolveOptions,
  type XadesLevel, type TurkishProfile, type XadesMode, type XadesRequest, type XadesOptions,
} from './model.js';
export { prepare, type Prepared, type PendingState, type Placement } from './prepare.js';
export { complete, type CompleteContext } from './complete.js';
export { validateXades, type ValidationReport, type SignatureReport, type SignatureListItem, type ValidateOptions } from './validate.js';
export type { XadesTrust } from './trust.js';
export { trustFromService } from './trust-service.js';
export { httpTrust, type HttpTrustOptions } from './http-trust.js';
export { signDigest } from './local-signer.js';
export { XadesPendingStore } from './pending-store.js';
export { XadesService, type PreparedSignature } from './service.js';
export { createXadesPart, xadesServiceOf, type XadesPart } from './part.js';
