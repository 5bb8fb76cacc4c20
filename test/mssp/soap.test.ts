import { createHash, randomBytes, verify, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MsspError } from '../../src/mssp/status.js';
import { trustServiceOf } from '../../src/trust/index.js';
import { openssl, scratch } from '../trust/openssl.js';
import { msspHarness, waitForPending, type Harness } from './harness.js';

const AYSE = '5301234567'; // TURKCELL, manual
const MEHMET = '5421234567'; // VODAFONE, manual
const ZEYNEP = '5051234567'; // AVEA, manual

function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  return `-----BEGIN ${label}-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

async function rejected(p: Promise<unknown>): Promise<MsspError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MsspError);
  return err as MsspError;
}

describe('operator simulators over the ETSI TS 102 204 SOAP wire', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await msspHarness();
  });
  afterAll(async () => h.close());

  it('synch MSS_Signature approved on the phone: PKCS#7 parses, the value verifies over the hash, the cert chains to the test root', async () => {
    const content = Buffer.from('<ds:SignedInfo>canonical bytes</ds:SignedInfo>');
    const digest = createHash('sha256').update(content).digest();
    const signing = h.client('TURKCELL').sign({ msisdn: AYSE, digest, display: 'Sözleşmeyi imzalıyor musunuz? <&>' });
    const tx = await waitForPending(h.mssp, AYSE);
    expect(tx.display).toBe('Sözleşmeyi imzalıyor musunuz? <&>');
    expect(tx.fingerprint).toBe(digest.toString('hex').toUpperCase());
    const res = await fetch(`${h.address}/phone/${AYSE}/approve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pin: '123456' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ transactionId: tx.id, state: 'signed', statusCode: 500 });
    const sig = await signing;
    expect(sig.statusCode).toBe(500);
    expect(sig.msspTransId).toBe(tx.id);

    // The PKCS#7 as pkijs reads it: one SignerInfo, no signed attributes, the certificates included.
    const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(sig.pkcs7)).content });
    expect(signedData.signerInfos).toHaveLength(1);
    expect(signedData.signerInfos[0]!.signedAttrs).toBeUndefined();
    expect(signedData.certificates?.length).toBe(3);

    // node:crypto: RSASSA-PKCS1-v1_5 with SHA-256 over the content, i.e. over the hash we sent.
    const cert = new X509Certificate(sig.signerCertificate);
    expect(verify('sha256', content, cert.publicKey, sig.signatureValue)).toBe(true);
    expect(verify('sha256', Buffer.from('other'), cert.publicKey, sig.signatureValue)).toBe(false);
    expect(cert.subject).toContain('12345678950');

    // openssl: the chain to the test root, and the CMS itself over the detached content.
    const root = await trustServiceOf(h.system.parts).rootCertificate();
    const dir = scratch();
    try {
      const rootPem = dir.file('root.pem', root.toString('pem'));
      const chain = dir.file('chain.pem', sig.certificates.slice(1).map((c) => toPem(c)).join(''));
      const leaf = dir.file('leaf.pem', toPem(sig.signerCertificate));
      const verified = await openssl(['verify', '-CAfile', rootPem, '-untrusted', chain, leaf]);
      expect(verified.stdout + verified.stderr).toContain('OK');
      expect(verified.code).toBe(0);
      const cms = await openssl([
        'cms', '-verify', '-binary', '-inform', 'DER', '-in', dir.file('sig.p7', sig.pkcs7),
        '-content', dir.file('content.bin', content), '-CAfile', rootPem, '-purpose', 'any', '-out', dir.file('out.bin'),
      ]);
      expect(cms.stderr).toContain('Verification successful');
    } finally {
      dir.remove();
    }

    // Approving again changes nothing: one transaction, one signature.
    const again = await h.mssp.phone.approve(AYSE, { transactionId: tx.id, pin: '123456' });
    expect(again.signature?.equals(sig.pkcs7)).toBe(true);
  });

  it('MSS_ProfileQuery returns the subscriber certificate (TCKN as subject serialNumber)', async () => {
    const certs = await h.client('VODAFONE').getCertificates(MEHMET);
    const cert = new X509Certificate(certs[0]!);
    expect(cert.subject).toMatch(/serialNumber=10000000146/);
    expect(cert.issuer).toMatch(/Vodafone/);
  });

  it('asynch: 100 REQUEST_OK, MSS_StatusQuery says 504 OUTSTANDING until the phone approves, then 502 with the signature', async () => {
    const client = h.client('VODAFONE', { soapVersion: '1.2' });
    const content = randomBytes(64);
    const digest = createHash('sha256').update(content).digest();
    const started = await client.startSignature({ msisdn: `+90${MEHMET}`, digest, display: 'asynch' });
    expect(started.msspTransId).toMatch(/[0-9a-f-]{36}/);
    expect(await client.statusQuery(started.msspTransId, digest)).toEqual({ state: 'outstanding', msspTransId: started.msspTransId });
    await h.mssp.phone.approve(MEHMET, { pin: '123456' });
    const done = await client.statusQuery(started.msspTransId, digest);
    expect(done.state).toBe('signed');
    if (done.state !== 'signed') return;
    expect(done.statusCode).toBe(502);
    expect(verify('sha256', content, new X509Certificate(done.signerCertificate).publicKey, done.signatureValue)).toBe(true);
    expect(new X509Certificate(done.signerCertificate).subject).toMatch(/10000000146/);
  });

  it('the user refuses: 401 USER_CANCEL', async () => {
    const digest = createHash('sha256').update('refuse').digest();
    const signing = rejected(h.client('AVEA').sign({ msisdn: ZEYNEP, digest, display: 'refuse me' }));
    await waitForPending(h.mssp, ZEYNEP);
    const res = await fetch(`${h.address}/phone/${ZEYNEP}/reject`, { method: 'POST' });
    expect(res.status).toBe(200);
    const err = await signing;
    expect(err.code).toBe('USER_CANCEL');
    expect(err.statusCode).toBe(401);
  });

  it('no answer in time: 208 EXPIRED_TRANSACTION (synch and asynch)', async () => {
    const digest = createHash('sha256').update('expire').digest();
    const err = await rejected(h.client('AVEA', { signatureTimeoutSeconds: 1 }).sign({ msisdn: ZEYNEP, digest, display: 'expire' }));
    expect(err.code).toBe('EXPIRED_TRANSACTION');
    const asynch = await rejected(h.client('AVEA', { signatureTimeoutSeconds: 1, mode: 'asynchClientServer' }).sign({ msisdn: ZEYNEP, digest, display: 'expire' }));
    expect(asynch.code).toBe('EXPIRED_TRANSACTION');
    expect((await h.mssp.phone.pending(ZEYNEP)).pending).toEqual([]);
  });

  it('unknown MSISDN: 105 UNKNOWN_CLIENT; another operator’s subscriber is unknown too', async () => {
    const digest = createHash('sha256').update('x').digest();
    expect((await rejected(h.client('TURKCELL').sign({ msisdn: '5559998877', digest, display: 'x' }))).code).toBe('UNKNOWN_CLIENT');
    expect((await rejected(h.client('TURKCELL').sign({ msisdn: MEHMET, digest, display: 'x' }))).statusCode).toBe(105);
    expect((await rejected(h.client('TURKCELL').getCertificates('5559998877'))).code).toBe('UNKNOWN_CLIENT');
  });

  it('wrong AP_PWD or AP_ID: 104 UNAUTHORIZED_ACCESS, and no transaction is created', async () => {
    const digest = createHash('sha256').update('x').digest();
    expect((await rejected(h.client('TURKCELL', { apPwd: 'wrong' }).sign({ msisdn: AYSE, digest, display: 'x' }))).code).toBe('UNAUTHORIZED_ACCESS');
    // Each operator has its own credentials: Vodafone's do not open Turkcell.
    const vodafone = h.client('VODAFONE');
    expect((await rejected(h.client('TURKCELL', { apId: vodafone.config.apId, apPwd: vodafone.config.apPwd }).sign({ msisdn: AYSE, digest, display: 'x' }))).code).toBe('UNAUTHORIZED_ACCESS');
    expect((await h.mssp.phone.pending(AYSE)).pending).toEqual([]);
  });

  it('bad parameters: unsupported profile 109, a non-hash 103, a status query for another AP’s transaction 101', async () => {
    const digest = createHash('sha256').update('x').digest();
    expect((await rejected(h.client('TURKCELL', { signatureProfile: 'urn:other' }).sign({ msisdn: AYSE, digest, display: 'x' }))).code).toBe('UNSUPPORTED_PROFILE');
    expect((await rejected(h.client('TURKCELL').sign({ msisdn: AYSE, digest: Buffer.alloc(7), display: 'x' }))).code).toBe('WRONG_DATA_LENGTH');
    expect((await rejected(h.client('TURKCELL').sign({ msisdn: AYSE, digest, display: 'x'.repeat(256) }))).code).toBe('WRONG_DATA_LENGTH');
    expect((await rejected(h.client('TURKCELL').statusQuery('no-such-id', digest))).code).toBe('WRONG_PARAM');
  });

  it('an unreachable operator is ERR_MSSP_TRANSPORT', async () => {
    const err = await rejected(h.client('TURKCELL', { url: 'http://127.0.0.1:1/mssp/turkcell/soap' }).getCertificates(AYSE));
    expect(err.code).toBe('ERR_MSSP_TRANSPORT');
  });
});

describe('PIN entry', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await msspHarness();
  });
  afterAll(async () => h.close());

  it('wrong PINs count down, the last one blocks: the request ends 402 PIN_NR_BLOCKED and new ones are refused at once', async () => {
    const digest = createHash('sha256').update('pin').digest();
    const signing = rejected(h.client('TURKCELL').sign({ msisdn: AYSE, digest, display: 'pin' }));
    await waitForPending(h.mssp, AYSE);
    const approve = (pin: string) =>
      fetch(`${h.address}/phone/${AYSE}/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pin }) });
    let res = await approve('1111');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'ERR_WRONG_PIN', attemptsLeft: 2 });
    res = await approve('2222');
    expect(await res.json()).toMatchObject({ error: 'ERR_WRONG_PIN', attemptsLeft: 1 });
    res = await approve('3333');
    expect(res.status).toBe(423);
    expect(await res.json()).toMatchObject({ error: 'ERR_PIN_BLOCKED' });
    const err = await signing;
    expect(err.code).toBe('PIN_NR_BLOCKED');
    expect(err.statusCode).toBe(402);
    expect((await rejected(h.client('TURKCELL').sign({ msisdn: AYSE, digest, display: 'again' }))).code).toBe('PIN_NR_BLOCKED');
    // Even the right PIN no longer works until the PUK service unblocks it.
    expect((await h.mssp.subscribers.checkPin(AYSE, '123456')).ok).toBe(false);
    await h.mssp.subscribers.unblock(AYSE);
    expect((await h.mssp.subscribers.checkPin(AYSE, '123456')).ok).toBe(true);
  });

  it('a right PIN after a wrong one signs and resets the count', async () => {
    const digest = createHash('sha256').update('pin2').digest();
    const signing = h.client('AVEA', { mode: 'asynchClientServer' }).sign({ msisdn: ZEYNEP, digest, display: 'pin2' });
    await waitForPending(h.mssp, ZEYNEP);
    await expect(h.mssp.phone.approve(ZEYNEP, { pin: '999999' })).rejects.toMatchObject({ code: 'ERR_WRONG_PIN' });
    expect((await h.mssp.subscribers.get(ZEYNEP))!.wrongPins).toBe(1);
    await h.mssp.phone.approve(ZEYNEP, { pin: '123456' });
    expect((await signing).statusCode).toBe(502);
    expect((await h.mssp.subscribers.get(ZEYNEP))!.wrongPins).toBe(0);
  });
});
