import { describe, expect, it } from 'vitest';
import { RingCallLog } from '../../src/gateway/call-log.js';
import type { GatewayCall } from '../../src/gateway/ports.js';

const call = (clientId: string, n: number): GatewayCall => ({
  at: new Date(n).toISOString(),
  clientId,
  method: 'GET',
  url: `/v1/data/testcustomers?n=${n}`,
  status: 200,
  executionReferenceId: String(n),
  signatureHint: null,
});

describe('gateway recent-call log', () => {
  it('keeps the newest calls per client, bounded per client and in clients', () => {
    const log = new RingCallLog(3, 2);
    for (let n = 1; n <= 5; n++) log.record(call('a', n));
    expect(log.recent('a').map((c) => c.executionReferenceId)).toEqual(['5', '4', '3']);
    expect(log.recent('a', 1).map((c) => c.executionReferenceId)).toEqual(['5']);
    log.record(call('b', 1));
    log.record(call('c', 1)); // evicts the oldest client, a
    expect(log.recent('a')).toEqual([]);
    expect(log.recent('b')).toHaveLength(1);
    expect(log.recent('c')).toHaveLength(1);
    expect(log.recent('nobody', -1)).toEqual([]);
  });
});
