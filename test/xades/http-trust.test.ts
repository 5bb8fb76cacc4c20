import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/app.js';
import { complete } from '../../src/esign/xades/complete.js';
import { httpTrust } from '../../src/esign/xades/http-trust.js';
import { signDigest } from '../../src/esign/xades/local-signer.js';
import { prepare } from '../../src/esign/xades/prepare.js';
import type { XadesTrust } from '../../src/esign/xades/trust.js';
import { validateXades } from '../../src/esign/xades/validate.js';
import { trustServiceOf } from '../../src/trust/part.js';
import { testSystem } from '../helpers/platform.js';
import { xmlsec1VerifyAll } from './tools.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

let system: Awaited<ReturnType<typeof testSystem>>;
let app: Awaited<ReturnType<typeof buildServer>>;
let trust: XadesTrust;
let rootPem: string;
let caPems: string[];
beforeAll(async () => {
  const port = await freePort();
  // The certificates' OCSP and CRL addresses then point at this very server.
  system = await testSystem({ IMZALA_PUBLIC_URL: `http://127.0.0.1:${port}` });
  app = await buildServer(system);
  await app.listen({ port, host: '127.0.0.1' });
  const service = trustServiceOf(system.parts);
  rootPem = (await service.rootCertificate()).toString('pem');
  caPems = await Promise.all((await service.caNames()).filter((n) => n !== 'root').map(async (n) => (await service.caCertificate(n)).toString('pem')));
  trust = httpTrust({ tsaUrl: `http://127.0.0.1:${port}/tsa`, roots: [rootPem], caCertificates: caPems });
});
afterAll(async () => {
  await app.close();
  await system.cleanup();
});

describe('trust services over HTTP (a remote TSA and OCSP are configuration)', () => {
  for (const profile of ['P3', 'P4'] as const) {
    it(`signs ${profile} at aslA through the network and validates with live and embedded data`, async () => {
      const signer = await trustServiceOf(system.parts).issueSubscriber({ tckn: '10000000146', givenName: 'Uzak', surname: 'İmzacı', operator: 'VODAFONE' });
      const doc = Buffer.from('<uzak>belge</uzak>');
      const p = prepare(doc, { profile, level: 'aslA' }, signer.der);
      const signed = await complete(p.state, signDigest(p.digest, signer.privateKey!), { document: doc, trust });
      const results = await xmlsec1VerifyAll(signed, rootPem, caPems);
      expect(results.map((r) => r.code)).toEqual([0]);
      const report = await validateXades(signed, { trust });
      expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED', level: 'aslA', profile, revocation: { status: 'GOOD', embedded: true } });
    });
  }

  it('a TSA that is not there is a clear trust error', async () => {
    const signer = await trustServiceOf(system.parts).issueSubscriber({ tckn: '10000000146', givenName: 'Uzak', surname: 'İmzacı', operator: 'AVEA' });
    const doc = Buffer.from('<uzak/>');
    const p = prepare(doc, { level: 'T' }, signer.der);
    const dead = httpTrust({ tsaUrl: `http://127.0.0.1:${await freePort()}/tsa`, roots: [rootPem], timeoutMs: 2000 });
    await expect(complete(p.state, signDigest(p.digest, signer.privateKey!), { document: doc, trust: dead })).rejects.toMatchObject({ code: 'ERR_XADES_TRUST' });
  });
});
