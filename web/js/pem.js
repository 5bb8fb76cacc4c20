// PEM and DER helpers for WebCrypto, which imports RSA private keys only as PKCS#8.

export function pemToDer(pem) {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m) throw new Error('not a PEM block (the BEGIN and END lines must stay)');
  const bin = atob(m[2].replace(/[^A-Za-z0-9+/=]/g, ''));
  const der = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) der[i] = bin.charCodeAt(i);
  return { label: m[1], der };
}

export function derToPem(label, der) {
  const bytes = new Uint8Array(der);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  const b64 = btoa(bin).replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

function derLength(n) {
  if (n < 0x80) return [n];
  const out = [];
  while (n > 0) { out.unshift(n & 0xff); n >>>= 8; }
  return [0x80 | out.length, ...out];
}

function tlv(tag, content) {
  return new Uint8Array([tag, ...derLength(content.length), ...content]);
}

// AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }
const RSA_ALGORITHM = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];

/** PKCS#1 RSAPrivateKey → PKCS#8 PrivateKeyInfo { version 0, rsaEncryption, OCTET STRING(RSAPrivateKey) }. */
export function pkcs1ToPkcs8(pkcs1) {
  const octet = tlv(0x04, pkcs1);
  return tlv(0x30, new Uint8Array([0x02, 0x01, 0x00, ...RSA_ALGORITHM, ...octet]));
}

/** The PKCS#8 DER of a pasted private key, whichever of the two PEM forms it is in. */
export function privateKeyPkcs8(pem) {
  const { label, der } = pemToDer(pem);
  if (label === 'RSA PRIVATE KEY') return pkcs1ToPkcs8(der);
  if (label === 'PRIVATE KEY') return der;
  throw new Error(`expected "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8), found "${label}"`);
}

export function importSigningKey(pem) {
  return crypto.subtle.importKey('pkcs8', privateKeyPkcs8(pem), { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
}

export function toHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function toBase64(buffer) {
  let bin = '';
  for (const b of new Uint8Array(buffer)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** A 2048-bit RSA key pair made by WebCrypto: the public key as SPKI PEM, the private key as PKCS#8 PEM. */
export async function generateKeyPair() {
  const pair = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  const spki = await crypto.subtle.exportKey('spki', pair.publicKey);
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
  return { publicPem: derToPem('PUBLIC KEY', spki), privatePem: derToPem('PRIVATE KEY', pkcs8) };
}

export function download(name, text, type = 'application/x-pem-file') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
