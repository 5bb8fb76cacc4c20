import { createPublicKey, type KeyObject } from 'node:crypto';
import { ApplicationError } from './errors.js';

export interface ParsedPublicKey {
  key: KeyObject;
  /** SPKI PEM, the one form we store, whatever form was uploaded. */
  pem: string;
  bits: number;
  /** Set when the key is accepted but weaker than the API Market asks for. */
  warning?: string;
}

const PEM = /-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY)-----[\s\S]+?-----END \1-----/;

/** An RSA public key as SPKI (`BEGIN PUBLIC KEY`) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM, at least 1024 bits. */
export function parsePublicKey(text: string): ParsedPublicKey {
  if (/-----BEGIN (RSA |ENCRYPTED |EC )?PRIVATE KEY-----/.test(text)) {
    throw new ApplicationError('ERR_PUBLIC_KEY', 'this is a private key: upload the PUBLIC key only (keep the private key to yourself)');
  }
  const match = PEM.exec(text);
  if (!match) {
    throw new ApplicationError('ERR_PUBLIC_KEY', 'expected a PEM public key (-----BEGIN PUBLIC KEY----- or -----BEGIN RSA PUBLIC KEY-----)');
  }
  let key: KeyObject;
  try {
    key = match[1] === 'RSA PUBLIC KEY'
      ? createPublicKey({ key: match[0], format: 'pem', type: 'pkcs1' })
      : createPublicKey({ key: match[0], format: 'pem', type: 'spki' });
  } catch {
    throw new ApplicationError('ERR_PUBLIC_KEY', 'the PEM public key could not be decoded');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new ApplicationError('ERR_PUBLIC_KEY', `expected an RSA key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) throw new ApplicationError('ERR_PUBLIC_KEY', `RSA key of ${bits} bits is too weak: use 2048 bits`);
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  return bits < 2048
    ? { key, pem, bits, warning: `RSA key of ${bits} bits accepted for old clients; the API Market asks for 2048 bits` }
    : { key, pem, bits };
}
