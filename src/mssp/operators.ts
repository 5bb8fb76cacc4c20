import { envNumber, envString, type Config } from '../platform/config.js';
import { OPERATORS, type Operator } from '../trust/index.js';
import type { MsspClientConfig } from './client.js';

/** The vendor's operator names (AVEA = Türk Telekom), as the trust part names their sub-CAs. */
export { OPERATORS };
export type OperatorName = Operator;

export interface OperatorInfo {
  name: OperatorName;
  /** Path segment of the simulator: /mssp/<slug>/soap. */
  slug: string;
  brand: string;
  /** The phone page's colours. */
  color: string;
  /** The one SignatureProfile the simulator accepts: RSASSA-PKCS1-v1_5 over a SHA-2 hash sent as DataToBeSigned. */
  signatureProfile: string;
}

export const OPERATOR_INFO: Record<OperatorName, OperatorInfo> = {
  TURKCELL: { name: 'TURKCELL', slug: 'turkcell', brand: 'Turkcell', color: '#ffc900', signatureProfile: 'urn:imzala:mssp:turkcell:sha2-rsa' },
  VODAFONE: { name: 'VODAFONE', slug: 'vodafone', brand: 'Vodafone', color: '#e60000', signatureProfile: 'urn:imzala:mssp:vodafone:sha2-rsa' },
  AVEA: { name: 'AVEA', slug: 'avea', brand: 'Türk Telekom', color: '#00a7e1', signatureProfile: 'urn:imzala:mssp:avea:sha2-rsa' },
};

export function parseOperator(value: string): OperatorName | undefined {
  const upper = value.trim().toUpperCase();
  if (upper === 'TURKTELEKOM' || upper === 'TURK_TELEKOM') return 'AVEA';
  return (OPERATORS as readonly string[]).includes(upper) ? (upper as OperatorName) : undefined;
}

/** 5XXXXXXXXX from any of the spellings people and operators use (+90…, 90…, 0…); undefined if none fits. */
export function nationalNumber(phone: string): string | undefined {
  const digits = phone.replace(/[\s()-]/g, '').replace(/^\+/, '');
  return /^90(5\d{9})$/.exec(digits)?.[1] ?? /^0?(5\d{9})$/.exec(digits)?.[1];
}

/**
 * The AP credentials of each simulated operator: env IMZALA_MSSP_<OP>_AP_ID / _AP_PWD, sandbox defaults
 * otherwise. The simulator keeps only a hash of the password; the client side reads the same settings.
 */
export function apCredentials(config: Config, operator: OperatorName): { apId: string; apPwd: string } {
  const slug = OPERATOR_INFO[operator].slug;
  return {
    apId: envString(config.env, `IMZALA_MSSP_${operator}_AP_ID`, `imzala-ap-${slug}`),
    apPwd: envString(config.env, `IMZALA_MSSP_${operator}_AP_PWD`, `${slug}-sandbox-pwd`),
  };
}

/**
 * How the e-signature service reaches an operator: by default the simulator on this server; set
 * IMZALA_MSSP_<OP>_URL (and _AP_ID, _AP_PWD, _PROFILE) to talk to a real operator instead.
 */
export function operatorClientConfig(config: Config, operator: OperatorName): MsspClientConfig {
  const info = OPERATOR_INFO[operator];
  return {
    operator,
    url: envString(config.env, `IMZALA_MSSP_${operator}_URL`, `${config.publicUrl}/mssp/${info.slug}/soap`),
    ...apCredentials(config, operator),
    signatureProfile: envString(config.env, `IMZALA_MSSP_${operator}_PROFILE`, info.signatureProfile),
    signatureTimeoutSeconds: envNumber(config.env, 'IMZALA_MSSP_TIMEOUT_SECONDS', 120),
  };
}
