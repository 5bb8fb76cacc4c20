import type { CoreApi } from './core-api.js';
import type { XadesMobileSignRequest, XadesMobileSignResult } from './types.js';

/** Mobile XAdES (`CoreApiXadesMobile`). */
export class XadesMobile {
  constructor(
    private readonly api: CoreApi,
    private readonly prefix: string,
    private readonly onSigned: (from: string, to: string) => void,
  ) {}

  /**
   * Starts the signature and waits, as the API does, until the subscriber approves on the phone (resolves with
   * the signed document's new operationId) or the operator says no (rejects with ApiResultError). Abort with
   * `signal`; the call is never repeated by the SDK once it may have reached the server.
   */
  async signStepOne(
    request: XadesMobileSignRequest,
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<XadesMobileSignResult> {
    const fields: Record<string, unknown> = {
      operationId: request.operationId,
      phoneNumber: request.phoneNumber,
      operator: request.operator,
      userPrompt: request.userPrompt ?? 'İmzalamayı onaylıyor musunuz?',
      citizenshipNo: request.citizenshipNo ?? null,
      signatureLevel: request.signatureLevel ?? 'aslBES',
      signaturePath: request.signaturePath ?? null,
      serialOrParallel: request.serialOrParallel ?? (request.signaturePath ? 'SERIAL' : 'PARALLEL'),
      signatureTurkishProfile: request.signatureTurkishProfile ?? null,
      envelopingOrEnveloped: request.envelopingOrEnveloped ?? 'ENVELOPED',
    };
    const result = await this.api.json<XadesMobileSignResult>({
      path: `${this.prefix}/CoreApiXadesMobile/SignStepOneXadesMobileCore`,
      retry: 'once',
      fields,
      signal: options.signal,
      // The operator may take minutes; the caller's signal is the limit unless a timeout is asked for.
      timeoutMs: options.timeoutMs ?? 0,
    });
    this.onSigned(request.operationId, result.operationId);
    return result;
  }
}
