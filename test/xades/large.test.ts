import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestWithoutSignatures } from '../../src/esign/xades/c14n-scan.js';
import { allSignatures } from '../../src/esign/xades/paths.js';
import { NS, child, parseXml, text } from '../../src/esign/xades/xml.js';
import type { IssuedSubscriber } from '../../src/trust/service.js';
import { xadesTestEnv, type XadesTestEnv } from './setup.js';
import { xmlsec1DocumentDigest } from './tools.js';

/**
 * A document with what exclusive c14n rewrites in every row: namespace declarations (used, unused, redeclared,
 * the default one undeclared), attributes out of order, single quotes, white space and references in attribute
 * values, comments, PIs, CDATA, empty elements, CR LF line ends, `>` in text; a BOM and a prolog and epilog.
 */
function rowsDocument(rows: number): Buffer {
  const parts = [
    '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- prolog comment -->\n<?bench start?>\n',
    '<k:kayitlar xmlns:k="urn:imzala:kayit" xmlns="urn:imzala:varsayilan" xmlns:unused="urn:imzala:kullanilmayan" xmlns:m="urn:imzala:meta">\n',
  ];
  for (let i = 0; i < rows; i++) {
    parts.push(
      `<k:kayit  tur='fatura' no="${i}"\tm:sira="${i % 7}" xml:lang="tr">\r\n`,
      `  <ad soyad="Şükrü &amp; oğlu" ad='Çağrı "Ç"' bos=""/><!-- satır ${i} -->\n`,
      `  <m:tutar xmlns:m="urn:imzala:meta2" para="TRY" m:kur="1&#x2E;0">1250.${i % 100} &gt; 1000 > 999</m:tutar>\n`,
      `  <not xmlns="">satır&#10;${i}<![CDATA[<b>&ham</b>]]><?isle veri ${i}?></not>\n`,
      `  <k:ic xmlns:k="urn:imzala:kayit"><k:derin p:x="1" xmlns:p="urn:imzala:p" a="2"><bos /></k:derin></k:ic>\n`,
      '</k:kayit>\n',
    );
  }
  parts.push('</k:kayitlar>\n<!-- epilog -->\n');
  return Buffer.from(parts.join(''), 'utf8');
}

/** DigestValue of each signature's URI="" reference. */
function documentDigests(signed: Buffer): string[] {
  return allSignatures(parseXml(signed.toString('utf8'))).map(({ element }) => {
    const ref = (child(element, NS.ds, 'SignedInfo') as Element).getElementsByTagNameNS(NS.ds, 'Reference').item(0) as Element;
    expect(ref.getAttribute('URI')).toBe('');
    return text(child(ref, NS.ds, 'DigestValue')) ?? '';
  });
}

let env: XadesTestEnv;
let ayse: IssuedSubscriber;
let mehmet: IssuedSubscriber;
beforeAll(async () => {
  env = await xadesTestEnv();
  ayse = await env.subscriber('10000000146');
  mehmet = await env.subscriber('11111111110');
});
afterAll(() => env.cleanup());

describe('large enveloped documents (the streaming canonicaliser)', () => {
  const signTwice = async (document: Buffer): Promise<Buffer> => {
    // The streaming canonicaliser, not the DOM fallback, handles it, before and after the first signature.
    expect(digestWithoutSignatures(document)).not.toBeNull();
    const once = await env.sign(document, {}, ayse);
    expect(digestWithoutSignatures(once)).not.toBeNull();
    return env.sign(once, { serialOrParallel: 'PARALLEL' }, mehmet);
  };

  it('xmlsec1 verifies both PARALLEL signatures of a small one', async () => {
    // xmlsec1's XPath filter transform is superlinear (1.3 s at 160 kB, 7 s at 320 kB): full verification stays small.
    await env.xmlsec1(await signTwice(rowsDocument(40)));
  });

  it('signs a multi-megabyte one twice; xmlsec1 computes the same document digest and our validator (over the DOM) accepts both', async () => {
    const document = rowsDocument(8000);
    expect(document.length).toBeGreaterThan(3 * 1024 * 1024);
    const signed = await signTwice(document);
    const digest = await xmlsec1DocumentDigest(document);
    expect(documentDigests(signed)).toEqual([digest, digest]);
    const report = await env.xades.validate(signed);
    expect(report.signatures.map((s) => [s.path, s.indication, s.checks.references, s.errors])).toEqual([
      ['S0', 'TOTAL_PASSED', true, []],
      ['S1', 'TOTAL_PASSED', true, []],
    ]);
    // One changed character deep inside breaks both.
    const tampered = Buffer.from(signed);
    tampered[signed.indexOf('1250.42')] = 0x39;
    const broken = await env.xades.validate(tampered);
    expect(broken.signatures.map((s) => [s.path, s.checks.references])).toEqual([
      ['S0', false],
      ['S1', false],
    ]);
  }, 120_000);
});
