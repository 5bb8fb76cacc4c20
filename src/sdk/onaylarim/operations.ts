import type { CoreApi } from './core-api.js';
import type { OperationStatus } from './types.js';

/** imzala's extension: where an operation stands (`CoreApiOperation/GetOperationStatusCore`). */
export class Operations {
  constructor(
    private readonly api: CoreApi,
    private readonly prefix: string,
  ) {}

  status(operationId: string, options: { signal?: AbortSignal } = {}): Promise<OperationStatus> {
    return this.api.json<OperationStatus>({
      path: `${this.prefix}/CoreApiOperation/GetOperationStatusCore`,
      retry: 'idempotent',
      fields: { operationId },
      signal: options.signal,
    });
  }
}
