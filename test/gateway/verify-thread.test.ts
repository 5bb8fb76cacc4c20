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
      const text = `token-${i}?itemCount=${i}&ad=Çağrı`;
      const signature = sign('sha256', Buffer.from(text, 'utf8'), rsa.privateKey);
      const base64 = signature.toString('base64');
      switch (i % 5) {
        case 0: // text, signed as its UTF-8
          return { data: text, signature: base64, key: rsa.publicKey, valid: true };
        case 1: // bytes, here a view into a larger buffer
          return { data: Buffer.concat([Buffer.from('junk'), Buffer.from(text, 'utf8')]).subarray(4), signature: base64, key: rsa.publicKey, valid: true };
        case 2: // one character of the data changed
          return { data: text.replace('itemCount', 'itemcount'), signature: base64, key: rsa.publicKey, valid: false };
        case 3: // another application's key
          return { data: text, signature: base64, key: other.publicKey, valid: false };
        default: // truncated signature
          return { data: text, signature: signature.subarray(3).toString('base64'), key: rsa.publicKey, valid: false };
      }
    });
    const answers = await Promise.all(cases.map((c) => verifyOnThread(c.key, c.data, c.signature)));
    expect(answers).toEqual(cases.map((c) => c.valid));
  });

  it('answers false, not an error, for a signature that cannot be one under the key', async () => {
    const signature = sign('sha256', Buffer.from('token'), rsa.privateKey).toString('base64');
    await expect(verifyOnThread(ec.publicKey, 'token', signature)).resolves.toBe(false);
    await expect(verifyOnThread(rsa.publicKey, 'token', '')).resolves.toBe(false);
    await expect(verifyOnThread(rsa.publicKey, 'token', signature)).resolves.toBe(true);
  });

  it('keeps answering right for keys it dropped and is sent again, beyond the 1024 it holds', async () => {
    // Small keys: only the bookkeeping of which keys the worker holds is under test here.
    const many = Array.from({ length: 1100 }, () => generateKeyPairSync('rsa', { modulusLength: 512 }));
    const check = async (indexes: number[]): Promise<boolean[]> =>
      Promise.all(indexes.map((i) => verifyOnThread(many[i]!.publicKey, `token-${i}`, sign('sha256', Buffer.from(`token-${i}`), many[i]!.privateKey).toString('base64'))));
    const all = Array.from({ length: many.length }, (_, i) => i);
    expect(await check(all)).toEqual(all.map(() => true));
    // The first keys were dropped by the worker; each must cross again, not be looked up as missing.
    expect(await check([0, 1, 2, 3, 1099])).toEqual([true, true, true, true, true]);
    // So were the keys the tests above used, whichever order they were used in.
    for (const pair of [rsa, other, ec]) {
      const signature = sign('sha256', Buffer.from('token'), pair.privateKey).toString('base64');
      await expect(verifyOnThread(pair.publicKey, 'token', signature)).resolves.toBe(true);
    }
    const wrong = await verifyOnThread(many[0]!.publicKey, 'token-1', sign('sha256', Buffer.from('token-1'), many[1]!.privateKey).toString('base64'));
    expect(wrong).toBe(false);
  }, 60_000);

  it('does not keep the process alive once every answer is in', () => {
    const module = path.resolve('src/gateway/verify-thread.ts');
    const script = `
      import { generateKeyPairSync, sign } from 'node:crypto';
      const { verifyOnThread } = await import(${JSON.stringify(module)});
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      console.log(await verifyOnThread(publicKey, 'x', sign('sha256', Buffer.from('x'), privateKey).toString('base64')));`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.signal).toBeNull();
    expect(run.stdout.trim()).toBe('true');
  });
});
