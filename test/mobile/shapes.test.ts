import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/platform.js';
import { INVOICE, mobileHarness, type MobileHarness } from './harness.js';

// 5309999999 is the sandbox phone that approves by itself; here it answers at once.
const AUTO = { operator: 'TURKCELL', phoneNumber: '5309999999' };

describe(`mobile signatures of every shape (${testDialect})`, () => {
  let h: MobileHarness;
  beforeAll(async () => {
    h = await mobileHarness();
    await h.mssp.subscribers.setPolicy('5309999999', { mode: 'approve', afterSeconds: 0 });
  });
  afterAll(async () => h?.close());

  async function signed(body: Record<string, unknown>): Promise<{ id: string; xml: Buffer }> {
    const answer = await h.sign({ ...AUTO, ...body });
    expect(answer.error, JSON.stringify(body)).toBeNull();
    const id = answer.result!.operationId;
    return { id, xml: await h.download(id) };
  }

  async function list(operationId: string) {
    return (await h.call<Array<Record<string, unknown>>>('/v2/CoreApiXades/GetSignatureListCore', { operationId })).result!;
  }

  it('SERIAL at S0 on a signed document, then PARALLEL beside it: three signatures, all pass xmlsec1', async () => {
    const uploaded = await h.upload(INVOICE);
    const first = await signed({ operationId: uploaded });
    const serial = await signed({ operationId: first.id, serialOrParallel: 'SERIAL', signaturePath: 'S0' });
    expect(await h.xmlsec1(serial.xml)).toBe(2);
    const parallel = await signed({ operationId: serial.id, serialOrParallel: 'PARALLEL' });
    expect(await h.xmlsec1(parallel.xml)).toBe(3);
    expect((await list(parallel.id)).map((s) => s.entityLabel)).toEqual(['S0', 'S0:S0', 'S1']);
    // The chain: each signed document names the one it was made from.
    const status = await h.call('/v2/CoreApiOperation/GetOperationStatusCore', { operationId: first.id });
    expect(status.result).toMatchObject({ parentOperationId: uploaded, signedOperationId: serial.id });
  });

  it('ENVELOPING a PDF: the bytes inside a ds:Object, base64', async () => {
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
    const uploaded = await h.upload(pdf, 'sozlesme.pdf');
    const result = await signed({ operationId: uploaded, envelopingOrEnveloped: 'ENVELOPING' });
    expect(await h.xmlsec1(result.xml)).toBe(1);
    expect(result.xml.toString()).toContain(pdf.toString('base64'));
  });

  const LEVELS: Array<[Record<string, unknown>, string, string | null]> = [
    [{ signatureLevel: 'BES' }, 'aslBES', null],
    [{ signatureLevel: 'aslT' }, 'aslT', null],
    [{ signatureLevel: 3 }, 'aslT', null],
    [{ signatureLevel: 'XL' }, 'aslXL', null],
    [{ signatureLevel: 'aslA' }, 'aslA', null],
    [{ signatureTurkishProfile: 'P1' }, 'aslBES', 'P1'],
    [{ signatureTurkishProfile: 'P2' }, 'aslT', 'P2'],
    [{ signatureTurkishProfile: 'P3' }, 'aslXL', 'P3'],
    [{ signatureTurkishProfile: 'P4', signatureLevel: 'BES' }, 'aslXL', 'P4'],
    [{ signatureTurkishProfile: 'P4', signatureLevel: 'aslA' }, 'aslA', 'P4'],
  ];
  for (const [fields, level, profile] of LEVELS) {
    it(`${JSON.stringify(fields)} → ${level}${profile ? ` meeting ${profile}` : ''}, valid for xmlsec1 and our validator`, async () => {
      const uploaded = await h.upload(INVOICE);
      const result = await signed({ operationId: uploaded, ...fields });
      expect(await h.xmlsec1(result.xml)).toBe(1);
      const verify = await fetch(`${h.url}/xades/verify`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: new Uint8Array(result.xml) });
      const report = (await verify.json()) as { valid: boolean; signatures: Array<{ level: string; profile: string | null }> };
      expect(report.valid).toBe(true);
      expect(report.signatures[0]).toMatchObject({ level });
      if (profile) expect(report.signatures[0]?.profile).toBe(profile);
      expect((await list(result.id))[0]).toMatchObject({ level, timestamped: level !== 'aslBES' });
    });
  }
});
