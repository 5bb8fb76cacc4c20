import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { allSignatures } from '../../src/esign/xades/paths.js';
import { parseXml } from '../../src/esign/xades/xml.js';

const run = promisify(execFile);

async function tool(cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

export function tempDir(): { file(name: string, content: string | Uint8Array): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-xades-'));
  return {
    file(name, content) {
      const p = path.join(dir, name);
      fs.writeFileSync(p, content);
      return p;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * `xmlsec1 verify` of every signature in the document (counter-signatures included), each selected by its Id.
 * xmlsec1 resolves `#id` references only to attributes it is told are IDs: hence the --id-attr list.
 * Returns one entry per signature with xmlsec1's exit status and output.
 */
export async function xmlsec1VerifyAll(xml: Buffer, rootPem: string, untrustedPems: string[]): Promise<{ id: string; code: number; out: string }[]> {
  const tmp = tempDir();
  try {
    const file = tmp.file('signed.xml', xml);
    const trusted = tmp.file('root.pem', rootPem);
    const untrusted = untrustedPems.map((pem, i) => tmp.file(`ca${i}.pem`, pem));
    const ids = allSignatures(parseXml(xml.toString('utf8'))).map((s) => s.element.getAttribute('Id') ?? '');
    const results = [];
    for (const id of ids) {
      const args = ['verify', '--trusted-pem', trusted, ...untrusted.flatMap((u) => ['--untrusted-pem', u])];
      for (const el of ['Signature', 'SignedProperties', 'Object', 'SignatureValue']) args.push('--id-attr:Id', el);
      args.push('--node-id', id, file);
      results.push({ id, ...(await tool('xmlsec1', args)) });
    }
    return results;
  } finally {
    tmp.remove();
  }
}

/**
 * libxml2's digest of a document's canonical form (exclusive c14n, signatures left out), as xmlsec1 computes it:
 * `xmlsec1 sign` of a template placed before the root end tag, whose one reference is URI="" with the
 * enveloped-signature transform. xmlsec1 evaluates that transform in linear time, unlike the XPath filter our
 * signatures carry (superlinear in libxml2): so large documents can be checked against xmlsec1 this way.
 */
export async function xmlsec1DocumentDigest(xml: Buffer): Promise<string> {
  const text = xml.toString('utf8');
  const at = text.lastIndexOf('</');
  const template =
    '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>' +
    '<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI=""><ds:Transforms>' +
    '<ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms>' +
    '<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>';
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const tmp = tempDir();
  try {
    const out = tmp.file('signed.xml', '');
    const r = await tool('xmlsec1', ['sign', '--privkey-pem', tmp.file('key.pem', key), '--output', out, tmp.file('template.xml', text.slice(0, at) + template + text.slice(at))]);
    const digest = /<ds:DigestValue>([^<]+)<\/ds:DigestValue>/.exec(fs.readFileSync(out, 'utf8'))?.[1];
    if (r.code !== 0 || !digest) throw new Error(`xmlsec1 sign failed: ${r.out}`);
    return digest;
  } finally {
    tmp.remove();
  }
}

/** `openssl ts -verify` of a TimeStampToken against the digest it should cover. */
export async function opensslTsVerify(token: Buffer, digest: Buffer, rootPem: string, untrustedPem: string): Promise<{ code: number; out: string }> {
  const tmp = tempDir();
  try {
    return await tool('openssl', [
      'ts', '-verify', '-token_in', '-in', tmp.file('token.der', token), '-digest', digest.toString('hex'),
      '-CAfile', tmp.file('root.pem', rootPem), '-untrusted', tmp.file('tsa.pem', untrustedPem),
    ]);
  } finally {
    tmp.remove();
  }
}
