import type { Gateway, TokenSource } from './gateway.js';

/** The sandbox's test data (`public` scope). */
export class TestData {
  constructor(
    private readonly gateway: Gateway,
    private readonly tokens: TokenSource,
  ) {}

  /** Customer numbers the sandbox login accepts. */
  async customers(options: { signal?: AbortSignal } = {}): Promise<Array<string | number>> {
    const res = await this.gateway.call<Array<string | number>>({
      method: 'GET',
      path: '/v1/data/testcustomers',
      tokens: this.tokens,
      signal: options.signal,
    });
    return res.value;
  }
}
