import { RSA_PKCS1_PADDING } from 'node:constants';
import { privateEncrypt, type KeyObject } from 'node:crypto';

/** DER prefix of a DigestInfo for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * RSASSA-PKCS1-v1_5 over an already computed SHA-256 digest: what a mobile operator's SIM does with
 * DataToBeSigned, done here with a test subscriber's software key.
 */
export function signDigest(digest: Buffer, privateKey: KeyObject): Buffer {
  if (digest.length !== 32) throw new RangeError('a SHA-256 digest has 32 bytes');
  return privateEncrypt({ key: privateKey, padding: RSA_PKCS1_PADDING }, Buffer.concat([SHA256_DIGEST_INFO, digest]));
}
