import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Wraps subscribers' private keys (PKCS#8) under a 256-bit key kept in a file in the data directory (or
 * IMZALA_MSSP_KEY, Base64, for processes that share a database but not a disk), so a copy of the database
 * alone does not give away the keys.
 */
export class KeyStore {
  private constructor(private readonly key: Buffer) {}

  static open(dataDir: string, env: NodeJS.ProcessEnv): KeyStore {
    const fromEnv = env.IMZALA_MSSP_KEY;
    if (fromEnv) {
      const key = Buffer.from(fromEnv, 'base64');
      if (key.length !== 32) throw new Error('IMZALA_MSSP_KEY must be 32 bytes, Base64');
      return new KeyStore(key);
    }
    const file = path.join(dataDir, 'mssp', 'keystore.key');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) {
      // Written aside then linked: the first process to start creates it whole; the others read that one.
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      fs.writeFileSync(tmp, randomBytes(32), { mode: 0o600 });
      try {
        fs.linkSync(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        fs.rmSync(tmp, { force: true });
      }
    }
    const key = fs.readFileSync(file);
    if (key.length !== 32) throw new Error(`${file} is not a 32-byte key`);
    return new KeyStore(key);
  }

  seal(privateKey: KeyObject): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(privateKey.export({ format: 'der', type: 'pkcs8' })), cipher.final()]);
    return [iv, cipher.getAuthTag(), ct].map((b) => b.toString('base64')).join('.');
  }

  open(sealed: string): KeyObject {
    const [iv, tag, ct] = sealed.split('.').map((p) => Buffer.from(p, 'base64'));
    if (!iv || !tag || !ct) throw new Error('sealed key is malformed');
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    const der = Buffer.concat([decipher.update(ct), decipher.final()]);
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  }
}
