import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/app.js';
import { main } from '../../src/cli/main.js';
import { testConfig, testSystem } from '../helpers/platform.js';

describe('server', () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  beforeAll(async () => {
    system = await testSystem();
  });
  afterAll(async () => system.cleanup());

  it('answers health with the dialect in use, through inject and a real socket', async () => {
    const app = await buildServer(system);
    const injected = await app.inject({ method: 'GET', url: '/HEALTHZ' });
    expect(injected.statusCode).toBe(200);
    expect(injected.json()).toEqual({ status: 'ok', database: system.platform.database.dialect });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${address}/healthz`);
    expect(res.status).toBe(200);
    await app.close();
  });

  it('answers an unknown path with 404 and no stack', async () => {
    const app = await buildServer(system);
    const res = await app.inject({ method: 'GET', url: '/no/such/path' });
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toMatch(/at .*\.ts/);
    await app.close();
  });
});

describe('imzala CLI', () => {
  it('prints help and exits 0; an unknown command exits 2', async () => {
    expect(await main(['node', 'imzala', '--help'])).toBe(0);
    expect(await main(['node', 'imzala', 'no-such-command'])).toBe(2);
    expect(await main(['node', 'imzala', 'serve', '--port', 'abc'])).toBe(2);
  });

  async function serveAndStop(entry: string): Promise<void> {
    const { config, cleanup } = await testConfig();
    const child = spawn(process.execPath, [entry, 'serve', '--port', '0', '--data', config.dataDir], {
      env: { ...process.env, IMZALA_DATABASE_URL: config.databaseUrl, IMZALA_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const address = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
    });
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    // The console's files are found from wherever the code runs (src/ or the build under dist/).
    expect((await fetch(`${address}/console/assets/style.css`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    await cleanup();
  }

  it('`imzala serve` starts from a clean data directory, serves, and stops on SIGTERM', async () => {
    await serveAndStop(path.resolve('bin/imzala.js'));
  });

  it('`npm start`: the transpiled build serves the same way', async () => {
    // A build of its own under dist/, so runs on both databases at once do not write over each other.
    const out = path.resolve('dist', `test-${randomBytes(4).toString('hex')}`);
    try {
      expect(spawnSync(process.execPath, ['scripts/build.mjs', out], { stdio: 'inherit' }).status).toBe(0);
      await serveAndStop(path.join(out, 'cli', 'run.js'));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
