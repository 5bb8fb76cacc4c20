import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyOnThread } from '../../src/gateway/verify-thread.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });

describe('signature verification thread', () => {
  it('answers each of many concurrent calls for its own data, key and signature', async () => {
    const cases = Array.from({ length: 60 }, (_, i) => {
      const data = Buffer.from(`token-${i}?itemCount=${i}`);
      const signature = sign('sha256', data, rsa.privateKey);
      switch (i % 4) {
        case 0:
          return { data, signature, key: rsa.publicKey, valid: true };
        case 1: // one byte of the data changed
          return { data: Buffer.from(`token-${i}?itemCount=${i + 1}`), signature, key: rsa.publicKey, valid: false };
        case 2: // another application's key
          return { data, signature, key: other.publicKey, valid: false };
        default: // truncated signature
          return { data, signature: signature.subarray(1), key: rsa.publicKey, valid: false };
      }
    });
    const answers = await Promise.all(cases.map((c) => verifyOnThread(c.key, c.data, c.signature)));
    expect(answers).toEqual(cases.map((c) => c.valid));
  });

  it('answers false, not an error, for a signature that cannot be one under the key', async () => {
    const data = Buffer.from('token');
    await expect(verifyOnThread(ec.publicKey, data, sign('sha256', data, rsa.privateKey))).resolves.toBe(false);
    await expect(verifyOnThread(rsa.publicKey, data, Buffer.alloc(0))).resolves.toBe(false);
  });

  it('does not keep the process alive once every answer is in', () => {
    const module = path.resolve('src/gateway/verify-thread.ts');
    const script = `
      import { generateKeyPairSync, sign } from 'node:crypto';
      const { verifyOnThread } = await import(${JSON.stringify(module)});
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const data = Buffer.from('x');
      console.log(await verifyOnThread(publicKey, data, sign('sha256', data, privateKey)));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.signal).toBeNull();
    expect(run.stdout.trim()).toBe('true');
  });
});
