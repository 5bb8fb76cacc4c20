import { KeyObject } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complete } from '../../src/esign/xades/complete.js';
import { signDigest } from '../../src/esign/xades/local-signer.js';
import { prepare } from '../../src/esign/xades/prepare.js';
import type { IssuedSubscriber } from '../../src/trust/service.js';
import { xmlsec1VerifyAll } from './tools.js';
import { xadesTestEnv, type XadesTestEnv } from './setup.js';

const XML = Buffer.from('<siparis><adet>10</adet><fiyat>99.90</fiyat></siparis>');

let env: XadesTestEnv;
let signer: IssuedSubscriber;
beforeAll(async () => {
  env = await xadesTestEnv();
  signer = await env.subscriber();
});
afterAll(() => env.cleanup());

async function xmlsec1Rejects(xml: string): Promise<boolean> {
  const results = await xmlsec1VerifyAll(Buffer.from(xml), env.rootPem, env.caPems);
  return results.some((r) => r.code !== 0);
}

describe('what must be reported invalid', () => {
  it('a tampered document', async () => {
    const signed = (await env.sign(XML, { level: 'aslT' }, signer)).toString('utf8');
    const tampered = signed.replace('<adet>10</adet>', '<adet>100</adet>');
    const report = await env.xades.validate(tampered);
    expect(report.summary).toBe('CONTAINS_INVALID');
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_FAILED', valid: false, checks: { references: false, signatureValue: true } });
    expect(report.signatures[0]!.errors.join()).toMatch(/reference "": digest mismatch/);
    expect(await xmlsec1Rejects(tampered)).toBe(true);
  });

  it('tampered enveloping content', async () => {
    const signed = (await env.sign(Buffer.from('binary content here'), { mode: 'ENVELOPING' }, signer)).toString('utf8');
    const original = Buffer.from('binary content here').toString('base64');
    const tampered = signed.replace(original, Buffer.from('binary content HERE').toString('base64'));
    expect(tampered).not.toBe(signed);
    expect((await env.xades.validate(tampered)).signatures[0]!.errors.join()).toMatch(/digest mismatch/);
    expect(await xmlsec1Rejects(tampered)).toBe(true);
  });

  it('a tampered signed property (SigningTime)', async () => {
    const signed = (await env.sign(XML, {}, signer)).toString('utf8');
    const tampered = signed.replace(/<xades:SigningTime>\d{4}/, '<xades:SigningTime>2001');
    expect(tampered).not.toBe(signed);
    const s = (await env.xades.validate(tampered)).signatures[0]!;
    expect(s.indication).toBe('TOTAL_FAILED');
    expect(s.errors.join()).toMatch(/reference "#SignedProperties-[0-9a-f]+": digest mismatch/);
    expect(await xmlsec1Rejects(tampered)).toBe(true);
  });

  it('a tampered signature value and a swapped time-stamp', async () => {
    const a = (await env.sign(XML, { level: 'aslT' }, signer)).toString('utf8');
    const b = (await env.sign(XML, { level: 'aslT' }, signer)).toString('utf8');
    const tsOf = (xml: string) => /<xades:EncapsulatedTimeStamp>([^<]+)</.exec(xml)![1]!;
    const swapped = a.replace(tsOf(a), tsOf(b));
    const s = (await env.xades.validate(swapped)).signatures[0]!;
    expect(s.errors.join()).toMatch(/SignatureTimeStamp: message imprint does not match/);
    const sv = /<ds:SignatureValue Id="[^"]+">([^<]+)</.exec(a)![1]!;
    const flipped = a.replace(sv, (sv[0] === 'A' ? 'B' : 'A') + sv.slice(1));
    expect((await env.xades.validate(flipped)).signatures[0]!.checks.signatureValue).toBe(false);
  });

  it('a revoked signer, while an XL signature made before the revocation stays valid', async () => {
    const victim = await env.subscriber('10000000146');
    const bes = await env.sign(XML, {}, victim);
    const xl = await env.sign(XML, { level: 'aslXL' }, victim);
    await new Promise((r) => setTimeout(r, 1100)); // revocation strictly after the time-stamp's second
    await env.trust.revoke(victim.serialNumber, 'keyCompromise');
    const s = (await env.xades.validate(bes)).signatures[0]!;
    expect(s.indication).toBe('TOTAL_FAILED');
    expect(s.revocation).toMatchObject({ status: 'REVOKED', source: 'OCSP', embedded: false });
    expect(s.errors.join()).toMatch(/revoked/);
    const later = (await env.xades.validate(xl)).signatures[0]!;
    expect([later.indication, later.revocation.status, later.revocation.embedded]).toEqual(['TOTAL_PASSED', 'GOOD', true]);
  });

  it('an expired certificate', async () => {
    const shortLived = await env.subscriber('10000000146', 1);
    const signed = await env.sign(XML, {}, shortLived);
    expect((await env.xades.validate(signed)).signatures[0]!.indication).toBe('TOTAL_PASSED');
    const inThreeDays = new Date(Date.now() + 3 * 86_400_000);
    const s = (await env.xades.validate(signed, inThreeDays)).signatures[0]!;
    expect([s.indication, s.chain.status]).toEqual(['TOTAL_FAILED', 'EXPIRED']);
    expect(s.errors.join()).toMatch(/is not valid at/);
  });

  it('a signer outside our PKI is not trusted, and a document without signatures is not valid', async () => {
    const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
    const keys = (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: '01', name: 'CN=Stranger, C=TR', notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 86_400_000), keys, signingAlgorithm: alg,
    });
    const p = prepare(XML, {}, Buffer.from(cert.rawData));
    const signed = await complete(p.state, signDigest(p.digest, KeyObject.from(keys.privateKey)), { document: XML });
    const report = await env.xades.validate(signed);
    expect(report).toMatchObject({ summary: 'CONTAINS_INCOMPLETE', valid: false });
    expect(report.signatures[0]).toMatchObject({ indication: 'INDETERMINATE', chain: { status: 'UNTRUSTED' }, checks: { references: true, signatureValue: true } });
    expect(await env.xades.validate('<a/>')).toMatchObject({ summary: 'NO_SIGNATURE', valid: false, signatureCount: 0 });
  });
});
