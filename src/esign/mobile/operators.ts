import type { MsspServices } from '../../mssp/part.js';
import { MsspError, type MsspErrorCode } from '../../mssp/status.js';
import { nationalNumber, operatorClientConfig } from '../../mssp/operators.js';
import { envNumber, type Config } from '../../platform/config.js';
import { ConcurrencyLimit } from '../../platform/limiter.js';
import { subjectOf } from '../cades/cms.js';
import { MobileOperatorError, type MobileOperator, type MobileOperators, type MobileOutcome } from './ports.js';

/** How the operators' ETSI status names read as outcomes of a signing. */
function outcomeOf(code: MsspErrorCode): MobileOutcome {
  switch (code) {
    case 'USER_CANCEL':
      return 'refused';
    case 'EXPIRED_TRANSACTION':
      return 'expired';
    case 'UNKNOWN_CLIENT':
    case 'NO_CERT_FOUND':
    case 'NO_KEY_FOUND':
      return 'unknownSubscriber';
    case 'PIN_NR_BLOCKED':
    case 'CARD_BLOCKED':
      return 'pinBlocked';
    case 'ERR_MSSP_TRANSPORT':
    case 'ERR_MSSP_TIMEOUT':
    case 'OTA_ERROR':
    case 'INTERNAL_ERROR':
      return 'unavailable';
    default:
      return 'failed';
  }
}

async function mapped<T>(limit: ConcurrencyLimit, call: () => Promise<T>): Promise<T> {
  try {
    return await limit.run(call);
  } catch (err) {
    if (err instanceof MsspError) throw new MobileOperatorError(outcomeOf(err.code), err.message, err.code);
    throw err;
  }
}

/**
 * The operators as the mobile flow sees them, through the ETSI TS 102 204 client configured per operator
 * (IMZALA_MSSP_<OP>_URL …): the simulators by default, a real operator by configuration. Asynchronous mode, so
 * a waiting signing is a transaction id that survives a restart. Calls to one operator are limited to
 * IMZALA_MSSP_MAX_CONCURRENT (16) at a time: a burst of signings queues here instead of timing out there.
 */
export function msspOperators(mssp: MsspServices, config: Config): MobileOperators {
  const max = envNumber(config.env, 'IMZALA_MSSP_MAX_CONCURRENT', 16);
  const limits = new Map<MobileOperator, ConcurrencyLimit>();
  const limitOf = (operator: MobileOperator): ConcurrencyLimit => {
    let limit = limits.get(operator);
    if (!limit) limits.set(operator, (limit = new ConcurrencyLimit(max)));
    return limit;
  };
  return {
    certificates: (operator, phone) => mapped(limitOf(operator), () => mssp.clientFor(operator).getCertificates(phone)),
    start: (operator, { phone, digest, display }) =>
      mapped(limitOf(operator), async () => ({ transactionId: (await mssp.clientFor(operator).startSignature({ msisdn: phone, digest, display })).msspTransId })),
    poll: (operator, transactionId, digest) =>
      mapped(limitOf(operator), async () => {
        const answer = await mssp.clientFor(operator).statusQuery(transactionId, digest);
        return answer.state === 'signed' ? { state: 'signed', signatureValue: answer.signatureValue } : { state: 'outstanding' };
      }),
    timeoutSeconds: (operator: MobileOperator) => operatorClientConfig(config, operator).signatureTimeoutSeconds ?? 120,
    nationalNumber,
    citizenshipNo: (certificate) => subjectOf(certificate).serialNumber,
  };
}
