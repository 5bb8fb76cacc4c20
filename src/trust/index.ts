// The trust part's public surface for other parts (e-signature engine, operator simulators, CLI).
export { TrustError, type TrustErrorCode } from './errors.js';
export { isValidTckn, assertTckn, tcknFrom } from './tckn.js';
export { OPERATORS, type Operator, caOfOperator, parseOperator, canonicalSerial } from './hierarchy.js';
export { OID, parseQcStatements } from './extensions.js';
export { toCertificate, type CertificateInput } from './certificate-input.js';
export {
  TrustService,
  REVOCATION_REASONS,
  type RevocationReason,
  type SubscriberRequest,
  type IssuedSubscriber,
  type CertificateRecord,
} from './service.js';
export { createTrustPart, trustServiceOf, type TrustPart } from './part.js';
