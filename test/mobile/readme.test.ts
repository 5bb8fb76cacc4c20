import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/platform.js';
import { mobileHarness, type MobileHarness } from './harness.js';

const root = path.resolve(import.meta.dirname, '../..');

/** The ```sh block of the README's mobile-signature section: the curl walk, as written. */
function curlWalk(): string {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Mobile signature');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1) >>> 0 || undefined);
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README has no curl walk in its mobile-signature section');
  return block;
}

describe(`the README's curl walk (${testDialect})`, () => {
  let h: MobileHarness;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-curl-walk-'));
  beforeAll(async () => {
    h = await mobileHarness();
  });
  afterAll(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads, signs in the background, shows the fingerprint, approves on the phone, downloads, and xmlsec1 says OK', { timeout: 60_000 }, async () => {
    // The only change: `npx imzala` is this checkout's binary (npx would look for an installed package).
    const script = `set -euo pipefail\n${curlWalk().replaceAll('npx imzala', `node ${path.join(root, 'bin/imzala.js')}`)}`;
    const { dataDir, databaseUrl } = h.system.config;
    const result = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn('bash', ['-c', script], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, BASE: h.url, IMZALA_DATA_DIR: dataDir, IMZALA_DATABASE_URL: databaseUrl, IMZALA_LOG_LEVEL: 'warn' },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(/"fingerPrint":"[0-9A-F]{64}"/);
    expect(result.out).toMatch(/^OK$/m);
    expect(fs.readFileSync(path.join(dir, 'signed.json'), 'utf8')).toMatch(/"isSuccess":true/);
  });
});
