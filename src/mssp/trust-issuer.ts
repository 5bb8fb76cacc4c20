import type { TrustService } from '../trust/index.js';
import type { SubscriberCertificateIssuer } from './ports.js';

/** Subscribers' certificates come from the trust part: the operator's sub-CA, TCKN as subject serialNumber. */
export function trustIssuer(trust: TrustService): SubscriberCertificateIssuer {
  return {
    async issue(request) {
      const issued = await trust.issueSubscriber({
        tckn: request.tckn,
        givenName: request.givenName,
        surname: request.surname,
        operator: request.operator,
        publicKey: request.publicKey,
      });
      return { certificate: issued.der, chain: issued.chain.map((c) => Buffer.from(c.rawData)) };
    },
  };
}
