import path from 'node:path';
import { FileBlobStore, type BlobStore } from './blobs.js';
import type { Config } from './config.js';
import { openDatabase, type Database } from './database.js';
import { createLogger, type Logger } from './logger.js';

/** The shared plumbing every part is built on: configuration, database, blob store, logger. */
export interface Platform {
  config: Config;
  database: Database;
  blobs: BlobStore;
  log: Logger;
  close(): Promise<void>;
}

export function openPlatform(config: Config, log: Logger = createLogger(config.logLevel)): Platform {
  const database = openDatabase(config.databaseUrl);
  const blobs = new FileBlobStore(path.join(config.dataDir, 'blobs'));
  return { config, database, blobs, log, close: () => database.destroy() };
}
