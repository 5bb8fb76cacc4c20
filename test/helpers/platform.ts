import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openSystem, type System } from '../../src/app.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { openPlatform, type Platform } from '../../src/platform/platform.js';

/** Which database this test run uses: the vitest project sets IMZALA_TEST_DB to sqlite or postgres. */
export const testDialect = (process.env.IMZALA_TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres';
const adminUrl = process.env.IMZALA_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestEnv {
  config: Config;
  cleanup(): Promise<void>;
}

/**
 * A fresh data directory and a fresh database (a new SQLite file, or a new PostgreSQL database created for
 * this test and dropped after), so test files never see each other's rows.
 */
export async function testConfig(env: NodeJS.ProcessEnv = {}): Promise<TestEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-test-'));
  let databaseUrl = `sqlite:${path.join(dataDir, 'imzala.sqlite')}`;
  let dropDatabase = async (): Promise<void> => undefined;
  if (testDialect === 'postgres') {
    const name = `imzala_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = loadConfig(
    { dataDir, databaseUrl, port: 0, logLevel: process.env.IMZALA_LOG_LEVEL ?? 'silent' },
    { ...env },
  );
  return {
    config,
    cleanup: async () => {
      await dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A bare platform (database, blobs, logger) on a fresh database, for testing one part's code directly. */
export async function testPlatform(env: NodeJS.ProcessEnv = {}): Promise<Platform & { cleanup(): Promise<void> }> {
  const { config, cleanup } = await testConfig(env);
  const platform = openPlatform(config, createLogger(config.logLevel));
  return {
    ...platform,
    cleanup: async () => {
      await platform.close();
      await cleanup();
    },
  };
}

/** The whole system (all parts migrated and seeded) on a fresh database. */
export async function testSystem(env: NodeJS.ProcessEnv = {}): Promise<System & { config: Config; cleanup(): Promise<void> }> {
  const { config, cleanup } = await testConfig(env);
  const system = await openSystem(config, createLogger(config.logLevel));
  return {
    ...system,
    config,
    cleanup: async () => {
      await system.close();
      await cleanup();
    },
  };
}
