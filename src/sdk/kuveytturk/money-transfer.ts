import type { Gateway, TokenSource } from './gateway.js';
import type { CustomerIbanInfo, OutgoingMoneyTransfer, OutgoingMoneyTransferValue } from './types.js';

/**
 * Money transfers (`transfers` scope). `outgoing` is sent at most once unless the connection provably never
 * reached the gateway or it answered 401/429 (nothing done): a timeout or reset mid-call surfaces as a
 * NetworkError with `sent: true`, and the caller checks the account before trying again.
 */
export class MoneyTransfer {
  constructor(
    private readonly gateway: Gateway,
    private readonly tokens: TokenSource,
  ) {}

  async outgoing(
    transfer: OutgoingMoneyTransfer,
    options: { signal?: AbortSignal } = {},
  ): Promise<OutgoingMoneyTransferValue & { executionReferenceId: string }> {
    const res = await this.gateway.call<OutgoingMoneyTransferValue>({
      method: 'POST',
      path: '/v1/moneytransfer/outgoingmoneytransfer',
      body: { ...transfer },
      tokens: this.tokens,
      signal: options.signal,
    });
    return { ...res.value, executionReferenceId: res.executionReferenceId };
  }

  async customerIbanInfo(iban: string, options: { signal?: AbortSignal } = {}): Promise<CustomerIbanInfo> {
    const res = await this.gateway.call<CustomerIbanInfo>({
      method: 'GET',
      path: `/v1/moneytransfer/${encodeURIComponent(iban)}/customeribaninfo`,
      tokens: this.tokens,
      signal: options.signal,
    });
    return res.value;
  }
}
