// Mobile signature through the operator simulator over a real socket (SOAP, durable transaction, automatic
// approval, CMS) against the baseline of the bare RSA signature + CMS wrapping it contains.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServer, openSystem } from '../../src/app.js';
import { msspServicesOf } from '../../src/mssp/part.js';
import { signDigest } from '../../src/mssp/pkcs7.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';

const N = Number(process.env.BENCH_N ?? 40);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-mssp-'));
const config = loadConfig({ dataDir, port: 0, logLevel: 'silent' }, { IMZALA_MSSP_POLL_MS: '20' });
const system = await openSystem(config, createLogger('silent'));
const app = await buildServer(system);
const address = await app.listen({ port: 0, host: '127.0.0.1' });
const mssp = msspServicesOf(system.parts);
const phone = '5301234567';
await mssp.subscribers.setPolicy(phone, { mode: 'approve', afterSeconds: 0 });
const subscriber = (await mssp.subscribers.get(phone))!;
const key = await mssp.subscribers.privateKey(phone);
const digests = Array.from({ length: N }, (_, i) => createHash('sha256').update(`doc ${i}`).digest());

async function time(label: string, fn: (d: Buffer) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (const d of digests) await fn(d);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stdout.write(`${label.padEnd(34)} ${(ms / N).toFixed(2)} ms/op\n`);
  return ms;
}

const base = await time('baseline: RSA sign + CMS', async (d) => signDigest(d, key, subscriber.certificates));
for (const mode of ['synch', 'asynchClientServer'] as const) {
  const client = mssp.clientFor('TURKCELL', { url: `${address}/mssp/turkcell/soap`, mode, pollIntervalMs: 20 });
  const ms = await time(`MSS_Signature ${mode}`, (d) => client.sign({ msisdn: phone, digest: d, display: 'bench' }));
  process.stdout.write(`  ratio to baseline: ${(ms / base).toFixed(1)}x (n=${N}, ${system.platform.database.dialect})\n`);
}
await app.close();
await system.close();
fs.rmSync(dataDir, { recursive: true, force: true });
