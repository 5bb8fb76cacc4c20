// 500 concurrent mobile signings (SignStepOneXadesMobileCore over HTTP, operator simulator, auto-approving
// phone) on the embedded default (SQLite, files): operations per second and the time from the phone's approval
// to the stored signed document, next to the XAdES floor measured in this run (one SHA-256 of the document
// plus one RSA-2048 signature, as in bench/xades) and to the engine's own two-phase signing of the same document.
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildServer, openSystem } from '../../src/app.js';
import type { EsignPart } from '../../src/esign/part.js';
import { signDigest } from '../../src/esign/xades/local-signer.js';
import { xadesServiceOf } from '../../src/esign/xades/part.js';
import { msspServicesOf } from '../../src/mssp/part.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';

const N = Number(process.env.BENCH_MOBILE_N ?? 500);
const PHONE = '5309999999';
const DOC = Buffer.from(
  `<?xml version="1.0" encoding="UTF-8"?>\n<Fatura xmlns="urn:imzala:bench">${'<Kalem tutar="10.00">Hizmet bedeli</Kalem>'.repeat(50)}</Fatura>\n`,
);

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-mobile-'));
const config = loadConfig({ dataDir, port, logLevel: 'silent' }, { ...process.env, IMZALA_PUBLIC_URL: url, IMZALA_LOG_LEVEL: 'silent' });
const system = await openSystem(config, createLogger('silent'));
const app = await buildServer(system);
await app.listen({ port, host: '127.0.0.1' });
const esign = system.parts.find((p) => p.name === 'esign') as EsignPart;
const mssp = msspServicesOf(system.parts);
await mssp.subscribers.setPolicy(PHONE, { mode: 'approve', afterSeconds: 0 });
const tenant = await esign.services.tenants.create('bench');

// Floor: what any XAdES signature of this document must cost at least.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const FLOOR_N = 200;
let t0 = performance.now();
for (let i = 0; i < FLOOR_N; i++) createSign('sha256').update(createHash('sha256').update(DOC).digest()).sign(privateKey);
const floorMs = (performance.now() - t0) / FLOOR_N;

// The engine alone: prepare + complete at aslBES with a local key, through the stored pending state.
const xades = xadesServiceOf(system.parts);
const subscriber = (await mssp.subscribers.get(PHONE))!;
const subscriberKey = await mssp.subscribers.privateKey(PHONE);
const ENGINE_N = 50;
t0 = performance.now();
for (let i = 0; i < ENGINE_N; i++) {
  const prepared = await xades.prepare(DOC, {}, subscriber.certificates[0]!);
  await xades.complete(prepared.pendingId, signDigest(prepared.digest, subscriberKey));
}
const engineMs = (performance.now() - t0) / ENGINE_N;

const form = new FormData();
form.append('file', new Blob([DOC]), 'fatura.xml');
const uploaded = (await (await fetch(`${url}/v2/CoreApiFile/UploadFile`, { method: 'POST', headers: { 'x-api-key': tenant.apiKey }, body: form })).json()) as {
  result: { operationId: string };
};

process.stdout.write(`${N} concurrent SignStepOneXadesMobileCore, TURKCELL simulator, phone ${PHONE} approving at once, ${system.platform.database.dialect}\n`);
const started = performance.now();
let done = 0;
const answers = await Promise.all(
  Array.from({ length: N }, async (_, i) => {
    const res = await fetch(`${url}/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore`, {
      method: 'POST',
      headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ operationId: uploaded.result.operationId, operator: 'TURKCELL', phoneNumber: PHONE, userPrompt: `bench ${i}`, requestId: `bench${String(i).padStart(16, '0')}` }),
    });
    const json = (await res.json()) as { result: { operationId: string } | null; error: string | null };
    done++;
    if (process.stderr.isTTY) process.stderr.write(`\r${done}/${N} signed`);
    return json;
  }),
);
const wallMs = performance.now() - started;
if (process.stderr.isTTY) process.stderr.write('\n');
const failed = answers.filter((a) => a.error !== null);

// Approval → signed document: the operator transaction's finish time against the signed operation's.
const latencies: number[] = [];
for (const answer of answers) {
  if (!answer.result) continue;
  const signing = (await esign.mobile!.signings.get(tenant.tenant.id, answer.result.operationId))!;
  const tx = (await mssp.transactions.get(signing.transactionId!))!;
  const op = (await esign.services.operations.get(tenant.tenant.id, answer.result.operationId))!;
  latencies.push(op.updatedAt - tx.finishedAt!);
}
latencies.sort((a, b) => a - b);
const pollMs = esign.services.settings.mobilePollMs;
process.stdout.write(
  [
    `signed ${answers.length - failed.length}/${N}${failed.length > 0 ? ` (first error: ${failed[0]!.error})` : ''} in ${(wallMs / 1000).toFixed(1)} s: ${((answers.length - failed.length) / (wallMs / 1000)).toFixed(1)} operations/s`,
    `approval → signed document: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms (status polled every ${pollMs} ms: IMZALA_ESIGN_MOBILE_POLL_MS)`,
    `XAdES floor (SHA-256 + RSA-2048 sign, bench/xades's): ${floorMs.toFixed(2)} ms/op → ${(1000 / floorMs).toFixed(0)} ops/s on one core`,
    `engine alone (prepare + complete, aslBES, stored pending state): ${engineMs.toFixed(2)} ms/op (${(engineMs / floorMs).toFixed(1)}x floor)`,
    `whole mobile operation: ${(wallMs / (answers.length - failed.length)).toFixed(2)} ms of wall time per operation (${(wallMs / (answers.length - failed.length) / floorMs).toFixed(1)}x floor)`,
  ].join('\n') + '\n',
);
await app.close();
await system.close();
fs.rmSync(dataDir, { recursive: true, force: true });
if (failed.length > 0) process.exitCode = 1;
