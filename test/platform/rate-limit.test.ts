import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/platform/logger.js';
import { MemoryRateLimit, type RateLimit } from '../../src/platform/rate-limit.js';
import { RedisRateLimit } from '../../src/platform/redis-rate-limit.js';

const redisUrl = process.env.IMZALA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('MemoryRateLimit', () => {
  it('takes up to the burst, refills at the rate, and a charge is a debt capped at one burst', async () => {
    let now = 0;
    const limiter = new MemoryRateLimit(2, 4, () => now);
    for (let i = 0; i < 4; i++) expect(await limiter.take('a')).toBe(0);
    expect(await limiter.take('a')).toBe(1);
    expect(await limiter.take('b')).toBe(0); // keys are independent
    now += 500; // one token back at 2 a second
    expect(await limiter.take('a')).toBe(0);
    expect(await limiter.wait('a')).toBe(1);
    await limiter.charge('a', 100);
    expect(await limiter.wait('a')).toBe(3); // 4 owed, 1 needed: 5 tokens at 2 a second
    now += 10_000;
    expect(await limiter.take('a', 4)).toBe(0);
  });

  it('forgets refilled keys first when it holds too many', async () => {
    let now = 0;
    const limiter = new MemoryRateLimit(1, 1, () => now, 2);
    expect(await limiter.take('a')).toBe(0);
    now += 5000; // 'a' is full again
    expect(await limiter.take('b')).toBe(0);
    expect(await limiter.take('c')).toBe(0); // 'a' goes
    expect(await limiter.take('b')).toBe(1); // 'b' is remembered
  });
});

describe('RedisRateLimit (the Redis at IMZALA_TEST_REDIS_URL, default 127.0.0.1:6379)', () => {
  const connections: Redis[] = [];
  const log = createLogger('silent');
  // Each test's keys under a prefix of its own: runs on both databases share this Redis.
  const prefix = (): string => `imzala-test:${randomBytes(6).toString('hex')}:`;
  /** A limit on a connection of its own, as another process would have. */
  const limitOn = (keys: string, rate: number, burst: number, url = redisUrl): RateLimit => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 500, lazyConnect: true });
    redis.on('error', () => undefined);
    connections.push(redis);
    return new RedisRateLimit(redis, keys, rate, burst, log);
  };
  afterAll(() => {
    for (const c of connections) c.disconnect();
  });

  it('is one bucket for every process: the burst is shared, a charge counts everywhere', async () => {
    const keys = prefix();
    const [a, b] = [limitOn(keys, 0.01, 4), limitOn(keys, 0.01, 4)];
    expect(await a.take('client')).toBe(0);
    expect(await b.take('client')).toBe(0);
    expect(await a.take('client')).toBe(0);
    expect(await b.wait('client')).toBe(0); // asking spends nothing
    expect(await b.take('client')).toBe(0);
    expect(await a.take('client')).toBeGreaterThanOrEqual(1);
    expect(await b.take('client')).toBeGreaterThanOrEqual(1);
    expect(await a.take('other')).toBe(0); // keys are independent
    await b.charge('other', 100); // capped at one burst of debt: 4 owed
    expect(await a.wait('other')).toBe(Math.ceil(5 / 0.01));
  });

  it('refills at the rate by Redis’s clock, and Redis forgets a bucket once it would be full', async () => {
    const keys = prefix();
    const limit = limitOn(keys, 20, 2);
    expect(await limit.take('k', 2)).toBe(0);
    expect(await limit.take('k')).toBe(1);
    await new Promise((r) => setTimeout(r, 300)); // 20 a second: full again after 100 ms
    expect(await limit.take('k', 2)).toBe(0);
    const redis = connections.at(-1)!;
    const ttl = await redis.pttl(`${keys}k`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1100 + 100); // refill time (100 ms) plus a second of slack
  });

  it('limits per process from memory when Redis does not answer, and never throws', async () => {
    const limit = limitOn(prefix(), 0.01, 2, 'redis://127.0.0.1:1');
    expect(await limit.take('k')).toBe(0);
    expect(await limit.take('k')).toBe(0);
    expect(await limit.take('k')).toBeGreaterThanOrEqual(1);
    await limit.charge('k', 1);
    expect(await limit.wait('k')).toBeGreaterThanOrEqual(1);
  });
});
