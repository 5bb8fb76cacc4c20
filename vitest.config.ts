import { defineConfig } from 'vitest/config';

// The whole suite runs twice: once on the embedded SQLite default and once on PostgreSQL.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['reflect-metadata'],
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'], env: { IMZALA_TEST_DB: 'sqlite' } } },
      { extends: true, test: { name: 'postgres', include: ['test/**/*.test.ts'], env: { IMZALA_TEST_DB: 'postgres' } } },
    ],
  },
});
