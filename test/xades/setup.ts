import { allSignatures } from '../../src/esign/xades/paths.js';
import { signDigest } from '../../src/esign/xades/local-signer.js';
import type { XadesRequest } from '../../src/esign/xades/model.js';
import { xadesServiceOf } from '../../src/esign/xades/part.js';
import type { XadesService } from '../../src/esign/xades/service.js';
import { parseXml } from '../../src/esign/xades/xml.js';
import { trustServiceOf } from '../../src/trust/part.js';
import type { IssuedSubscriber, TrustService } from '../../src/trust/service.js';
import { testSystem } from '../helpers/platform.js';
import { xmlsec1VerifyAll } from './tools.js';

export interface XadesTestEnv {
  system: Awaited<ReturnType<typeof testSystem>>;
  trust: TrustService;
  xades: XadesService;
  rootPem: string;
  /** Every CA certificate below the root (operator sub-CAs), PEM, for xmlsec1's --untrusted-pem. */
  caPems: string[];
  subscriber(tckn?: string, validDays?: number): Promise<IssuedSubscriber>;
  /** Two-phase signing through the stored pending state, the subscriber's key standing in for the operator. */
  sign(document: Buffer, request: XadesRequest, signer: IssuedSubscriber): Promise<Buffer>;
  /** xmlsec1 verifies every signature; throws with its output otherwise. */
  xmlsec1(xml: Buffer): Promise<void>;
  cleanup(): Promise<void>;
}

export async function xadesTestEnv(): Promise<XadesTestEnv> {
  const system = await testSystem();
  const trust = trustServiceOf(system.parts);
  const xades = xadesServiceOf(system.parts);
  const rootPem = (await trust.rootCertificate()).toString('pem');
  const caPems = await Promise.all((await trust.caNames()).filter((n) => n !== 'root').map(async (n) => (await trust.caCertificate(n)).toString('pem')));
  const env: XadesTestEnv = {
    system,
    trust,
    xades,
    rootPem,
    caPems,
    subscriber: (tckn = '10000000146', validDays) =>
      trust.issueSubscriber({ tckn, givenName: 'Ayşe', surname: 'Yılmaz', operator: 'TURKCELL', ...(validDays ? { validDays } : {}) }),
    async sign(document, request, signer) {
      const prepared = await xades.prepare(document, request, signer.der);
      return xades.complete(prepared.pendingId, signDigest(prepared.digest, signer.privateKey!));
    },
    async xmlsec1(xml) {
      const results = await xmlsec1VerifyAll(xml, rootPem, caPems);
      const expected = allSignatures(parseXml(xml.toString('utf8'))).length;
      if (results.length !== expected || results.some((r) => r.code !== 0)) {
        throw new Error(`xmlsec1 rejected: ${results.map((r) => `${r.id}: ${r.code} ${r.out}`).join('\n')}`);
      }
    },
    cleanup: () => system.cleanup(),
  };
  return env;
}
