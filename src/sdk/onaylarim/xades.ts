import type { CoreApi } from './core-api.js';
import type { SignatureInfo } from './types.js';

/** XAdES documents (`CoreApiXades`): what is signed in them. */
export class Xades {
  constructor(
    private readonly api: CoreApi,
    private readonly prefix: string,
  ) {}

  /** The signatures in an operation's document, counter-signatures included (empty for a document that is not XML). */
  signatureList(operationId: string, options: { signal?: AbortSignal } = {}): Promise<SignatureInfo[]> {
    return this.api.json<SignatureInfo[]>({
      path: `${this.prefix}/CoreApiXades/GetSignatureListCore`,
      retry: 'idempotent',
      fields: { operationId },
      signal: options.signal,
    });
  }
}
