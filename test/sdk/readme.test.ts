import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EsignPart } from '../../src/esign/part.js';
import { readDemoApp } from '../../src/identity/demo-app.js';
import { msspServicesOf } from '../../src/mssp/part.js';
import { testDialect } from '../helpers/platform.js';
import { xmlsec1Accepts } from '../mobile/harness.js';
import { waitForPending } from '../mssp/harness.js';
import { liveServer, type LiveServer } from './helpers/live.js';
import { opensslSign } from './helpers/recorder.js';

const root = path.resolve(import.meta.dirname, '../..');
const sdkEntry = path.join(root, 'src/sdk/index.ts');
const tsx = import.meta.resolve('tsx');

/** The ```ts blocks of the README's "## SDK" section, in order. */
function sdkExamples(): string[] {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## SDK\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * Runs one example as written: the only change is the package specifier `imzala/sdk`, pointed at the source
 * entry (the published package maps it to dist/src/sdk/index.js).
 */
function run(code: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const file = path.join(cwd, `example-${createHash('sha256').update(code).digest('hex').slice(0, 8)}.mts`);
  fs.writeFileSync(file, code.replaceAll("from 'imzala/sdk'", `from '${sdkEntry}'`));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, file], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout, stderr }));
  });
}

describe(`README SDK examples (${testDialect})`, () => {
  const examples = sdkExamples();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-readme-'));
  let live: LiveServer;
  let ktEnv: Record<string, string>;
  beforeAll(async () => {
    live = await liveServer({ IMZALA_GATEWAY_RATE: '1000', IMZALA_GATEWAY_BURST: '1000' });
    const demo = readDemoApp(live.system.config.dataDir)!;
    ktEnv = { IMZALA_KT_CLIENT_ID: demo.clientId, IMZALA_KT_CLIENT_SECRET: demo.clientSecret, IMZALA_KT_PRIVATE_KEY: demo.files.privateKeyPkcs1, IMZALA_KT_BASE_URL: live.url };
  });
  afterAll(async () => {
    await live.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has the four examples this test knows how to check', () => {
    expect(examples).toHaveLength(4);
    expect(examples.every((e) => e.includes("from 'imzala/sdk'"))).toBe(true);
  });

  it('accounts and transactions run against the live server', async () => {
    const res = await run(examples[0]!, dir, ktEnv);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^1 TR\d{24} /m);
    expect(res.stdout.trim().split('\n').filter((l) => /^\d{4}-\d{2}-\d{2}/.test(l)).length).toBeGreaterThan(0);
  });

  it('the transfer runs against the live server and moves the money', async () => {
    const res = await run(examples[1]!, dir, ktEnv);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^sent \d+ [\w-]+$/m);
  });

  it('signRequest prints what openssl dgst -sha256 -sign gives over the same bytes', async () => {
    const keyFile = readDemoApp(live.system.config.dataDir)!.files.privateKeyPkcs8;
    const res = await run(examples[2]!, dir, { IMZALA_KT_PRIVATE_KEY: keyFile });
    expect(res.code).toBe(0);
    expect(res.stdout.trim().split('\n')).toEqual([
      opensslSign(keyFile, Buffer.from('ACCESS_TOKEN{\n  "senderAccountSuffix": 1\n}')),
      opensslSign(keyFile, Buffer.from('ACCESS_TOKEN?itemCount=5&beginDate=2025-01-01')),
    ]);
  });

  it('upload → sign on the phone → download runs against the live server; the signed document passes xmlsec1', async () => {
    const esign = live.system.parts.find((p) => p.name === 'esign') as EsignPart;
    const apiKey = (await esign.services.tenants.create('readme')).apiKey;
    const mssp = msspServicesOf(live.system.parts);
    const running = run(examples[3]!, dir, { IMZALA_API_KEY: apiKey, IMZALA_BASE_URL: live.url });
    // The subscriber reads the phone, then approves with the PIN.
    const tx = await waitForPending(mssp, '5301234567', 30_000);
    await mssp.phone.approve('5301234567', { pin: '123456' });
    const res = await running;
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`compare on the phone: ${tx.fingerprint}`);
    expect(res.stdout).toMatch(/signed document: [0-9a-f-]{36}/);
    const signed = fs.readFileSync(path.join(dir, 'contract.signed.xml'));
    expect(signed.toString('utf8')).toContain('Kira sözleşmesi');
    expect(await xmlsec1Accepts(live.system, signed)).toBe(1);
  });
});
