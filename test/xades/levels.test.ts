import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveTimestampDigest, signatureTimestampDigest, unsignedSignatureProperties } from '../../src/esign/xades/digests.js';
import type { XadesLevel } from '../../src/esign/xades/model.js';
import { allSignatures } from '../../src/esign/xades/paths.js';
import { NS, child, parseXml, text } from '../../src/esign/xades/xml.js';
import type { IssuedSubscriber } from '../../src/trust/service.js';
import { opensslTsVerify } from './tools.js';
import { xadesTestEnv, type XadesTestEnv } from './setup.js';

const XML = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<fatura xmlns="urn:imzala:test" no="42"><tutar para="TRY">1250.00</tutar><not>Çağrı &amp; Şükrü</not></fatura>\n');
const PDF = Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n', 'latin1');

let env: XadesTestEnv;
let signer: IssuedSubscriber;
beforeAll(async () => {
  env = await xadesTestEnv();
  signer = await env.subscriber();
});
afterAll(() => env.cleanup());

const LEVELS: XadesLevel[] = ['aslBES', 'aslT', 'aslXL', 'aslA'];

describe('levels × modes', () => {
  for (const level of LEVELS) {
    for (const [mode, doc] of [['ENVELOPED', XML], ['ENVELOPING', XML], ['ENVELOPING', PDF]] as const) {
      it(`${level} ${mode} ${doc === PDF ? 'binary' : 'xml'}: xmlsec1 and our validator accept it`, async () => {
        const signed = await env.sign(doc, { level, mode }, signer);
        await env.xmlsec1(signed);
        const report = await env.xades.validate(signed);
        expect(report.signatures.map((s) => [s.path, s.level, s.indication, s.errors])).toEqual([['S0', level, 'TOTAL_PASSED', []]]);
        expect(report.summary).toBe('ALL_VALID');
        const s = report.signatures[0]!;
        expect(s.signer?.citizenshipNo).toBe('10000000146');
        expect(s.chain.status).toBe('VALID');
        expect(s.revocation.status).toBe('GOOD');
        expect(s.revocation.embedded).toBe(level === 'aslXL' || level === 'aslA');
        expect(s.profile).toBe('P1');
        if (level !== 'aslBES') {
          // The signature time-stamp passes openssl ts -verify over the canonical SignatureValue digest.
          const sig = allSignatures(parseXml(signed.toString('utf8')))[0]!.element;
          const token = Buffer.from(text(child(unsignedSignatureProperties(sig)!, NS.xades, 'SignatureTimeStamp')!.getElementsByTagNameNS(NS.xades, 'EncapsulatedTimeStamp')[0] as unknown as Element)!, 'base64');
          const r = await opensslTsVerify(token, signatureTimestampDigest(sig), env.rootPem, (await env.trust.tsaCertificate()).toString('pem'));
          expect(r.out).toContain('Verification: OK');
          if (level === 'aslA') {
            const doc = parseXml(signed.toString('utf8'));
            const signature = allSignatures(doc)[0]!.element;
            const ats = unsignedSignatureProperties(signature)!.getElementsByTagNameNS(NS.xades141, 'ArchiveTimeStamp')[0] as unknown as Element;
            const atsToken = Buffer.from(text(ats.getElementsByTagNameNS(NS.xades, 'EncapsulatedTimeStamp')[0] as unknown as Element)!, 'base64');
            const a = await opensslTsVerify(atsToken, archiveTimestampDigest(signature, doc, undefined, ats), env.rootPem, (await env.trust.tsaCertificate()).toString('pem'));
            expect(a.out).toContain('Verification: OK');
          }
        }
      });
    }
  }
});

describe('awkward XML', () => {
  const DOCS: Record<string, string> = {
    'CR/LF, TAB and CR character references, CDATA': '<?xml version="1.0"?>\r\n<a xmlns="urn:a"\r\n   b="x\ty&#9;z&#13;&#10;w">line1\r\nline2 &#13; &#x9; <![CDATA[ <cdata> & ]]></a>\r\n',
    'xmlns="" on a prefixed element, unused and nested declarations, xml:lang': '<p:a xmlns:p="urn:p" xmlns:unused="urn:u" xmlns:q="urn:q" xml:lang="tr"><p:b q:c="1" a="2" xmlns=""><c/></p:b><!-- c --><?pi data?></p:a>',
    'PIs and comments around the root, escaped characters': '<?xml-stylesheet type="text/xsl" href="x.xsl"?>\n<!-- before -->\n<a>&lt;&gt;&amp;&quot;&apos; "q" \'s\'</a>\n<!-- after -->\n<?after pi?>',
    'a DOCTYPE with a defaulted attribute': '<!DOCTYPE a [<!ATTLIST a d CDATA "def">]><a x="1"/>',
  };
  for (const [what, text] of Object.entries(DOCS)) {
    it(`${what}: enveloped, parallel and serial signatures verify with xmlsec1`, async () => {
      let signed = await env.sign(Buffer.from(text), { level: 'aslT' }, signer);
      signed = await env.sign(signed, {}, signer);
      signed = await env.sign(signed, { serialOrParallel: 'SERIAL', signaturePath: 'S1' }, signer);
      await env.xmlsec1(signed);
      expect((await env.xades.validate(signed)).summary).toBe('ALL_VALID');
    });
  }
});

