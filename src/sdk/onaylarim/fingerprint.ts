import { ApiResultError } from '../errors.js';
import { sleep } from '../transport.js';
import type { CoreApi } from './core-api.js';

/** Fingerprints (`CoreApiFingerPrint`): what the subscriber compares on the phone. */
export class Fingerprint {
  constructor(
    private readonly api: CoreApi,
    private readonly prefix: string,
  ) {}

  /** One short-wait call: the server keeps checking briefly, then answers or says it is not ready. */
  async get(operationId: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    const result = await this.api.json<{ fingerPrint: string }>({
      path: `${this.prefix}/CoreApiFingerPrint/GetFingerPrintCore`,
      retry: 'idempotent',
      fields: { operationId },
      signal: options.signal,
    });
    return result.fingerPrint;
  }

  /**
   * Asks until the fingerprint exists (signing started elsewhere, e.g. a concurrent signStepOne) or `signal`
   * aborts or `timeoutMs` (default 60 s) passes; meant to run alongside signStepOne. An answer that cannot
   * change by waiting (an unknown operation, a bad request) ends it at once.
   */
  async waitFor(operationId: string, options: { signal?: AbortSignal; timeoutMs?: number; intervalMs?: number } = {}): Promise<string> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      try {
        return await this.get(operationId, options.signal ? { signal: options.signal } : {});
      } catch (err) {
        if (!(err instanceof ApiResultError) || !notReadyYet(err) || Date.now() >= deadline) throw err;
        await sleep(options.intervalMs ?? 500, options.signal);
      }
    }
  }
}

/** "Not yet" answers: imzala's 409, an error inside a 200 envelope (as the vendor may answer), a 5xx. */
function notReadyYet(err: ApiResultError): boolean {
  const status = err.status ?? 200;
  return status === 409 || status < 400 || status >= 500;
}
