import 'reflect-metadata';
import { createHash, generateKeyPairSync, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';
import { toMsisdn } from '../../src/mssp/client.js';
import { extractSignature, signDigest } from '../../src/mssp/pkcs7.js';
import { buildFault, buildRequest, buildResponse, envelope, MSS_FORMAT_PKCS7, parseRequest, parseResponse, type SignatureReq } from '../../src/mssp/protocol.js';
import { MsspError } from '../../src/mssp/status.js';

const req: SignatureReq = {
  kind: 'signature',
  ap: { apId: 'ap"1', apPwd: 'p&<>w', apTransId: '_t1', instant: '2026-01-01T00:00:00Z' },
  msisdn: '+905301234567',
  dataToBeSigned: createHash('sha256').update('x').digest(),
  dataToBeSignedMimeType: 'application/octet-stream',
  dataToBeDisplayed: 'Ödeme <onayı> & "tamam"\u0001',
  signatureProfile: 'urn:p',
  mssFormat: MSS_FORMAT_PKCS7,
  mode: 'asynchClientServer',
  timeoutSeconds: 60,
};

describe('ETSI TS 102 204 messages', () => {
  it('a request survives the round trip, escaped, in SOAP 1.1 and 1.2', () => {
    for (const version of ['1.1', '1.2'] as const) {
      const parsed = parseRequest(envelope(version, buildRequest(req, 'urn:mssp')));
      expect(parsed.version).toBe(version);
      expect(parsed.request).toEqual({ ...req, dataToBeDisplayed: 'Ödeme <onayı> & "tamam"' });
    }
    const status = parseRequest(envelope('1.1', buildRequest({ kind: 'status', ap: req.ap, msspTransId: 'abc' }, 'urn:mssp')));
    expect(status.request).toEqual({ kind: 'status', ap: req.ap, msspTransId: 'abc' });
  });

  it('faults in both SOAP versions come back as the MsspError of their status', () => {
    for (const version of ['1.1', '1.2'] as const) {
      const { body, httpStatus } = buildFault(version, 401, 'the user said no');
      expect(httpStatus).toBe(500);
      const err = (() => {
        try {
          parseResponse(body, 'signature');
        } catch (e) {
          return e as MsspError;
        }
      })();
      expect(err).toBeInstanceOf(MsspError);
      expect(err?.code).toBe('USER_CANCEL');
      expect(err?.statusCode).toBe(401);
      expect(err?.message).toBe('the user said no');
    }
    expect(buildFault('1.2', 105, 'x').httpStatus).toBe(400);
  });

  it('a status response with a non-fault error code is read as that status', () => {
    const xml = envelope(
      '1.1',
      buildResponse({ kind: 'status', msspTransId: 'm1', apTransId: 'a1', msisdn: '+90530', status: { code: 208, message: 'EXPIRED_TRANSACTION' }, signature: undefined, signatureProfile: 'urn:p' }, 'urn:mssp', 'now'),
    );
    const resp = parseResponse(xml, 'status');
    expect(resp).toMatchObject({ kind: 'status', msspTransId: 'm1', apTransId: 'a1', status: { code: 208 } });
  });

  it('MSISDNs in every spelling become +905XXXXXXXXX; others are WRONG_PARAM', () => {
    for (const p of ['5301234567', '05301234567', '905301234567', '+90 530 123 45 67']) expect(toMsisdn(p)).toBe('+905301234567');
    expect(() => toMsisdn('2161234567')).toThrow(MsspError);
  });
});

describe('the PKCS#7 mobile signature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let cert: Buffer;
  beforeAll(async () => {
    // A self-signed fixture certificate: the checks below are about the CMS, not about the chain.
    x509.cryptoProvider.set(webcrypto as Crypto);
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const keys = {
      privateKey: await webcrypto.subtle.importKey('pkcs8', privateKey.export({ format: 'der', type: 'pkcs8' }), alg, false, ['sign']),
      publicKey: await webcrypto.subtle.importKey('spki', publicKey.export({ format: 'der', type: 'spki' }), alg, true, ['verify']),
    };
    const c = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber: '01', name: 'CN=fixture', notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000), signingAlgorithm: alg, keys });
    cert = Buffer.from(c.rawData);
  });

  it('signs SHA-256/384/512 hashes and reads back a value that verifies', () => {
    for (const alg of ['sha256', 'sha384', 'sha512']) {
      const digest = createHash(alg).update('content').digest();
      const out = extractSignature(signDigest(digest, privateKey, [cert]), digest);
      expect(out.signerCertificate.equals(cert)).toBe(true);
      expect(out.hash).toBe(`SHA-${alg.slice(3)}`);
    }
  });

  it('rejects a signature over another hash, a tampered value and garbage as INVALID_SIGNATURE', () => {
    const digest = createHash('sha256').update('content').digest();
    const p7 = signDigest(digest, privateKey, [cert]);
    expect(() => extractSignature(p7, createHash('sha256').update('other').digest())).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    const tampered = Buffer.from(p7);
    tampered[tampered.length - 5]! ^= 0xff;
    expect(() => extractSignature(tampered, digest)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    expect(() => extractSignature(Buffer.from('not der'), digest)).toThrow(expect.objectContaining({ code: 'INVALID_SIGNATURE' }));
    expect(() => signDigest(Buffer.alloc(20), privateKey, [cert])).toThrow(expect.objectContaining({ code: 'WRONG_DATA_LENGTH' }));
  });
});
