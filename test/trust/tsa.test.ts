import fs from 'node:fs';
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkijs } from '../../src/trust/crypto.js';
import { openssl } from './openssl.js';
import { trustFixture, type TrustFixture } from './server.js';

function parseResp(der: Uint8Array): pkijs.TimeStampResp {
  return pkijs.TimeStampResp.fromBER(new Uint8Array(der));
}

function rawRequest(hashOid: string, digest: Uint8Array, extra: Partial<{ reqPolicy: string }> = {}): Buffer {
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: hashOid }),
      hashedMessage: new asn1js.OctetString({ valueHex: new Uint8Array(digest) }),
    }),
    certReq: true,
    ...extra,
  });
  return Buffer.from(req.toSchema().toBER());
}

describe('RFC 3161 time-stamp authority', () => {
  let f: TrustFixture;
  let tsaPem: string;
  beforeAll(async () => {
    f = await trustFixture();
    tsaPem = f.files.file('tsa.pem', (await f.trust.tsaCertificate()).toString('pem'));
  });
  afterAll(async () => f.close());

  const post = (body: Uint8Array | string, type = 'application/timestamp-query'): Promise<Response> =>
    fetch(`${f.url}/tsa`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });

  it('answers an openssl query over HTTP with a token openssl ts -verify accepts', async () => {
    const data = f.files.file('data.txt', 'imzala belgesi\n');
    for (const [flag, label] of [['-sha256', 'sha256'], ['-sha1', 'sha1'], ['-sha512', 'sha512']] as const) {
      const query = f.files.file(`q-${label}.tsq`);
      expect((await openssl(['ts', '-query', '-data', data, flag, '-cert', '-out', query])).code).toBe(0);
      const res = await post(fs.readFileSync(query));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/timestamp-reply');
      const reply = f.files.file(`r-${label}.tsr`, new Uint8Array(await res.arrayBuffer()));
      const verified = await openssl(['ts', '-verify', '-data', data, '-in', reply, '-CAfile', f.rootPem, '-untrusted', tsaPem]);
      expect(verified.stdout).toContain('Verification: OK');
      expect(verified.code).toBe(0);
      // Against the query too: imprint, nonce, and the TSA certificate the token carries (certReq).
      const byQuery = await openssl(['ts', '-verify', '-queryfile', query, '-in', reply, '-CAfile', f.rootPem]);
      expect(byQuery.stdout).toContain('Verification: OK');
    }
    // Other data must not verify: the check is real.
    const other = f.files.file('other.txt', 'başka belge\n');
    const wrong = await openssl(['ts', '-verify', '-data', other, '-in', f.files.file('r-sha256.tsr'), '-CAfile', f.rootPem, '-untrusted', tsaPem]);
    expect(wrong.code).not.toBe(0);
  });

  it('echoes the nonce, leaves the certificate out unless asked, and keeps genTime accurate', async () => {
    const data = f.files.file('nonce.txt', 'nonce\n');
    const query = f.files.file('nocert.tsq');
    await openssl(['ts', '-query', '-data', data, '-sha256', '-out', query]);
    const before = Date.now();
    const res = await post(fs.readFileSync(query));
    const after = Date.now();
    const resp = parseResp(new Uint8Array(await res.arrayBuffer()));
    expect(resp.status.status).toBe(0);
    const signed = new pkijs.SignedData({ schema: resp.timeStampToken!.content });
    expect(signed.certificates ?? []).toHaveLength(0);
    const info = pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent!.getValue());
    const req = pkijs.TimeStampReq.fromBER(new Uint8Array(fs.readFileSync(query)));
    expect(Buffer.from(info.nonce!.valueBlock.valueHexView)).toEqual(Buffer.from(req.nonce!.valueBlock.valueHexView));
    expect(info.genTime.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(info.genTime.getTime()).toBeLessThanOrEqual(after + 1000);
    const reply = f.files.file('nocert.tsr', new Uint8Array(resp.toSchema().toBER()));
    expect((await openssl(['ts', '-verify', '-data', data, '-in', reply, '-CAfile', f.rootPem, '-untrusted', tsaPem])).code).toBe(0);
  });

  it('issues tokens in-process for a digest, with unique increasing serials', async () => {
    const data = Buffer.from('<ds:SignatureValue>abc</ds:SignatureValue>');
    const serials: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const token = await f.trust.timestamp({ hashAlgorithm: 'SHA-256', hash: createHash('sha256').update(data).digest() }, { nonce: 42n });
      const file = f.files.file(`token-${i}.der`, token);
      const verified = await openssl(['ts', '-verify', '-token_in', '-in', file, '-data', f.files.file('sv.bin', data), '-CAfile', f.rootPem]);
      expect(verified.stdout).toContain('Verification: OK');
      const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(token)).content });
      // DER: the TSTInfo sits in one primitive OCTET STRING, where pkijs's verifier (a second reader) finds it.
      expect(signed.encapContentInfo.eContent!.idBlock.isConstructed).toBe(false);
      const checked = await signed.verify({ signer: 0, trustedCerts: [pkijs.Certificate.fromBER(new Uint8Array((await f.trust.rootCertificate()).rawData))], checkChain: true, extendedMode: true, data: Uint8Array.from(data).buffer });
      expect(checked.signatureVerified).toBe(true);
      const info = pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent!.getValue());
      serials.push(info.serialNumber.toBigInt());
      expect(info.nonce?.toBigInt()).toBe(42n);
    }
    expect(new Set(serials).size).toBe(3);
    expect(serials[2]! > serials[1]! && serials[1]! > serials[0]!).toBe(true);
    await expect(f.trust.timestamp({ hashAlgorithm: 'SHA-256', hash: new Uint8Array(31) })).rejects.toMatchObject({ code: 'ERR_TRUST_BAD_INPUT' });
    await expect(f.trust.timestamp({ hashAlgorithm: 'MD5', hash: new Uint8Array(16) })).rejects.toMatchObject({ code: 'ERR_TRUST_BAD_INPUT' });
  });

  it('rejects bad requests with a TimeStampResp (HTTP 200) and the right failInfo, never a 5xx', async () => {
    const failBit = async (body: Uint8Array | string): Promise<{ status: number; failInfo: string }> => {
      const res = await post(body);
      expect(res.status).toBe(200);
      const resp = parseResp(new Uint8Array(await res.arrayBuffer()));
      const bits = resp.status.failInfo ? Buffer.from(resp.status.failInfo.valueBlock.valueHexView).toString('hex') : '';
      return { status: resp.status.status, failInfo: bits };
    };
    expect(await failBit('garbage')).toEqual({ status: 2, failInfo: '04' }); // badDataFormat (bit 5)
    expect(await failBit(new Uint8Array(0))).toEqual({ status: 2, failInfo: '04' });
    expect(await failBit(rawRequest('2.16.840.1.101.3.4.2.1', new Uint8Array(20)))).toEqual({ status: 2, failInfo: '04' });
    expect(await failBit(rawRequest('1.2.840.113549.2.5', new Uint8Array(16)))).toEqual({ status: 2, failInfo: '80' }); // badAlg (bit 0)
    expect(await failBit(rawRequest('2.16.840.1.101.3.4.2.1', new Uint8Array(32), { reqPolicy: '1.2.3.4' }))).toEqual({ status: 2, failInfo: '0001' }); // unacceptedPolicy
    expect((await failBit(rawRequest('2.16.840.1.101.3.4.2.1', new Uint8Array(32)))).status).toBe(0);

    const json = await post('{"a":1}', 'application/json');
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ error: 'unsupported_media_type' });
    const huge = await post(new Uint8Array(200 * 1024));
    expect(huge.status).toBe(413);
  });
});
