import { execFile } from 'node:child_process';
import { verify, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributeValue, OID, parseSignedData, sha256, signerCertificate, signerTree, flatten, der } from '../../src/esign/cades/cms.js';
import { testDialect } from '../helpers/platform.js';
import { tempDir } from '../xades/tools.js';
import { mobileHarness, type MobileHarness } from './harness.js';

const run = promisify(execFile);
const AUTO = { operator: 'TURKCELL', phoneNumber: '5309999999' };
const CADES = '/v2/CoreApiCadesMobile/SignStepOneCadesMobileCore';
const PDF = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%% sözleşme\n%%EOF\n');

/** `openssl cms -verify` of every top-level signature against the test root; returns the content it vouches for. */
async function opensslVerify(h: MobileHarness, cms: Buffer): Promise<Buffer> {
  const tmp = tempDir();
  try {
    const root = tmp.file('root.pem', await (await fetch(`${h.url}/ca/root.pem`)).text());
    const input = tmp.file('signed.p7s', cms);
    const out = `${input}.out`;
    await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', input, '-CAfile', root, '-purpose', 'any', '-out', out]);
    const { readFileSync } = await import('node:fs');
    return readFileSync(out);
  } finally {
    tmp.remove();
  }
}

/** Our own check of a counter-signature: its messageDigest is the parent's signature value, and its signature verifies. */
function counterSignatureOk(cms: Buffer, path: string): boolean {
  const signedData = parseSignedData(cms)!;
  const nodes = flatten(signerTree(signedData));
  const node = nodes.find((n) => n.path === path)!;
  const parent = nodes.find((n) => n.path === path.split(':').slice(0, -1).join(':'))!;
  const digest = Buffer.from((attributeValue(node.info, OID.messageDigest)[0] as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView);
  if (!digest.equals(sha256(Buffer.from(parent.info.signature.valueBlock.valueHexView)))) return false;
  const signedBytes = Buffer.from(node.info.signedAttrs!.toSchema().toBER(false));
  signedBytes[0] = 0x31;
  const cert = signerCertificate(signedData, node.info) as pkijs.Certificate;
  return verify('sha256', signedBytes, new X509Certificate(der(cert.toSchema())).publicKey, Buffer.from(node.info.signature.valueBlock.valueHexView));
}

describe(`mobile CAdES signing (${testDialect})`, () => {
  let h: MobileHarness;
  beforeAll(async () => {
    h = await mobileHarness();
    await h.mssp.subscribers.setPolicy('5309999999', { mode: 'approve', afterSeconds: 0 });
  });
  afterAll(async () => h?.close());

  async function signed(body: Record<string, unknown>): Promise<{ id: string; cms: Buffer }> {
    const answer = await h.sign({ ...AUTO, ...body }, CADES);
    expect(answer.error, JSON.stringify(body)).toBeNull();
    return { id: answer.result!.operationId, cms: await h.download(answer.result!.operationId) };
  }
  const list = async (operationId: string) => (await h.call<Array<Record<string, unknown>>>('/v2/CoreApiCades/GetSignatureListCore', { operationId })).result!;

  it('BES on a PDF: a CMS SignedData holding the document, which openssl cms -verify accepts against the test root', async () => {
    const uploaded = await h.upload(PDF, 'sozlesme.pdf');
    const fingerprint = h.call<{ fingerPrint: string }>('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: uploaded });
    const result = await signed({ operationId: uploaded });
    expect((await opensslVerify(h, result.cms)).equals(PDF)).toBe(true);
    expect((await fingerprint).result?.fingerPrint).toMatch(/^[0-9A-F]{64}$/);
    expect(await list(result.id)).toEqual([expect.objectContaining({ entityLabel: 'S0', level: 'BES', timestamped: false, citizenshipNo: '30000000328' })]);
    expect(await list(uploaded)).toEqual([]);
  });

  it('T, then PARALLEL beside it, then SERIAL on S0: openssl accepts both top-level signatures, the counter-signature checks out', async () => {
    const uploaded = await h.upload(PDF, 'sozlesme.pdf');
    const first = await signed({ operationId: uploaded, signatureLevel: 'T' });
    const parallel = await signed({ operationId: first.id });
    const serial = await signed({ operationId: parallel.id, serialOrParallel: 'SERIAL', signaturePath: 'S0' });
    expect((await opensslVerify(h, serial.cms)).equals(PDF)).toBe(true);
    expect(counterSignatureOk(serial.cms, 'S0:S0')).toBe(true);
    expect((await list(serial.id)).map((s) => [s.entityLabel, s.level])).toEqual([
      ['S0', 'T'],
      ['S0:S0', 'BES'],
      ['S1', 'BES'],
    ]);
    // The time-stamp of S0 is over its signature value and passes openssl ts -verify.
    const s0 = parseSignedData(serial.cms)!.signerInfos[0]!;
    const token = attributeValue(s0, OID.signatureTimeStampToken, 'unsigned')[0]!;
    const tmp = tempDir();
    try {
      const tokenFile = tmp.file('tst.der', Buffer.from(token.toBER(false)));
      const root = tmp.file('root.pem', await (await fetch(`${h.url}/ca/root.pem`)).text());
      const tsa = tmp.file('tsa.pem', (await h.trust.tsaCertificate()).toString('pem'));
      const digest = sha256(Buffer.from(s0.signature.valueBlock.valueHexView)).toString('hex');
      const { stdout } = await run('openssl', ['ts', '-verify', '-token_in', '-in', tokenFile, '-digest', digest, '-CAfile', root, '-untrusted', tsa]);
      expect(stdout).toMatch(/Verification: OK/);
    } finally {
      tmp.remove();
    }
  });

  it('refuses what CAdES here does not offer, and paths that name nothing', async () => {
    const uploaded = await h.upload(PDF, 'sozlesme.pdf');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ signatureLevel: 'XL' }, /not offered for CAdES/],
      [{ signatureTurkishProfile: 'P4' }, /profiles are offered for XAdES/],
      [{ serialOrParallel: 'SERIAL', signaturePath: 'S0' }, /no CAdES signature to counter-sign/],
      [{ serialOrParallel: 'SERIAL' }, /needs signaturePath/],
    ];
    for (const [body, error] of cases) {
      const answer = await h.sign({ ...AUTO, operationId: uploaded, ...body }, CADES);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.error).toMatch(error);
    }
    const first = await signed({ operationId: uploaded });
    const missing = await h.sign({ ...AUTO, operationId: first.id, serialOrParallel: 'SERIAL', signaturePath: 'S1:S0' }, CADES);
    expect(missing.status).toBe(400);
    expect(missing.error).toMatch(/names no signature/);
  });
});
