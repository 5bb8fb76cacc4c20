import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ThreadHash } from '../../src/platform/hash-thread.js';

const sha256 = (...pieces: Buffer[]) => pieces.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

describe('ThreadHash (SHA-256 on a worker thread)', () => {
  it('matches node:crypto over pieces smaller and larger than its shared slots, a piece reused once fed', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 12345);
    const hash = new ThreadHash();
    const reused = Buffer.alloc(70_000);
    for (let at = 0; at < 1_000_000; at += reused.length) {
      const piece = data.subarray(at, Math.min(at + reused.length, 1_000_000));
      piece.copy(reused);
      await hash.update(reused.subarray(0, piece.length));
    }
    await hash.update(data.subarray(1_000_000));
    expect(await hash.digest()).toBe(sha256(data));
  });

  it('copies are independent of the hash they came from; hashes fed at once stay apart', async () => {
    const a = randomBytes(5000);
    const b = randomBytes(2_500_000);
    const hash = new ThreadHash();
    await hash.update(a);
    const copy = hash.copy();
    const other = new ThreadHash();
    await Promise.all([hash.update(b), copy.update(a), other.update(b)]);
    expect(await Promise.all([hash.digest(), copy.digest(), other.digest()])).toEqual([sha256(a, b), sha256(a, a), sha256(b)]);
  });

  it('a digested hash is used up: digesting it again fails rather than answering a wrong hash', async () => {
    const hash = new ThreadHash();
    await hash.update(Buffer.from('x'));
    expect(await hash.digest()).toBe(sha256(Buffer.from('x')));
    await expect(hash.digest()).rejects.toThrow(/hash thread/);
  });
});
