import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDigest } from '../../src/esign/xades/local-signer.js';
import { resolveOptions, type TurkishProfile, type XadesLevel } from '../../src/esign/xades/model.js';
import { complete } from '../../src/esign/xades/complete.js';
import { prepare } from '../../src/esign/xades/prepare.js';
import { trustFromService } from '../../src/esign/xades/trust-service.js';
import type { IssuedSubscriber } from '../../src/trust/service.js';
import { xadesTestEnv, type XadesTestEnv } from './setup.js';

const XML = Buffer.from('<belge><madde no="1">Sözleşme metni</madde></belge>');
const BIN = Buffer.from([0x25, 0x50, 0x44, 0x46, 0, 1, 2, 3, 255, 254]);

let env: XadesTestEnv;
let signer: IssuedSubscriber;
beforeAll(async () => {
  env = await xadesTestEnv();
  signer = await env.subscriber();
});
afterAll(() => env.cleanup());

describe('profile rules', () => {
  it('raise a weaker level to the profile level and refuse contradictions', () => {
    expect(resolveOptions({ profile: 'P1' }).level).toBe('aslBES');
    expect(resolveOptions({ profile: 'P2', level: 'BES' }).level).toBe('aslT');
    expect(resolveOptions({ profile: 'p3' }).level).toBe('aslXL');
    expect(resolveOptions({ profile: 'P3', level: 'A' })).toMatchObject({ level: 'aslA', revocation: 'CRL' });
    expect(resolveOptions({ profile: 'P4', level: 'T' })).toMatchObject({ level: 'aslXL', revocation: 'OCSP' });
    expect(() => resolveOptions({ profile: 'P1', level: 'aslT' })).toThrow(/P1 is aslBES; it contradicts level aslT/);
    expect(() => resolveOptions({ profile: 'P2', level: 'XL' })).toThrow(/contradicts/);
    expect(() => resolveOptions({ profile: 'P5' })).toThrow(/unknown Turkish signature profile/);
    expect(() => resolveOptions({ level: 'LT' })).toThrow(/unknown signature level/);
    expect(() => resolveOptions({ mode: 'DETACHED' })).toThrow(/envelopingOrEnveloped/);
  });
});

const CASES: [TurkishProfile, XadesLevel | undefined, XadesLevel][] = [
  ['P1', undefined, 'aslBES'],
  ['P2', undefined, 'aslT'],
  ['P2', 'aslBES', 'aslT'],
  ['P3', undefined, 'aslXL'],
  ['P3', 'aslA', 'aslA'],
  ['P4', undefined, 'aslXL'],
  ['P4', 'aslA', 'aslA'],
];

describe('Turkish profiles', () => {
  for (const [profile, requested, level] of CASES) {
    for (const [mode, doc] of [['ENVELOPED', XML], ['ENVELOPING', BIN]] as const) {
      it(`${profile} (asked ${requested ?? 'nothing'}) ${mode}: ${level}, policy, revocation data; the validator says ${profile}`, async () => {
        const signed = await env.sign(doc, { profile, mode, ...(requested ? { level: requested } : {}) }, signer);
        await env.xmlsec1(signed);
        const report = await env.xades.validate(signed);
        const s = report.signatures[0]!;
        expect([s.indication, s.level, s.profile, s.errors, s.warnings]).toEqual(['TOTAL_PASSED', level, profile, [], []]);
        if (profile === 'P1') expect(s.policy).toBeNull();
        else expect(s.policy).toMatchObject({ oid: expect.stringMatching(/^2\.16\.792\.1\.61\.0\.1\.5070\.3\.[123]\.1$/), hashValid: true });
        if (profile === 'P3') expect(s.revocation).toMatchObject({ source: 'CRL', embedded: true, status: 'GOOD' });
        if (profile === 'P4') expect(s.revocation).toMatchObject({ source: 'OCSP', embedded: true, status: 'GOOD' });
        const xml = signed.toString('utf8');
        if (profile === 'P3') expect(xml).toContain('EncapsulatedCRLValue');
        if (profile === 'P3') expect(xml).not.toContain('EncapsulatedOCSPValue');
        if (profile === 'P4') expect(xml.match(/EncapsulatedOCSPValue>/g)?.length ?? 0).toBeGreaterThanOrEqual(4); // signer's and TSA's
      });
    }
  }

  for (const profile of ['P1', 'P2', 'P3', 'P4'] as const) {
    for (const mode of ['ENVELOPED', 'ENVELOPING'] as const) {
      it(`${profile} ${mode} followed by a ${profile} counter-signature (SERIAL) and, enveloped, a ${profile} PARALLEL one`, async () => {
        let signed = await env.sign(mode === 'ENVELOPED' ? XML : BIN, { profile, mode }, signer);
        signed = await env.sign(signed, { profile, serialOrParallel: 'SERIAL', signaturePath: 'S0' }, signer);
        if (mode === 'ENVELOPED') signed = await env.sign(signed, { profile, serialOrParallel: 'PARALLEL' }, signer);
        await env.xmlsec1(signed);
        const report = await env.xades.validate(signed);
        const expected = mode === 'ENVELOPED' ? ['S0', 'S0:S0', 'S1'] : ['S0', 'S0:S0'];
        expect(report.signatures.map((x) => [x.path, x.indication, x.profile])).toEqual(expected.map((path) => [path, 'TOTAL_PASSED', profile]));
      });
    }
  }

  it('P2–P4 refuse a time-stamp more than 2 hours after SigningTime', async () => {
    const p = prepare(XML, { profile: 'P2', signingTime: new Date(Date.now() - 3 * 3600_000) }, signer.der);
    await expect(complete(p.state, signDigest(p.digest, signer.privateKey!), { document: XML, trust: trustFromService(env.trust) })).rejects.toMatchObject({
      code: 'ERR_XADES_PROFILE',
    });
  });

  it('a profile claim the signature does not live up to is reported, not believed', async () => {
    // A P4 policy on a signature whose unsigned properties were stripped back to BES.
    const signed = (await env.sign(XML, { profile: 'P4' }, signer)).toString('utf8');
    const stripped = signed.replace(/<xades:UnsignedProperties>[\s\S]*<\/xades:UnsignedProperties>/, '');
    const s = (await env.xades.validate(stripped)).signatures[0]!;
    expect(s.level).toBe('aslBES');
    expect(s.profile).toBeNull();
    expect(s.warnings.join()).toMatch(/claims profile P4 but its level is aslBES/);
  });
});
