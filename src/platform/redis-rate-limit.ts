import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';
import { MemoryRateLimit, type RateLimit } from './rate-limit.js';

/**
 * One bucket as a Redis hash {tokens, at}, refilled and spent in one script run, so concurrent processes never
 * both spend the last token. Redis's own clock (TIME) is the one clock every process agrees on. The key expires
 * once the bucket would be full again: a full bucket and no bucket are the same, so Redis holds only owing keys.
 * Returns the seconds to wait (0 when a take spent its tokens), as the memory store computes them.
 */
const BUCKET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate, burst, cost, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(stored[1]) or burst
local at = tonumber(stored[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local wait = 0
if mode == 'charge' then
  tokens = math.max(-burst, tokens - cost)
elseif tokens < cost then
  wait = math.max(1, math.ceil((cost - tokens) / rate))
elseif mode == 'take' then
  tokens = tokens - cost
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return wait
`;

type Mode = 'take' | 'wait' | 'charge';

interface BucketCommands {
  imzalaBucket(key: string, rate: number, burst: number, cost: number, mode: Mode): Promise<number>;
}

/** After Redis fails, how long this process limits from memory alone before asking Redis again. */
const FALLBACK_MS = 5000;

/**
 * The Redis store. When Redis cannot answer, the process keeps limiting with its own memory (each process its
 * share, as without Redis) and says so in the log, rather than refusing or waving through every call.
 */
export class RedisRateLimit implements RateLimit {
  private readonly fallback: MemoryRateLimit;
  private fallbackUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly rate: number,
    readonly burst: number,
    private readonly log: Logger,
  ) {
    this.fallback = new MemoryRateLimit(rate, burst);
    if (!(redis as unknown as Partial<BucketCommands>).imzalaBucket) redis.defineCommand('imzalaBucket', { numberOfKeys: 1, lua: BUCKET_SCRIPT });
  }

  async take(key: string, cost = 1): Promise<number> {
    return (await this.run(key, cost, 'take')) ?? this.fallback.takeNow(key, cost);
  }

  async wait(key: string, cost = 1): Promise<number> {
    return (await this.run(key, cost, 'wait')) ?? this.fallback.wait(key, cost);
  }

  async charge(key: string, cost: number): Promise<void> {
    if ((await this.run(key, cost, 'charge')) === null) this.fallback.chargeNow(key, cost);
  }

  /** The script's answer, or null when Redis did not answer (then memory decides). */
  private async run(key: string, cost: number, mode: Mode): Promise<number | null> {
    if (Date.now() < this.fallbackUntil) return null;
    try {
      return Number(await (this.redis as unknown as BucketCommands).imzalaBucket(`${this.prefix}${key}`, this.rate, this.burst, cost, mode));
    } catch (err) {
      this.fallbackUntil = Date.now() + FALLBACK_MS;
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'rate limits: Redis did not answer; limiting per process for a while');
      return null;
    }
  }
}
