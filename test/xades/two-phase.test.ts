import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSystem } from '../../src/app.js';
import { signDigest } from '../../src/esign/xades/local-signer.js';
import { xadesServiceOf } from '../../src/esign/xades/part.js';
import { complete } from '../../src/esign/xades/complete.js';
import { prepare } from '../../src/esign/xades/prepare.js';
import type { XadesRequest } from '../../src/esign/xades/model.js';
import { NS, child, children, excC14n, parseXml, sha256, text } from '../../src/esign/xades/xml.js';
import type { IssuedSubscriber } from '../../src/trust/service.js';
import { xadesTestEnv, type XadesTestEnv } from './setup.js';

const XML = Buffer.from('<kayit><ad>Test</ad></kayit>');

let env: XadesTestEnv;
let signer: IssuedSubscriber;
beforeAll(async () => {
  env = await xadesTestEnv();
  signer = await env.subscriber();
});
afterAll(() => env.cleanup());

describe('two-phase signing', () => {
  it('the digest is SHA-256 of the final canonical SignedInfo and the fingerprint its uppercase hex', async () => {
    const p = prepare(XML, { level: 'BES' }, signer.pem);
    expect(p.fingerprint).toBe(p.digest.toString('hex').toUpperCase());
    expect(p.fingerprint).toMatch(/^[0-9A-F]{64}$/);
    const signed = await complete(JSON.parse(JSON.stringify(p.state)), signDigest(p.digest, signer.privateKey!), { document: XML });
    const sig = parseXml(signed.toString('utf8')).getElementsByTagNameNS(NS.ds, 'Signature')[0] as unknown as Element;
    expect(sha256(excC14n(child(sig, NS.ds, 'SignedInfo')!)).equals(p.digest)).toBe(true);
  });

  it('state survives a process restart: prepared on one system, completed on a fresh one over the same database', async () => {
    const prepared = await env.xades.prepare(XML, { level: 'aslT', profile: 'P2' }, signer.der);
    const restarted = await openSystem(env.system.config);
    try {
      const signed = await xadesServiceOf(restarted.parts).complete(prepared.pendingId, signDigest(prepared.digest, signer.privateKey!));
      await env.xmlsec1(signed);
      expect((await env.xades.validate(signed)).signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', level: 'aslT', profile: 'P2' });
      // Consumed: a second completion finds nothing.
      await expect(xadesServiceOf(restarted.parts).complete(prepared.pendingId, Buffer.alloc(256))).rejects.toMatchObject({ code: 'ERR_XADES_PENDING_NOT_FOUND' });
    } finally {
      await restarted.close();
    }
  });

  it('refuses a wrong signature value (and keeps the pending state), a different document, a tampered state, unknown ids', async () => {
    const prepared = await env.xades.prepare(XML, {}, signer.der);
    const other = await env.subscriber('11111111110');
    await expect(env.xades.complete(prepared.pendingId, signDigest(prepared.digest, other.privateKey!))).rejects.toMatchObject({ code: 'ERR_XADES_SIGNATURE_VALUE' });
    await expect(env.xades.complete(prepared.pendingId, Buffer.from('garbage'))).rejects.toMatchObject({ code: 'ERR_XADES_SIGNATURE_VALUE' });
    expect(await env.xades.complete(prepared.pendingId, signDigest(prepared.digest, signer.privateKey!))).toBeInstanceOf(Buffer);

    const p = prepare(XML, {}, signer.der);
    const sv = signDigest(p.digest, signer.privateKey!);
    await expect(complete(p.state, sv, { document: Buffer.from('<kayit><ad>Başka</ad></kayit>') })).rejects.toMatchObject({ code: 'ERR_XADES_STATE' });
    await expect(complete({ ...p.state, signedInfo: p.state.signedInfo.replace('Reference', 'Referencf') }, sv, { document: XML })).rejects.toMatchObject({ code: 'ERR_XADES_STATE' });
    await expect(complete({ version: 2 } as never, sv, { document: XML })).rejects.toMatchObject({ code: 'ERR_XADES_STATE' });
    await expect(complete(prepare(XML, { level: 'T' }, signer.der).state, sv, { document: XML })).rejects.toMatchObject({ code: 'ERR_XADES_SIGNATURE_VALUE' });
    const t = prepare(XML, { level: 'T' }, signer.der);
    await expect(complete(t.state, signDigest(t.digest, signer.privateKey!), { document: XML })).rejects.toMatchObject({ code: 'ERR_XADES_OPTIONS' });
    for (const id of ['nope', '0'.repeat(32), "'; drop table xades_pending; --"]) {
      await expect(env.xades.complete(id, sv)).rejects.toMatchObject({ code: 'ERR_XADES_PENDING_NOT_FOUND' });
    }
  });

  it.each([
    ['small', 3],
    ['large enough to be hashed on another thread', 12_000],
  ])('recognises a %s document by the bytes around its canonical form: a change before, in or after it is refused', async (_, rows) => {
    const root = `<kayitlar xmlns="urn:imzala:bench">${'<kayit no="1">Çağrı</kayit>\n'.repeat(rows)}</kayitlar>`;
    const doc = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`);
    const p = prepare(doc, {}, signer.der);
    // The document's own hash is not in the state: the reference digest over the stretch stands for it.
    expect(p.state.document).toEqual({ size: doc.length, slice: { start: 39, end: doc.length - 1, sha256: sha256(root).toString('hex'), head: doc.toString('base64', 0, 39), tail: 'Cg==' } });
    const sv = signDigest(p.digest, signer.privateKey!);
    const changed = (at: number, byte: number) => Buffer.from(doc).fill(byte, at, at + 1);
    for (const other of [changed(31, 0x75), changed(doc.length >> 1, 0x32), changed(doc.length - 1, 0x20), doc.subarray(0, doc.length - 1), Buffer.concat([doc, Buffer.from(' ')])]) {
      await expect(complete(p.state, sv, { document: other })).rejects.toMatchObject({ code: 'ERR_XADES_STATE' });
    }
    // A wrong document is reported as such even when the signature value is wrong too.
    await expect(complete(p.state, Buffer.alloc(256), { document: changed(doc.length >> 1, 0x32) })).rejects.toMatchObject({ code: 'ERR_XADES_STATE' });
    const signed = await complete(p.state, sv, { document: doc });
    expect((await env.xades.validate(signed)).signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED' });
    if (rows < 100) await env.xmlsec1(signed);
  });

  it('completes a state that names the document by its whole SHA-256 (as states stored before did); refuses one that names it neither way', async () => {
    const p = prepare(XML, {}, signer.der);
    const sv = signDigest(p.digest, signer.privateKey!);
    const byHash = { ...p.state, document: { size: XML.length, sha256: sha256(XML).toString('hex') } };
    await env.xmlsec1(await complete(byHash, sv, { document: XML }));
    await expect(complete(byHash, sv, { document: Buffer.from('<kayit><ad>Tesu</ad></kayit>') })).rejects.toMatchObject({ code: 'ERR_XADES_STATE' });
    for (const document of [{ size: XML.length }, { size: 'x', sha256: '00' }, { size: XML.length, slice: { start: 0, end: 3 } }]) {
      await expect(complete({ ...p.state, document } as never, sv, { document: XML })).rejects.toMatchObject({ code: 'ERR_XADES_STATE' });
    }
  });

  it('expired pending entries are purged with their documents', async () => {
    const prepared = await env.xades.prepare(XML, {}, signer.der);
    expect(await env.xades.pending.purgeExpired(Date.now() + env.xades.pending.ttlMs + 1000)).toBeGreaterThanOrEqual(1);
    await expect(env.xades.complete(prepared.pendingId, signDigest(prepared.digest, signer.privateKey!))).rejects.toMatchObject({ code: 'ERR_XADES_PENDING_NOT_FOUND' });
  });

  it('writes SignedInfo and SignedProperties as the canonical form the DOM canonicaliser computes, in every mode and profile', async () => {
    const signed = await env.sign(Buffer.from('<a:kayit xmlns:a="urn:a" xmlns="urn:d"><ad x="1">Test</ad></a:kayit>'), {}, signer);
    const cases: [Buffer, XadesRequest][] = [
      [Buffer.from('<?xml version="1.0"?>\n<kayit xmlns="urn:x"><ad>Test</ad></kayit>'), {}],
      [XML, { mode: 'ENVELOPING' }],
      [Buffer.from('<ds:x xmlns:ds="http://www.w3.org/2000/09/xmldsig#" xmlns:b="urn:b"><b:y>&amp;</b:y></ds:x>'), { mode: 'ENVELOPING' }],
      [Buffer.from([0, 1, 2]), { mode: 'ENVELOPING', envelopingObjectMimeType: 'a/b; q="1&2" <x>\tz' }],
      [signed, { serialOrParallel: 'SERIAL', signaturePath: 'S0' }],
      ...(['P1', 'P2', 'P3', 'P4'] as const).map((profile): [Buffer, XadesRequest] => [XML, { profile }]),
    ];
    for (const [document, request] of cases) {
      const { state } = prepare(document, request, signer.der);
      const sig = parseXml(state.signatureXml).documentElement;
      expect(excC14n(child(sig, NS.ds, 'SignedInfo')!)).toBe(state.signedInfo);
      const qp = child(children(sig, NS.ds, 'Object').at(-1)!, NS.xades, 'QualifyingProperties')!;
      const spDigest = children(child(sig, NS.ds, 'SignedInfo')!, NS.ds, 'Reference').at(-1)!;
      expect(text(child(spDigest, NS.ds, 'DigestValue'))).toBe(sha256(excC14n(child(qp, NS.xades, 'SignedProperties')!)).toString('base64'));
    }
  });

  it('refuses an unreadable signer certificate', () => {
    expect(() => prepare(XML, {}, Buffer.from('not a certificate'))).toThrow(expect.objectContaining({ code: 'ERR_XADES_CERTIFICATE' }));
  });
});
