// POST /tsa (RFC 3161 token: DB counter, TSTInfo, CMS SignedData, RSA-2048 signature) and POST /ocsp (CertID
// lookup, DB status read, BasicOCSPResponse signature) against a bare fastify route that only makes one
// RSA-2048 SHA-256 signature over the same body: the ratio is the protocol and database cost on top of the
// one signature every answer needs. All in this process, driven by autocannon over loopback.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildServer, openSystem } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { trustServiceOf } from '../../src/trust/part.js';

const duration = Number(process.env.BENCH_DURATION ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-trust-'));

async function measure(title: string, url: string, type: string, body: Buffer) {
  const result = await autocannon({ url, connections, duration, method: 'POST', headers: { 'content-type': type }, body });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${title}: ${bad} failed responses of ${result.requests.total}`);
  return { title, rps: result.requests.average, p99: result.latency.p99 };
}

async function main(): Promise<void> {
  const config = loadConfig({ dataDir, port: 0, logLevel: 'silent' }, process.env);
  const system = await openSystem(config, createLogger('silent'));
  const app = await buildServer(system);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const trust = trustServiceOf(system.parts);

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const bare = Fastify({ logger: false });
  bare.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_r, b, done) => done(null, b));
  bare.post('/sign', async (request, reply) => reply.type('application/octet-stream').send(sign('sha256', request.body as Buffer, privateKey)));
  const bareBase = await bare.listen({ port: 0, host: '127.0.0.1' });

  try {
    const leaf = await trust.issueSubscriber({ tckn: '10000000146', givenName: 'Bench', surname: 'User', operator: 'TURKCELL' });
    fs.writeFileSync(path.join(dataDir, 'sub.pem'), leaf.chain[0]!.toString('pem'));
    fs.writeFileSync(path.join(dataDir, 'leaf.pem'), leaf.pem);
    fs.writeFileSync(path.join(dataDir, 'data.txt'), 'bench');
    const tsq = path.join(dataDir, 'q.tsq');
    const ocspReq = path.join(dataDir, 'q.ocsp');
    execFileSync('openssl', ['ts', '-query', '-data', path.join(dataDir, 'data.txt'), '-sha256', '-cert', '-out', tsq]);
    execFileSync('openssl', ['ocsp', '-issuer', path.join(dataDir, 'sub.pem'), '-cert', path.join(dataDir, 'leaf.pem'), '-reqout', ocspReq]);
    const tsBody = fs.readFileSync(tsq);
    const ocspBody = fs.readFileSync(ocspReq);

    await measure('warm-up', `${bareBase}/sign`, 'application/octet-stream', tsBody);
    await measure('warm-up', `${base}/tsa`, 'application/timestamp-query', tsBody);
    const baseline = await measure('bare route: one RSA-2048 signature', `${bareBase}/sign`, 'application/octet-stream', tsBody);
    const tsa = await measure(`POST /tsa (${system.platform.database.dialect})`, `${base}/tsa`, 'application/timestamp-query', tsBody);
    const ocsp = await measure(`POST /ocsp (${system.platform.database.dialect})`, `${base}/ocsp`, 'application/ocsp-request', ocspBody);
    for (const r of [baseline, tsa, ocsp]) {
      process.stdout.write(`${r.title.padEnd(40)} ${r.rps.toFixed(0).padStart(8)} req/s   p99 ${String(r.p99).padStart(4)} ms\n`);
    }
    process.stdout.write(`TSA  throughput / baseline: ${(tsa.rps / baseline.rps).toFixed(2)}\n`);
    process.stdout.write(`OCSP throughput / baseline: ${(ocsp.rps / baseline.rps).toFixed(2)}\n`);
  } finally {
    await bare.close();
    await app.close();
    await system.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
