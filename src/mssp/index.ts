// The mssp part's public surface for other parts (e-signature glue, console, CLI).
export {
  MsspClient,
  toMsisdn,
  type MsspClientConfig,
  type SignRequest,
  type MobileSignature,
  type PendingSignature,
  type StatusQueryResult,
} from './client.js';
export { MsspError, STATUS, statusName, type MsspErrorCode, type StatusName } from './status.js';
export { extractSignature, type ExtractedSignature, type HashName } from './pkcs7.js';
export { OPERATORS, OPERATOR_INFO, operatorClientConfig, parseOperator, nationalNumber, type OperatorName } from './operators.js';
export { createMsspPart, msspServicesOf, type MsspPart, type MsspServices } from './part.js';
export { SubscriberStore, type Subscriber, type NewSubscriber } from './subscribers.js';
export { TransactionStore, type Transaction, type TransactionState } from './transactions.js';
export { VirtualPhone } from './phone.js';
export { PhoneError, type PhoneErrorCode } from './errors.js';
export { parsePolicy, type AutoPolicy } from './policy.js';
export { SEED_SUBSCRIBERS, type SeedSubscriber } from './seed.js';
export type { SubscriberCertificateIssuer } from './ports.js';
