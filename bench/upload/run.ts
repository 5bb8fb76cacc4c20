// bench/upload: a chunked upload (1 GB by default) through `imzala serve` as `npm start` runs it (its node flags,
// the build from scripts/build.mjs, no tsx) (ChunkInit, ChunkUpload × n,
// ChunkComplete) against the same bytes sent to a bare Node HTTP server that streams each body to disk, both over
// loopback in this run. Prints both throughputs, their ratio and the imzala server's peak RSS (VmHWM).
// Each server first takes one chunk untimed (lazy start-up work and JIT warm-up are not the upload's cost), and
// the CPU seconds each server and the client spend on the timed upload are printed next to the wall time.
// Env: IMZALA_BENCH_UPLOAD_MB (1024), IMZALA_BENCH_CHUNK_MB (16), IMZALA_BENCH_CONCURRENCY (4),
// IMZALA_BENCH_NODE_ARGS (extra node flags for both servers, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
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

/** The node arguments of package.json's start script (V8 flags, entry point, `serve`): the server as `npm start` runs it. */
function npmStartArgs(): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const [command, ...args] = script.split(/\s+/);
  if (command !== 'node') throw new Error(`package.json's start script does not run node: ${script}`);
  return args;
}

function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; address: string }> {
  const nodeArgs = (process.env.IMZALA_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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

/** User + system CPU seconds a process has used (utime and stime in /proc/PID/stat count USER_HZ = 100 ticks/s). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds the server and this client spend while `work` runs: on a shared 2-core machine the throughput
 * moves with other people's load, the work done much less.
 */
async function measured<T>(pid: number, work: () => Promise<T>): Promise<T & { serverCpu: number; clientCpu: number }> {
  const server0 = cpuSeconds(pid);
  const client0 = process.cpuUsage();
  const result = await work();
  const client = process.cpuUsage(client0);
  return { ...result, serverCpu: cpuSeconds(pid) - server0, clientCpu: (client.user + client.system) / 1e6 };
}

const cpu = (r: { serverCpu: number; clientCpu: number }): string => `CPU s: server ${r.serverCpu.toFixed(2)}, client ${r.clientCpu.toFixed(2)}`;

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

async function bare(): Promise<{ seconds: number; serverCpu: number; clientCpu: number; peakRssBeforeUpload: number; peakRss: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-bare-'));
  const { child, address } = await start(['--import', 'tsx', path.join(here, 'bare-server.ts'), dir]);
  const send = async (i: number): Promise<void> => {
    await ok(await fetch(`${address}/chunk`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: chunkOf(i) as Uint8Array<ArrayBuffer> }));
  };
  try {
    const peakRssBeforeUpload = peakRssMb(child.pid!);
    await send(0);
    const upload = await measured(child.pid!, async () => {
      const t0 = performance.now();
      await sendAll(send);
      return { seconds: (performance.now() - t0) / 1000 };
    });
    return { ...upload, peakRssBeforeUpload, peakRss: peakRssMb(child.pid!) };
  } finally {
    await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function imzala(): Promise<{
  seconds: number;
  completeSeconds: number;
  serverCpu: number;
  clientCpu: number;
  peakRssBeforeUpload: number;
  peakRssAfterUpload: number;
  peakRss: number;
}> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-bench-upload-'));
  const config = loadConfig({ dataDir, logLevel: 'warn' });
  const system = await openSystem(config);
  const { apiKey } = await createEsignServices(system.platform).tenants.create('bench');
  await system.close();
  if (spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { stdio: 'inherit' }).status !== 0) throw new Error('scripts/build.mjs failed');
  const { child, address } = await start([...npmStartArgs(), '--port', '0', '--data', dataDir], {
    IMZALA_LOG_LEVEL: 'warn',
    IMZALA_DATABASE_URL: '',
  });
  const json = { 'x-api-key': apiKey, 'content-type': 'application/json' };
  const init = async (size: number, chunks: number, requestId: string) =>
    (await ok(
      await fetch(`${address}/v2/CoreApiFile/ChunkInit`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ chunkSize, totalSize: size, totalChunks: chunks, fileName: 'bench.bin', requestId }),
      }),
    )).result as { uploadSessionId: string; operationId: string };
  const send = async (session: string, i: number): Promise<void> => {
    const headers: Record<string, string> = { 'x-api-key': apiKey, 'content-type': 'application/octet-stream', uploadsessionid: session, chunkindex: String(i) };
    if (chunkOf(i).length === chunkSize) headers.chunksha256 = chunkSha;
    await ok(await fetch(`${address}/v2/CoreApiFile/ChunkUpload`, { method: 'POST', headers, body: chunkOf(i) as Uint8Array<ArrayBuffer> }));
  };
  const complete = async (session: string, sha256: string, requestId: string) =>
    (await ok(
      await fetch(`${address}/v2/CoreApiFile/ChunkComplete`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ uploadSessionId: session, sha256, requestId }),
      }),
    )).result as { sha256: string };
  try {
    // What the server holds once started, before any upload: the upload's own share is the growth past it.
    const peakRssBeforeUpload = peakRssMb(child.pid!);
    const warmUp = await init(chunkOf(0).length, 1, 'benchwarmup0000000001');
    await send(warmUp.uploadSessionId, 0);
    await complete(warmUp.uploadSessionId, createHash('sha256').update(chunkOf(0)).digest('hex'), 'benchwarmup0000000002');

    const upload = await measured(child.pid!, async () => {
      const t0 = performance.now();
      const session = await init(totalSize, totalChunks, 'benchupload0000000001');
      await sendAll((i) => send(session.uploadSessionId, i));
      const chunksDone = performance.now();
      const done = await complete(session.uploadSessionId, expectedSha, 'benchupload0000000002');
      if (done.sha256 !== expectedSha) throw new Error(`SHA-256 mismatch: ${done.sha256} != ${expectedSha}`);
      return { seconds: (performance.now() - t0) / 1000, completeSeconds: (performance.now() - chunksDone) / 1000, operationId: session.operationId };
    });
    const peakRssAfterUpload = peakRssMb(child.pid!);
    // Both downloads stream; the server's peak RSS must not grow with the document.
    const body = JSON.stringify({ operationId: upload.operationId });
    const raw = await fetch(`${address}/v2/CoreApiFile/DownloadRawCore`, { method: 'POST', headers: json, body });
    const rawHash = createHash('sha256');
    for await (const piece of raw.body as unknown as AsyncIterable<Uint8Array>) rawHash.update(piece);
    if (rawHash.digest('hex') !== expectedSha) throw new Error('raw download differs from the upload');
    const b64 = await fetch(`${address}/v2/CoreApiFile/DownloadCore`, { method: 'POST', headers: json, body });
    let b64Bytes = 0;
    for await (const piece of b64.body as unknown as AsyncIterable<Uint8Array>) b64Bytes += piece.length;
    if (b64Bytes !== Number(b64.headers.get('content-length'))) throw new Error('base64 download length differs from Content-Length');
    process.stdout.write(`downloads (raw + base64 JSON of ${(b64Bytes / 1024 / 1024).toFixed(0)} MB) verified\n`);
    const { seconds, completeSeconds, serverCpu, clientCpu } = upload;
    return { seconds, completeSeconds, serverCpu, clientCpu, peakRssBeforeUpload, peakRssAfterUpload, peakRss: peakRssMb(child.pid!) };
  } finally {
    await stop(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const mb = totalSize / 1024 / 1024;
process.stdout.write(`upload ${mb} MB in ${totalChunks} chunks of ${chunkMb} MB, ${concurrency} at a time, over loopback\n`);
const baseline = await bare();
process.stdout.write(`bare node http → disk:      ${(mb / baseline.seconds).toFixed(1)} MB/s (${baseline.seconds.toFixed(2)} s; ${cpu(baseline)})\n`);
const ours = await imzala();
const ratio = baseline.seconds / ours.seconds;
process.stdout.write(
  `imzala chunked upload:      ${(mb / ours.seconds).toFixed(1)} MB/s (${ours.seconds.toFixed(2)} s, of which ChunkComplete ${ours.completeSeconds.toFixed(2)} s; ${cpu(ours)})\n`,
);
process.stdout.write(`ratio imzala / bare:        ${(ratio * 100).toFixed(0)}%   (target ≥ 60%)\n`);
process.stdout.write(
  `imzala server peak RSS:     ${ours.peakRssBeforeUpload.toFixed(0)} MB once started, ${ours.peakRssAfterUpload.toFixed(0)} MB after the upload, ` +
    `${ours.peakRss.toFixed(0)} MB after both downloads   (target < 200 MB)\n`,
);
process.stdout.write(`bare server peak RSS:       ${baseline.peakRssBeforeUpload.toFixed(0)} MB once started, ${baseline.peakRss.toFixed(0)} MB after the upload\n`);
