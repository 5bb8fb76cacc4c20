import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt hashes for every secret the platform keeps (client secrets, one-time codes, customer passwords, PINs,
 * operator AP passwords), self-describing so parameters can change later: `scrypt$N$r$p$salt$hash` (base64url).
 */
const N = 16384;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: n, r, p, maxmem: 64 * 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `salt` is for seeds that must come out byte-identical run to run; everything else takes a random one. */
export async function hashSecret(secret: string, salt: Buffer = randomBytes(16)): Promise<string> {
  const key = await derive(secret, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

export async function verifySecret(stored: string, candidate: unknown): Promise<boolean> {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 512) return false;
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(candidate, Buffer.from(salt, 'base64url'), Number(n), Number(r), Number(p));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A hash of a random secret nobody kept. Checking a password against it costs one scrypt, like a real check,
 * so "no such user" and "wrong password" take the same time; being a constant, it costs nothing at start-up.
 */
const DECOY_HASH = 'scrypt$16384$8$1$hdZx_7zxaJd9p1i0KyHqbw$ePxO4a7cgZneh8w8Smn7yKr9KBATx_Ilp_zXSn_OlV8';

/** verifySecret for a record that may not exist: false without one, after the same work as with one. */
export async function verifySecretOrDecoy(stored: string | undefined, candidate: unknown): Promise<boolean> {
  const ok = await verifySecret(stored ?? DECOY_HASH, candidate);
  return stored !== undefined && ok;
}
