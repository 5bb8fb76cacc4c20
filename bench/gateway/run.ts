// Signed GET /v3/accounts/{suffix} through the gateway (bearer check against the identity server's token
// store, RSA-SHA256 verification, DB read of the account) against a bare fastify JSON route, both in this
// process, both driven by autocannon over loopback. Prints req/s and p99 of each and the throughput ratio.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildServer, openSystem } from '../../src/app.js';
import { readDemoApp } from '../../src/identity/demo-app.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { median } from '../median.js';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-gateway-'));

interface Measured {
  title: string;
  rps: number;
  p99: number;
}

async function measure(title: string, url: string, headers: Record<string, string>): Promise<Measured> {
  const result = await autocannon({ url, connections, duration, headers });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${title}: ${bad} failed responses of ${result.requests.total}`);
  return { title, rps: result.requests.average, p99: result.latency.p99 };
}

/** Microseconds one RSA-2048 PKCS#1 v1.5 SHA-256 verification of `data` takes on this machine, on one thread. */
function rsaVerifyMicros(publicKeyPem: string, data: Buffer, signature: Buffer): number {
  const key = createPublicKey(publicKeyPem);
  const run = (n: number): number => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (!verify('sha256', data, key, signature)) throw new Error('the bench signature does not verify');
    return Number(process.hrtime.bigint() - start) / 1000 / n;
  };
  run(500);
  return Math.min(run(2000), run(2000), run(2000));
}

async function main(): Promise<void> {
  const config = loadConfig(
    { dataDir, port: 0, logLevel: 'silent' },
    { ...process.env, IMZALA_GATEWAY_RATE: '1000000000', IMZALA_GATEWAY_BURST: '1000000000' },
  );
  const system = await openSystem(config, createLogger('silent'));
  const app = await buildServer(system);
  // The same bare route on the imzala server: splits the gap into platform server cost and gateway + bank cost.
  app.get('/bench-bare', { schema: { hide: true } }, async () => ({ value: { ok: true } }));
  const base = await app.listen({ port: 0, host: '127.0.0.1' });

  const bare = Fastify({ logger: false });
  bare.get('/bare', { schema: { response: { 200: { type: 'object', properties: { value: { type: 'object', properties: { ok: { type: 'boolean' } } } } } } } }, async () => ({ value: { ok: true } }));
  const bareBase = await bare.listen({ port: 0, host: '127.0.0.1' });

  try {
    // A real client-credentials token from the identity server, signed with the demo application's key.
    const demo = readDemoApp(dataDir);
    if (!demo) throw new Error('the identity part did not create its demo application');
    const res = await fetch(`${base}/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'accounts', client_id: demo.clientId, client_secret: demo.clientSecret }),
    });
    const { access_token: token } = (await res.json()) as { access_token: string };
    const key = createPrivateKey(fs.readFileSync(demo.files.privateKeyPkcs1));
    const signature = sign('sha256', Buffer.from(token, 'utf8'), key).toString('base64');
    const headers = { authorization: `Bearer ${token}`, signature };
    const check = await fetch(`${base}/v3/accounts/1`, { headers });
    if (check.status !== 200) throw new Error(`signed call answered ${check.status}: ${await check.text()}`);

    await measure('warm-up', `${bareBase}/bare`, {});
    await measure('warm-up', `${base}/v3/accounts/1`, headers);
    // Rounds of the three, back to back: on a noisy 2-core machine one run of each can land in a quiet and a
    // busy moment; the median of the rounds' ratios is what is reported.
    const ratios: number[] = [];
    const platformRatios: number[] = [];
    const bareRps: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const baseline = await measure('bare fastify JSON route', `${bareBase}/bare`, {});
      const platformBare = await measure('bare route on the imzala server', `${base}/bench-bare`, {});
      const gateway = await measure(`signed GET /v3/accounts/1 (${system.platform.database.dialect})`, `${base}/v3/accounts/1`, headers);
      process.stdout.write(`round ${round} of ${rounds}\n`);
      for (const r of [baseline, platformBare, gateway]) {
        process.stdout.write(`  ${r.title.padEnd(44)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${String(r.p99).padStart(4)} ms\n`);
      }
      bareRps.push(baseline.rps);
      ratios.push(gateway.rps / baseline.rps);
      platformRatios.push(gateway.rps / platformBare.rps);
      process.stdout.write(`  gateway/bare ${(ratios[round - 1]! * 100).toFixed(1)}%, gateway/bare route on the imzala server ${(platformRatios[round - 1]! * 100).toFixed(1)}%\n`);
    }
    const rsa = rsaVerifyMicros(fs.readFileSync(demo.files.publicKey, 'utf8'), Buffer.from(token, 'utf8'), Buffer.from(signature, 'base64'));
    process.stdout.write(`throughput ratio gateway/bare, median of ${rounds} rounds: ${(median(ratios) * 100).toFixed(1)}% (target >= 40%)\n`);
    process.stdout.write(`  (gateway / bare route on the same imzala server: ${(median(platformRatios) * 100).toFixed(1)}%)\n`);
    // What the RSA check alone allows: a signed call costing one bare request plus one verification, both on one
    // core, would reach bareUs / (bareUs + rsa) of the bare route's throughput, before any token, DB or JSON work.
    const bareUs = 1e6 / median(bareRps);
    process.stdout.write(
      `RSA-2048 verify ${rsa.toFixed(1)} us (one thread); bare route ${bareUs.toFixed(1)} us/request; ` +
        `bare + one verify on one core would be ${((bareUs / (bareUs + rsa)) * 100).toFixed(1)}% of bare\n`,
    );
    process.stdout.write(`(${connections} connections, ${duration} s each, tokens from /connect/token, RSA-2048; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})\n`);
  } finally {
    await bare.close();
    await app.close();
    await system.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench/gateway: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
