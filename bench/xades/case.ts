// One measurement in a fresh process: `case.ts <floor|imzala|xadesjs> <xml|binary> <MB>`. Prints one JSON line
// {ms, medianMs, peakBytes, docBytes, outBytes}: the first run on the real document, then the median of five more
// (imzala and the floor). Each signer runs three times on a small document first (JIT, lazy imports),
// then on the real one. Three, not one: V8 collects type feedback only once a function has run a while, so code
// run once per document (the root element, the end) has none after one warm-up; the measured run then throws the
// optimised canonicaliser away at its root and spends its first megabytes unoptimised, waiting for a recompile. Peak = highest RSS a sampler thread saw while building the document and signing it, minus the
// RSS just before: the document itself counts (1×).
import 'reflect-metadata';
import { createHash, KeyObject, sign, webcrypto } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import * as x509 from '@peculiar/x509';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { complete } from '../../src/esign/xades/complete.js';
import { signDigest } from '../../src/esign/xades/local-signer.js';
import { prepare } from '../../src/esign/xades/prepare.js';
import { median } from '../median.js';

const [what, kind, mb] = process.argv.slice(2) as ['floor' | 'imzala' | 'xadesjs', 'xml' | 'binary', string];
const size = Math.round(Number(mb) * 1024 * 1024);
const REPEATS = 5;

const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
x509.cryptoProvider.set(webcrypto as Crypto);
const cert = await x509.X509CertificateGenerator.createSelfSigned({
  serialNumber: '01', name: 'CN=Bench, C=TR', notBefore: new Date(), notAfter: new Date(Date.now() + 86_400_000), keys, signingAlgorithm: alg,
});
const certDer = Buffer.from(cert.rawData);
const privateKey = KeyObject.from(keys.privateKey);

/** An XML document of `bytes` bytes (rows of mixed content) or random-ish bytes, built straight into a Buffer. */
function makeDocument(size: number): Buffer {
  const doc = Buffer.allocUnsafe(size);
  if (kind === 'binary') {
    for (let i = 0; i < size; i += 4) doc.writeUInt32LE((i * 2654435761) >>> 0, Math.min(i, size - 4));
    return doc;
  }
  const head = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<kayitlar xmlns="urn:imzala:bench">');
  const tail = Buffer.from('</kayitlar>');
  const row = Buffer.from('<kayit no="1" tur="fatura"><ad>Çağrı Şükrü</ad><tutar para="TRY">1250.00</tutar></kayit>\n');
  head.copy(doc, 0);
  let at = head.length;
  while (at + row.length <= size - tail.length) at += row.copy(doc, at);
  doc.fill(0x20, at, size - tail.length);
  tail.copy(doc, size - tail.length);
  return doc;
}

const xadesjs = await import('xadesjs');
xadesjs.Application.setEngine('NodeJS', webcrypto as unknown as Crypto);
xadesjs.setNodeDependencies({ DOMParser, XMLSerializer });

async function xadesjsSign(doc: Buffer): Promise<number> {
  const signedXml = new xadesjs.SignedXml();
  const certB64 = certDer.toString('base64');
  if (kind === 'xml') {
    const xml = xadesjs.Parse(doc.toString('utf8'));
    await signedXml.Sign({ name: 'RSASSA-PKCS1-v1_5' }, keys.privateKey, xml, {
      references: [{ hash: 'SHA-256', transforms: ['enveloped'] }], signingCertificateV2: certB64, x509: [certB64],
    });
    xml.documentElement.appendChild(signedXml.GetXml()!);
    return Buffer.from(new XMLSerializer().serializeToString(xml as never)).length;
  }
  // Binary content: xadesjs digests the bytes it is handed (a detached-style reference, no ds:Object).
  await signedXml.Sign({ name: 'RSASSA-PKCS1-v1_5' }, keys.privateKey, new Uint8Array(doc), {
    references: [{ hash: 'SHA-256', uri: 'document' }], signingCertificateV2: certB64, x509: [certB64],
  });
  return signedXml.toString().length;
}

async function run(doc: Buffer): Promise<number> {
  if (what === 'floor') return sign('sha256', createHash('sha256').update(doc).digest(), privateKey).length;
  if (what === 'imzala') {
    const p = prepare(doc, { mode: kind === 'xml' ? 'ENVELOPED' : 'ENVELOPING', envelopingObjectMimeType: 'application/octet-stream' }, certDer);
    return (await complete(p.state, signDigest(p.digest, privateKey), { document: doc })).length;
  }
  return xadesjsSign(doc);
}

/** Samples process RSS every 2 ms from another thread (the signing thread is busy and cannot). */
function rssSampler(): { stop(): Promise<number> } {
  const shared = new BigInt64Array(new SharedArrayBuffer(16));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const a = workerData; const sleep = new Int32Array(new SharedArrayBuffer(4));
     while (Atomics.load(a, 1) === 0n) {
       const r = BigInt(process.memoryUsage.rss());
       if (r > a[0]) a[0] = r;
       Atomics.wait(sleep, 0, 0, 2);
     }`,
    { eval: true, workerData: shared },
  );
  return {
    async stop() {
      Atomics.store(shared, 1, 1n);
      await worker.terminate();
      return Number(shared[0]);
    },
  };
}

for (let i = 0; i < 3; i++) await run(makeDocument(64 * 1024));
global.gc?.();
const sampler = rssSampler();
await new Promise((r) => setTimeout(r, 20));
const before = process.memoryUsage.rss();
const doc = makeDocument(size);
const t0 = performance.now();
const outBytes = await run(doc);
const ms = performance.now() - t0;
const peakBytes = Math.max(0, (await sampler.stop()) - before);
// Then the same document again (not xadesjs: a 50 MB run takes over a minute): the median of these is the
// steady cost of a signing service that has signed a document of this size before, the first run's includes
// compiling the code paths only a large document takes.
const times: number[] = [];
for (let i = 0; i < (what === 'xadesjs' ? 0 : REPEATS); i++) {
  const t = performance.now();
  await run(doc);
  times.push(performance.now() - t);
}
const medianMs = times.length > 0 ? median(times) : ms;
process.stdout.write(`${JSON.stringify({ ms, medianMs, peakBytes, docBytes: doc.length, outBytes })}\n`);
