import type { Redis } from 'ioredis';
import type { Logger } from '../platform/logger.js';
import { RingCallLog } from './call-log.js';
import type { GatewayCall, GatewayCallLog } from './ports.js';

/** A client's list is dropped this long after its last call. */
const KEEP_MS = 7 * 24 * 3600 * 1000;

/**
 * The recent calls per application as a capped Redis list per client, so that the developer portal served by
 * any process shows the calls every process answered. Recording never holds a gateway call: it is sent and
 * not awaited. While Redis does not answer, calls are kept in this process's memory, and read from there.
 */
export class RedisCallLog implements GatewayCallLog {
  private readonly fallback: RingCallLog;
  private warned = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly perClient = 50,
  ) {
    this.fallback = new RingCallLog(perClient);
  }

  record(call: GatewayCall): void {
    const key = this.key(call.clientId);
    this.redis
      .multi()
      .lpush(key, JSON.stringify(call))
      .ltrim(key, 0, this.perClient - 1)
      .pexpire(key, KEEP_MS)
      .exec()
      .then(
        () => {
          this.warned = false;
        },
        (err: unknown) => {
          this.fallback.record(call);
          this.warn(err);
        },
      );
  }

  async recent(clientId: string, limit = this.perClient): Promise<GatewayCall[]> {
    if (limit <= 0) return [];
    try {
      const stored = await this.redis.lrange(this.key(clientId), 0, Math.min(limit, this.perClient) - 1);
      return stored.map((s) => JSON.parse(s) as GatewayCall);
    } catch (err) {
      this.warn(err);
      return this.fallback.recent(clientId, limit);
    }
  }

  private key(clientId: string): string {
    return `${this.prefix}calls:${clientId}`;
  }

  /** Once per outage, not once per call. */
  private warn(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'gateway call log: Redis did not answer; keeping calls in this process');
  }
}
