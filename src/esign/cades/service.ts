import type { Platform } from '../../platform/platform.js';
import { SigningInputError, type DocumentSigning } from '../mobile/ports.js';
import { XadesPendingStore } from '../xades/pending-store.js';
import type { XadesTrust } from '../xades/trust.js';
import { assembleCades, cadesSignatureList, prepareCades, type CadesPendingState } from './engine.js';
import { CadesError } from './errors.js';

/** The CAdES engine bound to the trust services (time-stamps, chains) and the pending-signature store. */
export function cadesSigning(platform: Platform, trust: XadesTrust): DocumentSigning {
  const pending = new XadesPendingStore<CadesPendingState>(platform);
  return {
    async prepare(document, options, certificate) {
      try {
        const prepared = prepareCades(document, options, certificate);
        return { pendingId: await pending.save(prepared.state, document), digest: prepared.digest, fingerprint: prepared.fingerprint };
      } catch (err) {
        if (err instanceof CadesError && err.isInput) throw new SigningInputError(err.message);
        throw err;
      }
    },
    async assemble(pendingId, signatureValue) {
      const { state, document } = await pending.load(pendingId);
      return assembleCades(state, signatureValue, document, trust);
    },
    release: (pendingId) => pending.delete(pendingId),
    signatureList: async (document) => cadesSignatureList(document),
  };
}
