import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../platform/config.js';
import { TrustError } from './errors.js';

/**
 * Seals the PKI's private keys (AES-256-GCM) before they reach the database, with a key from
 * IMZALA_TRUST_KEY (base64 or hex of 32 bytes; needed when several servers with different data
 * directories share one PostgreSQL) or else from `<dataDir>/trust/pki.key`, created on first use.
 */
export class KeySealer {
  private constructor(private readonly key: Buffer) {}

  static open(config: Config): KeySealer {
    const fromEnv = config.env.IMZALA_TRUST_KEY;
    if (fromEnv) {
      const key = /^[0-9a-f]{64}$/i.test(fromEnv) ? Buffer.from(fromEnv, 'hex') : Buffer.from(fromEnv, 'base64');
      if (key.length !== 32) throw new TrustError('ERR_TRUST_KEY_MISMATCH', 'IMZALA_TRUST_KEY must be 32 bytes (hex or base64)');
      return new KeySealer(key);
    }
    const file = path.join(config.dataDir, 'trust', 'pki.key');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      // 'wx' makes concurrent first starts agree: one writes, the others read what it wrote.
      fs.writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    for (let i = 0; key.length !== 32 && i < 50; i++) {
      // Another process created the file an instant ago and has not finished writing it.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    }
    if (key.length !== 32) throw new TrustError('ERR_TRUST_KEY_MISMATCH', `${file} does not hold a 32-byte key`);
    return new KeySealer(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  unseal(sealed: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || !body) throw new TrustError('ERR_TRUST_KEY_MISMATCH', 'sealed key has an unknown format');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    } catch {
      throw new TrustError(
        'ERR_TRUST_KEY_MISMATCH',
        'the PKI in this database was sealed with another key: use the same data directory or set IMZALA_TRUST_KEY',
      );
    }
  }
}
