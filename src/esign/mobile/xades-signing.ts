import { XadesError, type XadesService } from '../xades/index.js';
import { SigningInputError, type DocumentSigning } from './ports.js';

/** XAdES errors that are the request's fault rather than the engine's or its trust services'. */
const INPUT = new Set(['ERR_XADES_OPTIONS', 'ERR_XADES_DOCUMENT', 'ERR_XADES_PATH', 'ERR_XADES_CERTIFICATE']);

/** The XAdES engine as the mobile flow uses it. */
export function xadesSigning(service: XadesService): DocumentSigning {
  return {
    async prepare(document, options, certificate) {
      try {
        return await service.prepare(document, options, certificate);
      } catch (err) {
        if (err instanceof XadesError && INPUT.has(err.code)) throw new SigningInputError(err.message);
        throw err;
      }
    },
    assemble: (pendingId, signatureValue) => service.assemble(pendingId, signatureValue),
    release: (pendingId) => service.release(pendingId),
    async signatureList(document) {
      try {
        return (await service.validate(document)).signatureList;
      } catch (err) {
        if (err instanceof XadesError && err.code === 'ERR_XADES_DOCUMENT') return [];
        throw err;
      }
    },
  };
}
