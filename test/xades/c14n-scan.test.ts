import { describe, expect, it } from 'vitest';
import { digestWithoutSignatures } from '../../src/esign/xades/c14n-scan.js';
import { documentWithoutSignatures } from '../../src/esign/xades/references.js';
import { decodeXml, parseXml, sha256 } from '../../src/esign/xades/xml.js';

const DS = 'http://www.w3.org/2000/09/xmldsig#';

/** The DOM canonicaliser's digest of the same node-set: the reference the scanner must agree with. */
function domDigest(xml: Buffer): string {
  return sha256(documentWithoutSignatures(parseXml(decodeXml(xml)))).toString('hex');
}

// Each of these the scanner handles itself; its digest must equal the DOM canonicaliser's.
const HANDLED: [string, string][] = [
  ['plain', '<a>text</a>'],
  ['declaration, BOM, prolog and epilog', '\uFEFF<?xml version="1.0" encoding="utf-8" standalone="yes"?>\n<!-- c -->\n<?p  data ?>\n<a/>\n<!-- d --><?q?>\n'],
  ['attribute order, quotes, white space', `<a  z='1'\tb = "2"\n y="x&quot;'y" >t</a  >`],
  ['attribute value normalisation', '<a v="l1\r\nl2\tx&#9;&#10;&#13;&lt;&amp;&gt;>&apos;"/>'],
  ['text escapes and references', '<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#38;&#60;&#62;&#13;&#x10FFFF; > ]] ] \r\n \r x</a>'],
  ['CDATA', '<a><![CDATA[<&>]]\r\n]]>x<![CDATA[]]></a>'],
  ['empty elements', '<a><b/><c x="1" /><d></d></a>'],
  ['default namespace rendered once', '<a xmlns="urn:a"><b xmlns="urn:a"><c/></b><d xmlns=""><e/></d></a>'],
  ['prefixes rendered where used', '<p:a xmlns:p="urn:p" xmlns:q="urn:q" xmlns:unused="urn:u"><q:b p:x="1" q:y="2" z="3"/><p:c xmlns:p="urn:p2"><p:d/></p:c></p:a>'],
  ['attribute sort by namespace URI', '<a xmlns:z="urn:a" xmlns:b="urn:z" b:k="1" z:k="2" k="0" xml:lang="tr"/>'],
  ['namespaces declared on the root for children', '<r xmlns:x="urn:x" xmlns="urn:d"><x:a><b/></x:a><x:c x:at="v"/></r>'],
  ['PIs and comments inside', '<a><?pi one two ?><!-- no --><?pi?><b>x</b></a>'],
  ['non-ASCII names and text', '<ödeme xmlns:ş="urn:ş" ş:tür="ç"><şirket>Çağrı Şükrü</şirket></ödeme>'],
  ['a signature is left out', `<a>x<ds:Signature xmlns:ds="${DS}" Id="s"><ds:SignedInfo/>in<b/></ds:Signature>y<c/></a>`],
  ['signatures deep and default-namespaced', `<a><b><Signature xmlns="${DS}"><x>y</x></Signature></b><c/><s:Signature xmlns:s="${DS}"/></a>`],
  ['an element called Signature in another namespace stays', '<a><Signature xmlns="urn:other">kept</Signature></a>'],
];

// Well-formed documents outside the scanner's subset: it gives up and the DOM path decides.
const DECLINED: [string, string][] = [
  ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'],
  ['an XML 1.1 declaration', '<?xml version="1.1"?><a/>'],
  ['a declared non-UTF-8 encoding', '<?xml version="1.0" encoding="ISO-8859-9"?><a/>'],
];

// Not well-formed: the scanner must never produce a digest for these.
const MALFORMED: string[] = [
  '<a>', '<a></b>', '<a><b></a></b>', '<a x="1" x="2"/>', '<a xmlns:p="urn:1" xmlns:q="urn:1" p:x="1" q:x="2"/>', '<a>]]></a>',
  '<a x="<"/>', '<a x=1/>', '<a>&unknown;</a>', '<a>&#0;</a>', '<a>\u0001</a>', '<a/><b/>', 'text<a/>', '<a/>text', '<p:a/>',
  '<a><!-- -- --></a>', '<a><!-- x ---></a>', '<?xml version="1.0"?><?xml version="1.0"?><a/>', '<a xmlns:p=""/>', '<a b="1"c="2"/>',
  '<1a/>', '<a:/>', '<a:b:c xmlns:a="urn:a"/>', '<a></a >x', '<a>\uFFFE</a>',
];

// With the native scanner (where built) and without it.
describe.each([true, false])('streaming canonicaliser (enveloped reference), native %s', (native) => {
  it.each(HANDLED)('agrees with the DOM canonicaliser: %s', (_, xml) => {
    const bytes = Buffer.from(xml, 'utf8');
    const scanned = digestWithoutSignatures(bytes, { native });
    expect(scanned).not.toBeNull();
    expect(scanned?.digest.toString('hex')).toBe(domDigest(bytes));
    expect(scanned?.rootIsSignature).toBe(false);
  });

  it.each(DECLINED)('gives up on %s', (_, xml) => {
    expect(digestWithoutSignatures(Buffer.from(xml, 'utf8'), { native })).toBeNull();
  });

  it.each(MALFORMED)('gives up on malformed %j', (xml) => {
    expect(digestWithoutSignatures(Buffer.from(xml, 'utf8'), { native })).toBeNull();
  });
});

describe('streaming canonicaliser (enveloped reference)', () => {

  it('reports a root that is itself a signature', () => {
    expect(digestWithoutSignatures(Buffer.from(`<ds:Signature xmlns:ds="${DS}"><ds:SignedInfo/></ds:Signature>`))?.rootIsSignature).toBe(true);
  });

  it('gives up on bytes that are not UTF-8', () => {
    expect(digestWithoutSignatures(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e]))).toBeNull();
    expect(digestWithoutSignatures(Buffer.from('\uFEFF<a/>', 'utf16le'))).toBeNull();
  });
});
