import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileAbove } from '../../platform/file-above.js';

declare const shaJob: unique symbol;
type ShaJob = { readonly [shaJob]: true };

/**
 * The XAdES engine's native part, native/xades.c, which `npm ci` builds (scripts/build-native.mjs).
 *
 * scanCanonicalRun passes over the stretches of a document that exclusive c14n leaves unchanged, about four times
 * faster than the JavaScript scanner. It reads `state` [position, depth, lowest depth it may close to, 1 when
 * unprefixed elements need no namespace declaration], writes back the position and depth it stopped at, and records
 * each element it opens in `names` (start and end of its name, 0) as the JavaScript scanner does. It closes an
 * element only when its entry's third number is 0 (the element changed no namespaces).
 * `simplePrefixes` lists, each followed by `:`, the prefixes whose binding c14n has already rendered.
 */
export interface NativeAddon {
  scanCanonicalRun(document: Uint8Array, state: Int32Array, names: Int32Array, simplePrefixes: Uint8Array): void;
  /** Queues SHA-256 of `bytes` for the addon's hashing thread; the bytes must not change until finishSha256. */
  startSha256(bytes: Uint8Array): ShaJob;
  /** Waits for the digest (computing it here if the thread has not started it); null when `cancel`. */
  finishSha256(job: ShaJob, cancel: boolean): Buffer | null;
  /** Writes the padded base64 of `source` into `target` at `offset`; returns the bytes written. */
  encodeBase64Into(source: Uint8Array, target: Uint8Array, offset: number): number;
}

const NATIVE_BUILD = path.join('build', 'Release', 'xades.node');

function load(): NativeAddon | null {
  if (process.env.IMZALA_XADES_NATIVE === '0') return null;
  const file = fileAbove(path.dirname(fileURLToPath(import.meta.url)), NATIVE_BUILD);
  return file === null ? null : (createRequire(import.meta.url)(file) as NativeAddon);
}

/** Null when the addon was not built (no compiler at install) or IMZALA_XADES_NATIVE=0: JavaScript then does it all. */
export const nativeAddon: NativeAddon | null = load();

/** SHA-256 of a document's bytes that is being computed meanwhile (or, when that does not pay, on demand). */
export interface PendingDigest {
  /** Waits for the digest. */
  digest(): Buffer;
  /** Stops the computation when the digest is no longer wanted; idempotent, and harmless after digest(). */
  cancel(): void;
}

/** Below this, waking the hashing thread (about 35 µs) costs more than hashing here (256 KB: about 130 µs) saves. */
const BACKGROUND_MIN_BYTES = 256 * 1024;

/**
 * Starts SHA-256 of `bytes` on the addon's hashing thread, so the caller can go on with other work on this one;
 * the bytes must not change until digest() or cancel(). Without the addon, or for few bytes, it hashes on demand.
 */
export function sha256Meanwhile(bytes: Uint8Array, native: NativeAddon | null = nativeAddon): PendingDigest {
  if (native === null || bytes.length < BACKGROUND_MIN_BYTES) {
    let digest: Buffer | undefined;
    return { digest: () => (digest ??= createHash('sha256').update(bytes).digest()), cancel: () => {} };
  }
  const job = native.startSha256(bytes);
  let digest: Buffer | null | undefined;
  return {
    digest() {
      digest ??= native.finishSha256(job, false);
      if (digest === null) throw new Error('SHA-256 on the native thread failed or was cancelled');
      return digest;
    },
    cancel() {
      digest ??= native.finishSha256(job, true);
    },
  };
}

/** Base64 of JavaScript's own in pieces this size: their strings die young, so memory stays the source plus the target. */
const BASE64_PIECE = 3 * 16 * 1024;

/** Writes the padded base64 of `source` into `target` at `offset` (natively when built, with no strings in between); returns the bytes written. */
export function encodeBase64Into(source: Buffer, target: Buffer, offset: number, native: NativeAddon | null = nativeAddon): number {
  if (native !== null) return native.encodeBase64Into(source, target, offset);
  let at = offset;
  for (let i = 0; i < source.length; i += BASE64_PIECE) at += target.write(source.subarray(i, i + BASE64_PIECE).toString('base64'), at, 'latin1');
  return at - offset;
}
