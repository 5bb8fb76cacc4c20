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
   * A rate limit whose keys live under `name`: in this process's memory, or in Redis when IMZALA_REDIS_URL is
   * set, so that every process sharing that Redis (and IMZALA_REDIS_PREFIX, default "imzala:") shares it.
   */
  rateLimit(name: string, rate: number, burst: number): RateLimit;
  close(): Promise<void>;
}

export function openPlatform(config: Config, log: Logger = createLogger(config.logLevel)): Platform {
  const database = openDatabase(config.databaseUrl);
  const blobs = new FileBlobStore(path.join(config.dataDir, 'blobs'));
  const prefix = envString(config.env, 'IMZALA_REDIS_PREFIX', 'imzala:');
  let redis: Redis | undefined;
  const redisClient = (url: string): Redis => {
    if (!redis) {
      // Short waits: a rate limit that cannot ask Redis falls back to memory rather than hold the request.
      redis = new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: 500, connectTimeout: 2000 });
      // Connection errors also reach each waiting command; without a listener they would crash the process.
      redis.on('error', () => undefined);
    }
    return redis;
  };
  return {
    config,
    database,
    blobs,
    log,
    rateLimit: (name, rate, burst) =>
      config.redisUrl ? new RedisRateLimit(redisClient(config.redisUrl), `${prefix}rl:${name}:`, rate, burst, log) : new MemoryRateLimit(rate, burst),
    close: async () => {
      redis?.disconnect();
      await database.destroy();
    },
  };
}
