import 'reflect-metadata';
import { createHash, createPublicKey, KeyObject, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import * as pkijs from 'pkijs';
import { TrustError } from './errors.js';

// Both libraries sign through WebCrypto; point them at Node's implementation once, on import.
x509.cryptoProvider.set(webcrypto as unknown as Crypto);
pkijs.setEngine('nodeEngine', new pkijs.CryptoEngine({ name: 'nodeEngine', crypto: webcrypto as unknown as Crypto }));

export { x509, pkijs };

/** Every key the trust services own: RSA 2048 (fast to generate, accepted by every verifier we test with). */
export const SIGNING_ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const GEN_PARAMS = { ...SIGNING_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };

export async function generateSigningKey(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(GEN_PARAMS, true, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function exportPkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey));
  return toPem(der, 'PRIVATE KEY');
}

export async function importPkcs8Pem(pem: string): Promise<CryptoKey> {
  return (await webcrypto.subtle.importKey('pkcs8', fromPem(pem), SIGNING_ALGORITHM, false, ['sign'])) as CryptoKey;
}

export function toPem(der: Uint8Array, label: string): string {
  const b64 = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

export function fromPem(pem: string): Uint8Array<ArrayBuffer> {
  return bytes(Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z0-9 ]+-----/g, '').replace(/\s+/g, ''), 'base64'));
}

/** A copy on a plain ArrayBuffer, the only kind WebCrypto and the ASN.1 libraries' typings accept. */
export function bytes(data: Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(data instanceof ArrayBuffer ? data.slice(0) : data);
}

/** A subscriber's public key as @peculiar/x509 wants it, from a Node KeyObject or a WebCrypto key. */
export async function toPublicKey(key: KeyObject | CryptoKey): Promise<x509.PublicKey> {
  if (key instanceof KeyObject) {
    const pub = key.type === 'private' ? createPublicKey(key) : key;
    return new x509.PublicKey(pub.export({ type: 'spki', format: 'der' }));
  }
  return x509.PublicKey.create(key);
}

export function sha(algorithm: 'sha1' | 'sha256' | 'sha384' | 'sha512', data: Uint8Array): Buffer {
  return createHash(algorithm).update(data).digest();
}

/** Hash algorithms we accept in time-stamp and OCSP requests, by OID, with their digest lengths. */
export const HASHES: Record<string, { node: 'sha1' | 'sha256' | 'sha384' | 'sha512'; webName: string; length: number }> = {
  '1.3.14.3.2.26': { node: 'sha1', webName: 'SHA-1', length: 20 },
  '2.16.840.1.101.3.4.2.1': { node: 'sha256', webName: 'SHA-256', length: 32 },
  '2.16.840.1.101.3.4.2.2': { node: 'sha384', webName: 'SHA-384', length: 48 },
  '2.16.840.1.101.3.4.2.3': { node: 'sha512', webName: 'SHA-512', length: 64 },
};

export function hashOid(nameOrOid: string): string {
  if (HASHES[nameOrOid]) return nameOrOid;
  const normalized = nameOrOid.toUpperCase().replace(/^SHA-?/, 'SHA-');
  const found = Object.entries(HASHES).find(([, h]) => h.webName === normalized);
  if (!found) throw new TrustError('ERR_TRUST_BAD_INPUT', `unsupported hash algorithm ${nameOrOid}`);
  return found[0];
}
