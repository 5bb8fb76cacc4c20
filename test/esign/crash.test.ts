import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSystem } from '../../src/app.js';
import { createEsignServices } from '../../src/esign/services.js';
import { testConfig } from '../helpers/platform.js';
import { sha256 } from './helpers.js';

function serve(dataDir: string, databaseUrl: string): Promise<{ child: ChildProcess; address: string }> {
  const child = spawn(process.execPath, [path.resolve('bin/imzala.js'), 'serve', '--port', '0', '--data', dataDir], {
    env: { ...process.env, IMZALA_DATABASE_URL: databaseUrl, IMZALA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) resolve({ child, address: m[1] });
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

describe('kill -9 during a chunked upload', () => {
  it('resumes from the chunks already stored after a restart and completes with the right SHA-256', async () => {
    const { config, cleanup } = await testConfig();
    const setup = await openSystem(config);
    const { apiKey } = await createEsignServices(setup.platform).tenants.create('crash');
    await setup.close();

    const chunkSize = 256 * 1024;
    const data = randomBytes(chunkSize * 7 + 1234);
    const totalChunks = 8;
    const part = (i: number) => data.subarray(i * chunkSize, Math.min(data.length, (i + 1) * chunkSize));
    const call = async (address: string, url: string, body: unknown) => {
      const res = await fetch(`${address}${url}`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as { result: Record<string, unknown>; error: string | null } };
    };
    const upload = async (address: string, session: string, i: number) => {
      const res = await fetch(`${address}/v2/CoreApiFile/ChunkUpload`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/octet-stream', uploadsessionid: session, chunkindex: String(i), chunksha256: sha256(part(i)) },
        body: part(i),
      });
      expect(await res.json()).toEqual({ result: { accepted: true }, error: null });
    };

    let server = await serve(config.dataDir, config.databaseUrl);
    try {
      const init = await call(server.address, '/v2/CoreApiFile/ChunkInit', {
        chunkSize,
        totalSize: data.length,
        totalChunks,
        fileName: 'large.bin',
        requestId: 'crashtest000000000001',
      });
      expect(init.status).toBe(200);
      const session = init.json.result.uploadSessionId as string;
      const operationId = init.json.result.operationId as string;
      for (const i of [0, 3, 5]) await upload(server.address, session, i);

      // Chunk 6 is half sent when the server dies.
      const url = new URL(server.address);
      const socket = net.connect(Number(url.port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        `POST /v2/CoreApiFile/ChunkUpload HTTP/1.1\r\nHost: x\r\nx-api-key: ${apiKey}\r\ncontent-type: application/octet-stream\r\n` +
          `uploadsessionid: ${session}\r\nchunkindex: 6\r\ncontent-length: ${chunkSize}\r\n\r\n`,
      );
      socket.write(part(6).subarray(0, chunkSize / 2));
      await new Promise((r) => setTimeout(r, 300));
      server.child.kill('SIGKILL');
      const [, signal] = await once(server.child, 'exit');
      expect(signal).toBe('SIGKILL');
      socket.destroy();

      server = await serve(config.dataDir, config.databaseUrl);
      const status = await call(server.address, '/v2/CoreApiFile/GetUploadStatus', { uploadSessionId: session });
      expect(status.json.result).toMatchObject({ state: 'open', totalChunks, receivedChunkIndices: [0, 3, 5] });

      for (const i of [7, 6, 4, 2, 1]) await upload(server.address, session, i);
      const done = await call(server.address, '/v2/CoreApiFile/ChunkComplete', { uploadSessionId: session, sha256: sha256(data), requestId: 'crashtest000000000002' });
      expect(done.status, JSON.stringify(done.json)).toBe(200);
      expect(done.json.result).toMatchObject({ isSuccess: true, operationId, sha256: sha256(data) });

      const down = await call(server.address, '/v2/CoreApiFile/DownloadCore', { operationId });
      expect(down.json.result.fileName).toBe('large.bin');
      expect(sha256(Buffer.from(down.json.result.fileData as string, 'base64'))).toBe(sha256(data));
    } finally {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit').catch(() => undefined);
      await cleanup();
    }
  });
});
