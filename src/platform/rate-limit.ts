/**
 * A token bucket per key (a client, an IP address): `rate` requests a second on average, bursts up to `burst`.
 * Two stores: this process's memory (the default), or Redis when IMZALA_REDIS_URL is set, so that several imzala
 * processes behind one load balancer share each bucket instead of each enforcing its own.
 */
export interface RateLimit {
  readonly rate: number;
  readonly burst: number;
  /** 0 when the call may proceed (and `cost` is counted), else the seconds to wait before it will. */
  take(key: string, cost?: number): Promise<number>;
  /** What `take` would answer, without counting anything. */
  wait(key: string, cost?: number): Promise<number>;
  /**
   * Counts `cost` more against the key without asking (a call that turned out dearer, such as a failed
   * authentication). The debt is capped at one burst, so a penalty never shuts a key out for long.
   */
  charge(key: string, cost: number): Promise<void>;
}

/** Seconds until `cost` tokens are there, at least 1; 0 when they already are. */
function secondsUntil(tokens: number, cost: number, rate: number): number {
  return tokens >= cost ? 0 : Math.max(1, Math.ceil((cost - tokens) / rate));
}

/**
 * The in-process store. Bounded in the number of keys: a bucket that has filled up again is the same as no
 * bucket and is the first to go.
 */
export class MemoryRateLimit implements RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxKeys = 100_000,
  ) {}

  async take(key: string, cost = 1): Promise<number> {
    return this.takeNow(key, cost);
  }

  async wait(key: string, cost = 1): Promise<number> {
    return secondsUntil(this.refilled(key).tokens, cost, this.rate);
  }

  async charge(key: string, cost: number): Promise<void> {
    this.chargeNow(key, cost);
  }

  /** take, answered at once: for callers (the Redis store's fallback) that must not wait a turn. */
  takeNow(key: string, cost = 1): number {
    const bucket = this.refilled(key);
    const wait = secondsUntil(bucket.tokens, cost, this.rate);
    if (wait === 0) bucket.tokens -= cost;
    return wait;
  }

  chargeNow(key: string, cost: number): void {
    const bucket = this.refilled(key);
    bucket.tokens = Math.max(-this.burst, bucket.tokens - cost);
  }

  private refilled(key: string): { tokens: number; at: number } {
    const t = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune(t);
      bucket = { tokens: this.burst, at: t };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((t - bucket.at) / 1000) * this.rate);
    bucket.at = t;
    return bucket;
  }

  private prune(t: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((t - bucket.at) / 1000) * this.rate >= this.burst) this.buckets.delete(key);
    }
    // Every key still owes: drop the longest-known one rather than grow without bound.
    if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
