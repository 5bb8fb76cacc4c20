import type { KeyObject } from 'node:crypto';
import type { OperatorName } from './operators.js';

/**
 * What the simulator needs from the trust services: a qualified mobile-signature certificate for a
 * subscriber's key, issued by the operator's sub-CA, with the TCKN as subject serialNumber.
 */
export interface SubscriberCertificateIssuer {
  issue(request: {
    operator: OperatorName;
    tckn: string;
    givenName: string;
    surname: string;
    phone: string;
    publicKey: KeyObject;
  }): Promise<{ certificate: Buffer; chain: Buffer[] }>;
}
