import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IssuedSubscriber } from '../../src/trust/service.js';
import { xadesTestEnv, type XadesTestEnv } from './setup.js';

const XML = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment --><d:dilekce xmlns:d="urn:imzala:dilekce"><d:konu>İzin</d:konu>\n  <d:gun>3</d:gun></d:dilekce>');

let env: XadesTestEnv;
let ayse: IssuedSubscriber;
let mehmet: IssuedSubscriber;
beforeAll(async () => {
  env = await xadesTestEnv();
  ayse = await env.subscriber('10000000146');
  mehmet = await env.subscriber('11111111110');
});
afterAll(() => env.cleanup());

describe('parallel and serial signatures', () => {
  it('builds S0, S1, S0:S0, S0:S0:S0, S0:S1 and S1:S0 that all stay valid', async () => {
    let doc = await env.sign(XML, { level: 'aslA' }, ayse); // S0
    doc = await env.sign(doc, { serialOrParallel: 'PARALLEL', level: 'aslT' }, mehmet); // S1
    doc = await env.sign(doc, { serialOrParallel: 'SERIAL', signaturePath: 'S0', profile: 'P4' }, mehmet); // S0:S0
    doc = await env.sign(doc, { serialOrParallel: 'SERIAL', signaturePath: 'S0:S0' }, ayse); // S0:S0:S0
    doc = await env.sign(doc, { serialOrParallel: 'SERIAL', signaturePath: 'S0', level: 'aslT' }, ayse); // S0:S1
    doc = await env.sign(doc, { serialOrParallel: 'SERIAL', signaturePath: 'S1', profile: 'P3' }, ayse); // S1:S0
    await env.xmlsec1(doc);
    const report = await env.xades.validate(doc);
    expect(report.signatures.map((s) => [s.path, s.indication, s.level, s.profile, s.counterSignatures])).toEqual([
      ['S0', 'TOTAL_PASSED', 'aslA', 'P1', ['S0:S0', 'S0:S1']],
      ['S0:S0', 'TOTAL_PASSED', 'aslXL', 'P4', ['S0:S0:S0']],
      ['S0:S0:S0', 'TOTAL_PASSED', 'aslBES', 'P1', []],
      ['S0:S1', 'TOTAL_PASSED', 'aslT', 'P1', []],
      ['S1', 'TOTAL_PASSED', 'aslT', 'P1', ['S1:S0']],
      ['S1:S0', 'TOTAL_PASSED', 'aslXL', 'P3', []],
    ]);
    expect(report.summary).toBe('ALL_VALID');
    expect(report.signatureList[1]).toEqual({
      entityLabel: 'S0:S0', level: 'aslXL', subjectRDN: expect.stringContaining('CN=Ayşe Yılmaz'), timestamped: true,
      claimedSigningTime: expect.any(String), citizenshipNo: '11111111110',
    });
    // The document content is untouched, comments and all.
    expect(doc.toString('utf8')).toContain('<!-- a comment --><d:dilekce xmlns:d="urn:imzala:dilekce"><d:konu>İzin</d:konu>\n  <d:gun>3</d:gun>');
  });

  it('counter-signs an ENVELOPING signature', async () => {
    let doc = await env.sign(Buffer.from('any bytes at all'), { mode: 'ENVELOPING', envelopingObjectMimeType: 'text/plain' }, ayse);
    doc = await env.sign(doc, { serialOrParallel: 'SERIAL', signaturePath: 'S0', level: 'aslXL' }, mehmet);
    await env.xmlsec1(doc);
    const report = await env.xades.validate(doc);
    expect(report.signatures.map((s) => [s.path, s.indication, s.level])).toEqual([
      ['S0', 'TOTAL_PASSED', 'aslBES'],
      ['S0:S0', 'TOTAL_PASSED', 'aslXL'],
    ]);
  });

  it('refuses bad and missing paths clearly', async () => {
    const doc = await env.sign(XML, {}, ayse);
    const attempt = (request: object, document = doc) => env.xades.prepare(document, request, mehmet.der);
    await expect(attempt({ serialOrParallel: 'SERIAL' })).rejects.toMatchObject({ code: 'ERR_XADES_PATH', message: expect.stringMatching(/needs signaturePath/) });
    await expect(attempt({ serialOrParallel: 'SERIAL', signaturePath: 'S1' })).rejects.toMatchObject({ code: 'ERR_XADES_PATH', message: expect.stringMatching(/no signature S1/) });
    await expect(attempt({ serialOrParallel: 'SERIAL', signaturePath: 'S0:S0' })).rejects.toMatchObject({ code: 'ERR_XADES_PATH', message: expect.stringMatching(/no signature S0:S0/) });
    for (const bad of ['s0', 'S', 'S0:', 'X0', 'S0::S1', '../S0']) {
      await expect(attempt({ serialOrParallel: 'SERIAL', signaturePath: bad })).rejects.toMatchObject({ code: 'ERR_XADES_PATH', message: expect.stringMatching(/malformed/) });
    }
    await expect(attempt({ serialOrParallel: 'SERIAL', signaturePath: 'S0' }, XML)).rejects.toMatchObject({ code: 'ERR_XADES_PATH' });
    await expect(attempt({ signaturePath: 'S0' })).rejects.toMatchObject({ code: 'ERR_XADES_OPTIONS' });
    await expect(attempt({}, Buffer.from('not xml'))).rejects.toMatchObject({ code: 'ERR_XADES_DOCUMENT' });
    await expect(attempt({}, Buffer.from('<a><b></a>'))).rejects.toMatchObject({ code: 'ERR_XADES_DOCUMENT' });
    await expect(attempt({}, Buffer.from('<?xml version="1.0" encoding="ISO-8859-9"?><a>\xfe</a>', 'latin1'))).rejects.toMatchObject({ code: 'ERR_XADES_DOCUMENT', message: expect.stringMatching(/only UTF-8/) });
    await expect(attempt({}, Buffer.from('\ufeff<a/>', 'utf16le'))).rejects.toMatchObject({ code: 'ERR_XADES_DOCUMENT', message: expect.stringMatching(/UTF-16/) });
    const enveloping = await env.sign(XML, { mode: 'ENVELOPING' }, ayse);
    await expect(attempt({ mode: 'ENVELOPING' }, enveloping)).rejects.toMatchObject({ code: 'ERR_XADES_DOCUMENT', message: expect.stringMatching(/SERIAL/) });
    await expect(attempt({}, enveloping)).rejects.toMatchObject({ code: 'ERR_XADES_DOCUMENT' });
  });
});
