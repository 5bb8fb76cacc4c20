import { createHash } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { fileAbove } from '../../src/platform/file-above.js';
import { encodeBase64Into, nativeAddon, sha256Meanwhile } from '../../src/esign/xades/native.js';
import { digestWithoutSignatures } from '../../src/esign/xades/c14n-scan.js';
import { documentWithoutSignatures } from '../../src/esign/xades/references.js';
import { decodeXml, parseXml, sha256 } from '../../src/esign/xades/xml.js';
import { xmlsec1DocumentDigest } from './tools.js';

const DS = 'http://www.w3.org/2000/09/xmldsig#';

function domDigest(xml: Buffer): string {
  return sha256(documentWithoutSignatures(parseXml(decodeXml(xml)))).toString('hex');
}

/** Both scanners' answers, which must be the same: null, or the digest and the slice. */
function bothScanners(xml: Buffer): { digest: string; slice: unknown } | null {
  const results = [digestWithoutSignatures(xml), digestWithoutSignatures(xml, { native: false })].map((r) => (r === null ? null : { digest: r.digest.toString('hex'), slice: r.slice }));
  expect(results[0]).toEqual(results[1]);
  return results[0] ?? null;
}

/** A small deterministic generator (xorshift32), so a failure names the seed that reproduces it. */
function random(seed: number): { below(n: number): number; pick<T>(xs: readonly T[]): T; chance(p: number): boolean } {
  let x = seed || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  return { below: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] as never, chance: (p) => next() < p };
}

/**
 * Elements mixing what the native scanner passes over (unprefixed and rendered-prefix elements, ordered
 * attributes, plain text and &amp; &lt; &gt;) with what it leaves to JavaScript (namespace declarations, prefixed
 * attributes, attributes out of order or single-quoted, empty-element tags, references, CR, `>`, comments, PIs,
 * CDATA, non-ASCII names, signatures), at every depth.
 */
function generated(seed: number, elements: number): Buffer {
  const r = random(seed);
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n', '<p:kök xmlns:p="urn:p" xmlns="urn:d" xmlns:q="urn:q">'];
  const open: string[] = ['p:kök'];
  const texts = ['metin', ' a &amp; b ', '&lt;x&gt;', 'Çağrı Şükrü', ' ] ', 'a > b', 'r\r\nn', '&#65;&#x42;', '&quot;', '\t\n'];
  const values = ['1', 'fatura', 'a &amp; b', 'x > y', 'ş', 'tab\there', '&#xA;', ''];
  for (let e = 0; e < elements; e++) {
    if (open.length > 1 && r.chance(0.35)) {
      out.push(`</${open.pop()}${r.chance(0.05) ? ' ' : ''}>`);
      continue;
    }
    if (r.chance(0.3)) out.push(r.pick(texts));
    if (r.chance(0.04)) out.push(r.pick(['<!-- yorum -->', '<?işle veri ?>', '<![CDATA[<ham & veri>]]>']));
    if (r.chance(0.02)) out.push(`<ds:Signature xmlns:ds="${DS}"><ds:SignedInfo>imza</ds:SignedInfo></ds:Signature>`);
    const name = r.pick(['a', 'b', 'kayit', 'p:x', 'q:y', 'satır', 'Signature', 'r:z']);
    const decl = name.startsWith('r:') ? ' xmlns:r="urn:r"' : r.chance(0.05) ? r.pick([' xmlns="urn:d"', ' xmlns="urn:e"', ' xmlns:q="urn:q2"', ' xmlns=""']) : '';
    const names = [...new Set(Array.from({ length: r.below(3) }, () => r.pick(['id', 'no', 'tur', 'z', 'q:n'])))];
    if (r.chance(0.8)) names.sort();
    const attrs = names.map((n) => (r.chance(0.05) ? ` ${n}='${r.pick(values)}'` : ` ${n}="${r.pick(values)}"`)).join('');
    if (r.chance(0.1)) out.push(`<${name}${decl}${attrs}/>`);
    else {
      out.push(`<${name}${decl}${attrs}>`);
      open.push(name);
    }
  }
  while (open.length > 0) out.push(`</${open.pop()}>`);
  out.push('\n');
  return Buffer.from(out.join(''), 'utf8');
}

describe('the native canonical-run scanner', () => {
  it('is built by npm ci and loaded', () => {
    expect(nativeAddon, 'build/Release/xades.node is missing: npm ci (scripts/build-native.mjs) builds it').not.toBeNull();
  });

  it('refuses wrong arguments with a TypeError, not a crash', () => {
    const native = nativeAddon!;
    expect(() => native.scanCanonicalRun(Buffer.from('<a/>'), new Int32Array(2), new Int32Array(3), Buffer.alloc(0))).toThrow(TypeError);
    expect(() => native.scanCanonicalRun('<a/>' as never, new Int32Array(4), new Int32Array(3), Buffer.alloc(0))).toThrow(TypeError);
    expect(() => native.scanCanonicalRun(Buffer.from('<a/>'), Int32Array.of(9, 0, 0, 1), new Int32Array(3), Buffer.alloc(0))).toThrow(RangeError);
    expect(() => native.finishSha256({} as never, false)).toThrow(TypeError);
  });

  it.each(Array.from({ length: 60 }, (_, i) => i + 1))('agrees with the JavaScript scanner and the DOM on generated document %i', (seed) => {
    const xml = generated(seed, 300);
    const scanned = bothScanners(xml);
    expect(scanned).not.toBeNull();
    expect(scanned?.digest).toBe(domDigest(xml));
  });

  it('agrees with the JavaScript scanner on every damaged copy of a generated document', () => {
    const xml = generated(7, 200);
    const r = random(99);
    let declined = 0;
    for (let k = 0; k < 400; k++) {
      const damaged = Buffer.from(xml);
      const at = r.below(damaged.length);
      if (k % 4 === 0) damaged[at] = r.pick([0x3c, 0x3e, 0x26, 0x22, 0x27, 0x2f, 0x3d, 0x20, 0x0d, 0x3a, 0x00, 0xef]);
      else if (k % 4 === 1) damaged[at] = r.below(256);
      const copy = k % 4 === 2 ? damaged.subarray(0, at) : k % 4 === 3 ? Buffer.concat([damaged.subarray(0, at), damaged.subarray(at + 1)]) : damaged;
      const scanned = bothScanners(copy);
      if (scanned === null) declined++;
      else if (k % 8 === 0) expect(scanned.digest).toBe(domDigest(copy));
    }
    // Most damage makes the document malformed; both scanners must have seen that.
    expect(declined).toBeGreaterThan(100);
  });

  it('keeps track of elements nested deeper than its first name table', () => {
    const deep = Buffer.from(`<r>${'<a x="1">'.repeat(700)}t${'</a>'.repeat(700)}</r>`);
    expect(bothScanners(deep)?.digest).toBe(domDigest(deep));
  });
});

describe('the canonical form as one stretch of the document', () => {
  const rows = (n: number, row = '<kayit no="1" tur="fatura"><ad>Çağrı Şükrü</ad><tutar para="TRY">1250.00</tutar></kayit>\n') => row.repeat(n);

  it('is found when c14n leaves the root element as written; its digest is xmlsec1\'s, computed on another thread', async () => {
    const root = `<kayitlar xmlns="urn:imzala:bench">${rows(4000)}</kayitlar>`;
    const xml = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`);
    expect(root.length).toBeGreaterThan(256 * 1024);
    const scanned = bothScanners(xml);
    expect(scanned?.slice).toEqual({ start: 39, end: 39 + Buffer.byteLength(root) });
    expect(scanned?.digest).toBe(createHash('sha256').update(root).digest('hex'));
    expect(Buffer.from(scanned!.digest, 'hex').toString('base64')).toBe(await xmlsec1DocumentDigest(xml));
  });

  it.each([
    ['an empty-element tag just before the end', `<r>${rows(4000)}<e/></r>`],
    ['an attribute out of order at the start', `<r b="1" a="2">${rows(4000)}</r>`],
    ['a comment in the middle', `<r>${rows(2000)}<!-- c -->${rows(2000)}</r>`],
    ['a signature left out', `<r>${rows(2000)}<ds:Signature xmlns:ds="${DS}"/>${rows(2000)}</r>`],
  ])('is not claimed with %s, and the digest is still right', (_, xml) => {
    const bytes = Buffer.from(xml);
    const scanned = bothScanners(bytes);
    expect(scanned?.slice).toBeNull();
    expect(scanned?.digest).toBe(domDigest(bytes));
  });

  it('is found without the trailing comment the speculative hash took in; a malformed end is declined', () => {
    const root = `<r>${rows(4000)}</r>`;
    const xml = Buffer.from(`${root}<!-- epilog -->\n`);
    const scanned = bothScanners(xml);
    expect(scanned?.slice).toEqual({ start: 0, end: Buffer.byteLength(root) });
    expect(scanned?.digest).toBe(domDigest(xml));
    expect(bothScanners(Buffer.from(`<r>${rows(4000)}</x>`))).toBeNull();
    expect(bothScanners(Buffer.from(`<r>${rows(4000)}`))).toBeNull();
  });
});

describe('SHA-256 meanwhile', () => {
  it('equals node:crypto on either side of the thread threshold, and may be cancelled', () => {
    for (const size of [0, 1000, 256 * 1024 - 1, 256 * 1024, 3 * 1024 * 1024 + 7]) {
      const bytes = Buffer.alloc(size, size % 251);
      expect(sha256Meanwhile(bytes).digest().toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    const pending = sha256Meanwhile(Buffer.alloc(8 * 1024 * 1024));
    pending.cancel();
    pending.cancel();
    expect(() => pending.digest()).toThrow(/cancelled/);
  });
});

describe('the hashing thread', () => {
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  it('takes several jobs at once and answers each, in any order, cancelled ones too', () => {
    const buffers = [1, 2, 3, 4].map((k) => Buffer.alloc(k * 300_000, k));
    const pending = buffers.map((b) => sha256Meanwhile(b));
    pending[1]?.cancel();
    expect(pending[3]?.digest().toString('hex')).toBe(sha(buffers[3]!));
    expect(pending[0]?.digest().toString('hex')).toBe(sha(buffers[0]!));
    expect(() => pending[1]?.digest()).toThrow(/cancelled/);
    expect(pending[2]?.digest().toString('hex')).toBe(sha(buffers[2]!));
  });

  it('is shared by worker threads that load the addon at the same time', async () => {
    const addon = fileAbove(process.cwd(), path.join('build', 'Release', 'xades.node'));
    expect(addon).not.toBeNull();
    const code = `const { parentPort, workerData } = require('node:worker_threads');
      const n = require(workerData.addon);
      const jobs = [1, 2, 3].map((k) => n.startSha256(Buffer.alloc(k * 400000, workerData.fill)));
      parentPort.postMessage(jobs.map((j) => n.finishSha256(j, false).toString('hex')));`;
    const run = (fill: number) =>
      new Promise<string[]>((resolve, reject) => {
        const worker = new Worker(code, { eval: true, workerData: { addon, fill } });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const answers = await Promise.all([run(5), run(6), run(7)]);
    answers.forEach((digests, w) => expect(digests).toEqual([1, 2, 3].map((k) => sha(Buffer.alloc(k * 400000, w + 5)))));
  });
});

describe('base64 into a buffer', () => {
  it.each([true, false])('writes what Buffer#toString writes, padding included (native %s)', (native) => {
    const r = random(5);
    for (const size of [0, 1, 2, 3, 4, 5, 6, 7, 100_000, 100_001, 100_002, 3 * 16 * 1024 + 1]) {
      const source = Buffer.from(Array.from({ length: size }, () => r.below(256)));
      const target = Buffer.alloc(3 + 4 * Math.ceil(size / 3) + 2, 0x2a);
      expect(encodeBase64Into(source, target, 3, native ? nativeAddon : null)).toBe(4 * Math.ceil(size / 3));
      expect(target.toString('latin1')).toBe(`***${source.toString('base64')}**`);
    }
  });

  it('refuses a target without room, and a negative offset', () => {
    expect(() => encodeBase64Into(Buffer.alloc(3), Buffer.alloc(3), 0)).toThrow(RangeError);
    expect(() => encodeBase64Into(Buffer.alloc(3), Buffer.alloc(8), 5)).toThrow(RangeError);
    expect(() => encodeBase64Into(Buffer.alloc(3), Buffer.alloc(8), -1)).toThrow(RangeError);
  });
});
