import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { x509 } from '../../src/trust/crypto.js';
import type { IssuedSubscriber } from '../../src/trust/service.js';
import { tcknFrom } from '../../src/trust/tckn.js';
import { openssl } from './openssl.js';
import { trustFixture, type TrustFixture } from './server.js';

const MALFORMED = '30030a0101'; // OCSPResponse { responseStatus malformedRequest }

describe('OCSP responder and CRLs', () => {
  let f: TrustFixture;
  let leaf: IssuedSubscriber;
  let subPem: string;
  let leafPem: string;
  beforeAll(async () => {
    f = await trustFixture();
    leaf = await f.trust.issueSubscriber({ tckn: tcknFrom('123456789'), givenName: 'Fatma', surname: 'Demir', operator: 'VODAFONE' });
    subPem = f.files.file('sub.pem', leaf.chain[0]!.toString('pem'));
    leafPem = f.files.file('leaf.pem', leaf.pem);
  });
  afterAll(async () => f.close());

  const ocspQuery = (issuer: string, target: string[]): ReturnType<typeof openssl> =>
    openssl(['ocsp', '-issuer', issuer, ...target, '-url', `${f.url}/ocsp`, '-CAfile', f.rootPem, '-resp_text']);

  it('answers openssl ocsp over a real socket: good, with a verified signature and the nonce echoed', async () => {
    const res = await ocspQuery(subPem, ['-cert', leafPem]);
    expect(res.stdout).toContain(`${leafPem}: good`);
    expect(res.stderr).toContain('Response verify OK');
    expect(res.stderr).not.toMatch(/no nonce|nonce verify error/i);
    expect(res.stdout).toContain('OCSP Nonce');
    expect(res.stdout).toContain('OCSP Response Data');
    // The sub-CA's own status comes from the root's signer; an unknown serial is "unknown".
    const subStatus = await ocspQuery(f.rootPem, ['-cert', subPem]);
    expect(subStatus.stdout).toContain(`${subPem}: good`);
    expect(subStatus.stderr).toContain('Response verify OK');
    const unknown = await ocspQuery(subPem, ['-serial', '0x1234567890']);
    expect(unknown.stdout).toContain('0x1234567890: unknown');
    expect(unknown.stderr).toContain('Response verify OK');
  });

  it('serves the GET form (base64 and base64url) and in-process responses openssl verifies', async () => {
    const reqFile = f.files.file('req.der');
    expect((await openssl(['ocsp', '-issuer', subPem, '-cert', leafPem, '-no_nonce', '-reqout', reqFile])).code).toBe(0);
    const der = fs.readFileSync(reqFile);
    for (const encoded of [encodeURIComponent(der.toString('base64')), der.toString('base64url')]) {
      const res = await fetch(`${f.url}/ocsp/${encoded}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/ocsp-response');
      const respFile = f.files.file('get-resp.der', new Uint8Array(await res.arrayBuffer()));
      const checked = await openssl(['ocsp', '-respin', respFile, '-issuer', subPem, '-cert', leafPem, '-CAfile', f.rootPem, '-no_nonce']);
      expect(checked.stdout).toContain(`${leafPem}: good`);
      expect(checked.stderr).toContain('Response verify OK');
    }
    const inProcess = f.files.file('inproc.der', await f.trust.ocspResponseFor(leaf.certificate));
    const checked = await openssl(['ocsp', '-respin', inProcess, '-issuer', subPem, '-cert', leafPem, '-CAfile', f.rootPem, '-no_nonce']);
    expect(checked.stdout).toContain(`${leafPem}: good`);
    // The time-stamping unit's certificate has a status too (P4 signatures embed it).
    const tsa = await f.trust.tsaCertificate();
    const tsaPem = f.files.file('tsa.pem', tsa.toString('pem'));
    const tsaResp = f.files.file('tsa-ocsp.der', await f.trust.ocspResponseFor(tsa, { hashAlgorithm: 'SHA-256' }));
    const tsaChecked = await openssl(['ocsp', '-respin', tsaResp, '-sha256', '-issuer', f.rootPem, '-cert', tsaPem, '-CAfile', f.rootPem, '-no_nonce']);
    expect(tsaChecked.stdout).toContain(`${tsaPem}: good`);
    expect(tsaChecked.stderr).toContain('Response verify OK');
  });

  it('shows a revocation made with `imzala pki revoke` in both OCSP and the CRL', async () => {
    const code = await main(['node', 'imzala', 'pki', 'revoke', '--data', f.system.config.dataDir, '--database-url', f.system.config.databaseUrl, '--serial', leaf.serialNumber, '--reason', 'keyCompromise']);
    expect(code).toBe(0);
    const res = await ocspQuery(subPem, ['-cert', leafPem]);
    expect(res.stdout).toContain(`${leafPem}: revoked`);
    expect(res.stdout).toContain('Reason: keyCompromise');
    expect(res.stdout).toMatch(/Revocation Time: /);
    expect(res.stderr).toContain('Response verify OK');

    const crlRes = await fetch(`${f.url}/crl/vodafone.crl`);
    expect(crlRes.status).toBe(200);
    expect(crlRes.headers.get('content-type')).toBe('application/pkix-crl');
    const crlFile = f.files.file('vodafone.crl', new Uint8Array(await crlRes.arrayBuffer()));
    const bundle = f.files.file('bundle.pem', [fs.readFileSync(f.rootPem, 'utf8'), fs.readFileSync(subPem, 'utf8')].join('\n'));
    const crl = await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', bundle, '-noout', '-text']);
    expect(crl.stderr + crl.stdout).toContain('verify OK');
    expect(crl.stdout).toContain(leaf.serialNumber.toUpperCase());
    expect(crl.stdout).toContain('Key Compromise');
    expect(crl.stdout).toMatch(/Next Update: /);
    // Signed by the sub-CA, not the root: with the root alone openssl cannot find the issuer.
    expect((await openssl(['crl', '-inform', 'DER', '-in', crlFile, '-CAfile', f.rootPem, '-noout'])).code).not.toBe(0);
    // The root's CRL verifies with the root alone, and the other sub-CAs' CRLs do not list the serial.
    const rootCrl = f.files.file('root.crl', new Uint8Array(await (await fetch(`${f.url}/crl/root.crl`)).arrayBuffer()));
    const rootCheck = await openssl(['crl', '-inform', 'DER', '-in', rootCrl, '-CAfile', f.rootPem, '-noout', '-text']);
    expect(rootCheck.stderr + rootCheck.stdout).toContain('verify OK');
    expect(rootCheck.stdout).not.toContain(leaf.serialNumber.toUpperCase());
    // In-process: the CRL of the certificate's issuer.
    const own = new x509.X509Crl(new Uint8Array(await f.trust.crlFor(leaf.certificate)));
    expect(own.issuer).toBe(leaf.chain[0]!.subject);
    expect(own.findRevoked(leaf.serialNumber)?.reason).toBe(x509.X509CrlReason.keyCompromise);
    expect(await own.verify({ publicKey: leaf.chain[0]!.publicKey })).toBe(true);
  });

  it('answers malformed or foreign requests with an OCSP error status or a 4xx, never a 5xx', async () => {
    const post = (body: Uint8Array | string, type = 'application/ocsp-request'): Promise<Response> =>
      fetch(`${f.url}/ocsp`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    for (const body of ['garbage', new Uint8Array(0), new Uint8Array([0x30, 0x82, 0xff, 0xff, 0x01])]) {
      const res = await post(body);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).toString('hex')).toBe(MALFORMED);
    }
    const badGet = await fetch(`${f.url}/ocsp/%%%`);
    expect(badGet.status).toBeLessThan(500);
    const notB64 = await fetch(`${f.url}/ocsp/${encodeURIComponent('!!not base64!!')}`);
    expect(Buffer.from(await notB64.arrayBuffer()).toString('hex')).toBe(MALFORMED);
    expect((await post('{}', 'application/json')).status).toBe(415);
    expect((await post(new Uint8Array(100 * 1024))).status).toBe(413);
    // A request about a certificate of another CA hierarchy: unauthorized (6), signed by no one.
    const foreignDir = f.files.file('foreign');
    fs.mkdirSync(foreignDir);
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${foreignDir}/k.pem`, '-out', `${foreignDir}/c.pem`, '-subj', '/CN=foreign', '-days', '1']);
    const foreign = await openssl(['ocsp', '-issuer', `${foreignDir}/c.pem`, '-cert', `${foreignDir}/c.pem`, '-url', `${f.url}/ocsp`, '-CAfile', f.rootPem]);
    expect(foreign.stdout + foreign.stderr).toMatch(/unauthorized/i);
    expect((await fetch(`${f.url}/crl/nope.crl`)).status).toBe(404);
    expect((await fetch(`${f.url}/crl/ocsp-root.crl`)).status).toBe(404);
    expect((await fetch(`${f.url}/crl/..%2F..%2Fetc.crl`)).status).toBe(400);
    const caDer = await fetch(`${f.url}/ca/turkcell.crt`);
    expect(caDer.headers.get('content-type')).toBe('application/pkix-cert');
    expect(Buffer.from(await caDer.arrayBuffer())).toEqual(Buffer.from((await f.trust.caCertificate('turkcell')).rawData));
  });
});
