import type { Gateway, TokenSource } from './gateway.js';
import type { FxRate, FxRatesValue } from './types.js';

/** Exchange rates (`public` scope). */
export class Fx {
  constructor(
    private readonly gateway: Gateway,
    private readonly tokens: TokenSource,
  ) {}

  async rates(options: { signal?: AbortSignal } = {}): Promise<FxRate[]> {
    const res = await this.gateway.call<FxRatesValue>({ method: 'GET', path: '/v1/fx/rates', tokens: this.tokens, signal: options.signal });
    return res.value.rateList;
  }
}
