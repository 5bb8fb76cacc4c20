import path from 'node:path';
import { Redis } from 'ioredis';
import { FileBlobStore, type BlobStore } from './blobs.js';
import { envString, type Config } from './config.js';
import { openDatabase, type Database } from './database.js';
import { createLogger, type Logger } from './logger.js';
import { MemoryRateLimit, type RateLimit } from './rate-limit.js';
import { RedisRateLimit } from './redis-rate-limit.js';

/** The shared plumbing every part is built on: configuration, database, blob store, logger, rate limits. */
export interface Platform {
  config: Config;
  database: Database;
  blobs: BlobStore;
  log: Logger;
  /**
   * The Redis named by IMZALA_REDIS_URL, with the key prefix of this installation (IMZALA_REDIS_PREFIX): for
   * short-lived state that every process must see. Undefined without one. Connects on first use.
   */
  redis: { client: Redis; prefix: string } | undefined;
  /**
   * A rate limit whose keys live under `name`: in this process's memory, or in Redis when IMZALA_REDIS_URL is
   * set, so that every process sharing that Redis (and IMZALA_REDIS_PREFIX, default "imzala:") shares it.
   */
  rateLimit(name: string, rate: number, burst: number): RateLimit;
  close(): Promise<void>;
}

export function openPlatform(config: Config, log: Logger = createLogger(config.logLevel)): Platform {
  const database = openDatabase(config.databaseUrl);
  const blobs = new FileBlobStore(path.join(config.dataDir, 'blobs'));
  const redis = config.redisUrl ? { client: openRedis(config.redisUrl), prefix: envString(config.env, 'IMZALA_REDIS_PREFIX', 'imzala:') } : undefined;
  return {
    config,
    database,
    blobs,
    log,
    redis,
    rateLimit: (name, rate, burst) =>
      redis ? new RedisRateLimit(redis.client, `${redis.prefix}rl:${name}:`, rate, burst, log) : new MemoryRateLimit(rate, burst),
    close: async () => {
      redis?.client.disconnect();
      await database.destroy();
    },
  };
}

function openRedis(url: string): Redis {
  // Short waits: what cannot ask Redis falls back to this process's memory rather than hold the request.
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 2000 });
  // Connection errors also reach each waiting command; without a listener they would crash the process.
  client.on('error', () => undefined);
  return client;
}
