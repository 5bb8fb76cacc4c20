import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../options.js';
import { printJson } from '../terminal.js';

/**
 * `imzala keygen`: a 2048-bit RSA pair for request signing, each half in both PEM forms, since portals and
 * libraries disagree on which they want (PKCS#8 / SubjectPublicKeyInfo vs PKCS#1).
 */
export function registerKeygen(program: Command): void {
  program
    .command('keygen')
    .description('write a 2048-bit RSA key pair for request signing, in both PEM forms (PKCS#8/SPKI and PKCS#1)')
    .option('-o, --out <prefix>', 'path prefix of the files written', 'imzala')
    .option('--bits <n>', 'modulus length (2048 is what the bank asks for)', '2048')
    .option('--force', 'overwrite existing files')
    .option('--json', 'print the file names as JSON')
    .action((opts: { out: string; bits: string; force?: boolean; json?: boolean }) => {
      const bits = Number(opts.bits);
      if (![2048, 3072, 4096].includes(bits)) throw new UsageError('--bits must be 2048, 3072 or 4096');
      const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
      const files = {
        privateKeyPkcs8: `${opts.out}.key.pem`,
        privateKeyPkcs1: `${opts.out}.rsa.key.pem`,
        publicKeySpki: `${opts.out}.pub.pem`,
        publicKeyPkcs1: `${opts.out}.rsa.pub.pem`,
      };
      const contents: Record<keyof typeof files, string> = {
        privateKeyPkcs8: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        privateKeyPkcs1: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        publicKeySpki: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        publicKeyPkcs1: publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      };
      if (!opts.force) {
        const existing = Object.values(files).filter((f) => fs.existsSync(f));
        if (existing.length > 0) throw new UsageError(`${existing.join(', ')} already exist (use --force to overwrite)`);
      }
      fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
      for (const [name, file] of Object.entries(files) as Array<[keyof typeof files, string]>) {
        fs.writeFileSync(file, contents[name], { mode: name.startsWith('private') ? 0o600 : 0o644 });
      }
      if (opts.json) printJson(files);
      else
        process.stdout.write(
          `private key: ${files.privateKeyPkcs8} (PKCS#8), ${files.privateKeyPkcs1} (PKCS#1)\n` +
            `public key:  ${files.publicKeySpki} (upload this to the API Market), ${files.publicKeyPkcs1} (PKCS#1)\n`,
        );
    });
}
