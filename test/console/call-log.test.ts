import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RingCallLog } from '../../src/gateway/call-log.js';
import type { GatewayCall, GatewayCallLog } from '../../src/gateway/ports.js';
import { RedisCallLog } from '../../src/gateway/redis-call-log.js';
import { createLogger } from '../../src/platform/logger.js';

const call = (clientId: string, n: number): GatewayCall => ({
  at: new Date(n).toISOString(),
  clientId,
  method: 'GET',
  url: `/v1/data/testcustomers?n=${n}`,
  status: 200,
  executionReferenceId: String(n),
  signatureHint: null,
});

const ids = async (log: GatewayCallLog, clientId: string, limit?: number): Promise<string[]> =>
  (await log.recent(clientId, limit)).map((c) => c.executionReferenceId);

/** Until recording (sent, not awaited) has reached the store. */
async function settled(log: GatewayCallLog, clientId: string, count: number): Promise<void> {
  for (let i = 0; i < 100 && (await log.recent(clientId)).length < count; i++) await new Promise((r) => setTimeout(r, 20));
}

describe('gateway recent-call log', () => {
  it('keeps the newest calls per client, bounded per client and in clients', async () => {
    const log = new RingCallLog(3, 2);
    for (let n = 1; n <= 5; n++) log.record(call('a', n));
    expect(await ids(log, 'a')).toEqual(['5', '4', '3']);
    expect(await ids(log, 'a', 1)).toEqual(['5']);
    log.record(call('b', 1));
    log.record(call('c', 1)); // evicts the oldest client, a
    expect(await log.recent('a')).toEqual([]);
    expect(await log.recent('b')).toHaveLength(1);
    expect(await log.recent('c')).toHaveLength(1);
    expect(await log.recent('nobody', -1)).toEqual([]);
  });

  describe('in Redis (IMZALA_TEST_REDIS_URL, default 127.0.0.1:6379)', () => {
    const connections: Redis[] = [];
    const connect = (url = process.env.IMZALA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'): Redis => {
      const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 500 });
      redis.on('error', () => undefined);
      connections.push(redis);
      return redis;
    };
    afterAll(() => {
      for (const c of connections) c.disconnect();
    });
    const log = createLogger('silent');

    it('shows every process the calls any process recorded, newest first, capped per client', async () => {
      const prefix = `imzala-test:${randomBytes(6).toString('hex')}:`;
      const [one, two] = [new RedisCallLog(connect(), prefix, log, 3), new RedisCallLog(connect(), prefix, log, 3)];
      one.record(call('a', 1));
      await settled(two, 'a', 1);
      two.record(call('a', 2));
      await settled(one, 'a', 2);
      for (let n = 3; n <= 5; n++) (n % 2 ? one : two).record(call('a', n));
      await new Promise((r) => setTimeout(r, 100));
      expect(await ids(one, 'a')).toEqual(['5', '4', '3']);
      expect(await ids(two, 'a', 2)).toEqual(['5', '4']);
      expect(await two.recent('a', 0)).toEqual([]);
      expect(await one.recent('nobody')).toEqual([]);
    });

    it('keeps calls in the process while Redis does not answer', async () => {
      const down = new RedisCallLog(connect('redis://127.0.0.1:1'), 'imzala-test:', log, 3);
      down.record(call('a', 1));
      await settled(down, 'a', 1);
      expect(await ids(down, 'a')).toEqual(['1']);
    });
  });
});
