// bench/upload: a chunked upload (1 GB by default) through `imzala serve` (ChunkInit, ChunkUpload × n,
// ChunkComplete) against the same bytes sent to a bare Node HTTP server that streams each body to disk, both over
// loopback in this run. Prints both throughputs, their ratio and the imzala server's peak RSS (VmHWM).
// Env: IMZALA_BENCH_UPLOAD_MB (1024), IMZALA_BENCH_CHUNK_MB (16), IMZALA_BENCH_CONCURRENCY (4).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSystem } from '../../src/app.js';
import { createEsignServices } from '../../src/esign/services.js';
import { loadConfig } from '../../src/platform/config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const totalMb = Number(process.env.IMZALA_BENCH_UPLOAD_MB ?? 1024);
const chunkMb = Number(process.env.IMZALA_BENCH_CHUNK_MB ?? 16);
const concurrency = Number(process.env.IMZALA_BENCH_CONCURRENCY ?? 4);
const chunkSize = chunkMb * 1024 * 1024;
const totalSize = totalMb * 1024 * 1024;
const totalChunks = Math.ceil(totalSize / chunkSize);

// The document is one random chunk repeated: the client stays small, and both servers get the same bytes.
const block = randomBytes(chunkSize);
const chunkOf = (i: number): Buffer => block.subarray(0, Math.min(chunkSize, totalSize - i * chunkSize));
const wholeHash = createHash('sha256');
for (let i = 0; i < totalChunks; i++) wholeHash.update(chunkOf(i));
const expectedSha = wholeHash.digest('hex');
const chunkSha = createHash('sha256').update(block).digest('hex');

function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ child, address: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

/** Sends every chunk, `concurrency` at a time. */
async function sendAll(send: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, totalChunks) }, async () => {
      while (next < totalChunks) await send(next++);
    }),
  );
}

async function ok(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function bare(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-bare-'));
  const { child, address } = await start(['--import', 'tsx', path.join(here, 'bare-server.ts'), dir]);
  try {
    const t0 = performance.now();
    await sendAll(async (i) => {
      await ok(await fetch(`${address}/chunk`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: chunkOf(i) as Uint8Array<ArrayBuffer> }));
    });
    return (performance.now() - t0) / 1000;
  } finally {
    await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function imzala(): Promise<{ seconds: number; completeSeconds: number; peakRss: number }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-upload-'));
  const config = loadConfig({ dataDir, logLevel: 'warn' });
  const system = await openSystem(config);
  const { apiKey } = await createEsignServices(system.platform).tenants.create('bench');
  await system.close();
  const { child, address } = await start([path.join(root, 'bin/imzala.js'), 'serve', '--port', '0', '--data', dataDir], {
    IMZALA_LOG_LEVEL: 'warn',
    IMZALA_DATABASE_URL: '',
  });
  const json = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  try {
    const t0 = performance.now();
    const init = (await ok(
      await fetch(`${address}/v2/CoreApiFile/ChunkInit`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ chunkSize, totalSize, totalChunks, fileName: 'bench.bin', requestId: 'benchupload0000000001' }),
      }),
    )).result as { uploadSessionId: string; operationId: string };
    await sendAll(async (i) => {
      const last = i === totalChunks - 1 && totalSize % chunkSize !== 0;
      const headers: Record<string, string> = {
        'x-api-key': apiKey,
        'content-type': 'application/octet-stream',
        uploadsessionid: init.uploadSessionId,
        chunkindex: String(i),
      };
      if (!last) headers.chunksha256 = chunkSha;
      await ok(await fetch(`${address}/v2/CoreApiFile/ChunkUpload`, { method: 'POST', headers, body: chunkOf(i) as Uint8Array<ArrayBuffer> }));
    });
    const chunksDone = performance.now();
    const done = (await ok(
      await fetch(`${address}/v2/CoreApiFile/ChunkComplete`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ uploadSessionId: init.uploadSessionId, sha256: expectedSha, requestId: 'benchupload0000000002' }),
      }),
    )).result as { sha256: string };
    const seconds = (performance.now() - t0) / 1000;
    if (done.sha256 !== expectedSha) throw new Error(`SHA-256 mismatch: ${done.sha256} != ${expectedSha}`);
    return { seconds, completeSeconds: (performance.now() - chunksDone) / 1000, peakRss: peakRssMb(child.pid!) };
  } finally {
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const mb = totalSize / 1024 / 1024;
process.stdout.write(`upload ${mb} MB in ${totalChunks} chunks of ${chunkMb} MB, ${concurrency} at a time, over loopback\n`);
const baseline = await bare();
process.stdout.write(`bare node http → disk:      ${(mb / baseline).toFixed(1)} MB/s (${baseline.toFixed(2)} s)\n`);
const ours = await imzala();
const ratio = baseline / ours.seconds;
process.stdout.write(`imzala chunked upload:      ${(mb / ours.seconds).toFixed(1)} MB/s (${ours.seconds.toFixed(2)} s, of which ChunkComplete ${ours.completeSeconds.toFixed(2)} s)\n`);
process.stdout.write(`ratio imzala / bare:        ${(ratio * 100).toFixed(0)}%   (target ≥ 60%)\n`);
process.stdout.write(`imzala server peak RSS:     ${ours.peakRss.toFixed(0)} MB   (target < 200 MB)\n`);
