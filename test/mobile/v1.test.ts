import { randomUUID, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/platform.js';
import { INVOICE, mobileHarness, type MobileHarness } from './harness.js';

const AUTO = { operator: 'TURKCELL', phoneNumber: '5309999999' };
const V1 = '/CoreApiXadesMobile/SignStepOneXadesMobileCore';

describe(`v1 SignStepOneXadesMobileCore: fileData, signatureIndex, cerBytes (${testDialect})`, () => {
  let h: MobileHarness;
  let cerBytes: string;
  beforeAll(async () => {
    h = await mobileHarness();
    await h.mssp.subscribers.setPolicy('5309999999', { mode: 'approve', afterSeconds: 0 });
    cerBytes = (await h.mssp.subscribers.require('5309999999')).certificates[0]!.toString('base64');
  });
  afterAll(async () => h?.close());

  it('signs the document sent in fileData under the client-chosen operationId; the v1 fingerprint and download paths resolve it', async () => {
    const operationId = randomUUID();
    const answer = await h.sign({ ...AUTO, operationId, fileData: INVOICE.toString('base64'), signatureIndex: 0, cerBytes }, V1);
    expect(answer.error).toBeNull();
    const signedId = answer.result!.operationId;
    expect(signedId).not.toBe(operationId);
    for (const path of ['/CoreApiXadesMobile/GetFingerPrintCore', '/CoreApiPadesMobile/GetFingerPrintCore']) {
      const fp = await h.call<{ fingerPrint: string }>(path, { operationId });
      expect(fp.result?.fingerPrint).toMatch(/^[0-9A-F]{64}$/);
    }
    const v1Download = await h.call<{ fileData: string }>('/CoreApiDownload/DownloadSignedFileCore', { operationId });
    const signed = Buffer.from(v1Download.result!.fileData, 'base64');
    expect(await h.xmlsec1(signed)).toBe(1);

    // The second signature on the same document is number 1; saying 0 again is a clear error.
    const wrongIndex = await h.sign({ ...AUTO, operationId: randomUUID(), fileData: signed.toString('base64'), signatureIndex: 0 }, V1);
    expect(wrongIndex.status).toBe(400);
    expect(wrongIndex.error).toMatch(/signatureIndex 0 is wrong: the document has 1 signature/);
    const second = await h.sign({ ...AUTO, operationId: randomUUID(), fileData: signed.toString('base64'), signatureIndex: 1 }, V1);
    expect(second.error).toBeNull();
    expect(await h.xmlsec1(await h.download(second.result!.operationId))).toBe(2);
  });

  it('cerBytes that is not the subscriber certificate, and fileData that differs from what the operationId holds, are refused', async () => {
    const other = new X509Certificate((await h.mssp.subscribers.require('5301234567')).certificates[0]!).raw.toString('base64');
    const mismatch = await h.sign({ ...AUTO, operationId: randomUUID(), fileData: INVOICE.toString('base64'), cerBytes: other }, V1);
    expect(mismatch.status).toBe(400);
    expect(mismatch.error).toMatch(/cerBytes is not the certificate/);
    const operationId = randomUUID();
    expect((await h.sign({ ...AUTO, operationId, fileData: INVOICE.toString('base64') }, V1)).error).toBeNull();
    const changed = await h.sign({ ...AUTO, operationId, fileData: Buffer.from('<a/>').toString('base64') }, V1);
    expect(changed.status).toBe(409);
  });

  it('bad base64 and an oversized body answer 4xx', async () => {
    const bad = await h.sign({ ...AUTO, operationId: randomUUID(), fileData: '!!!not base64!!!' }, V1);
    expect(bad.status).toBe(400);
    expect(bad.result).toBeNull();
    const huge = await fetch(`${h.url}${V1}`, {
      method: 'POST',
      headers: { 'x-api-key': h.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ ...AUTO, operationId: randomUUID(), requestId: h.requestId(), fileData: 'A'.repeat(50 * 1024 * 1024) }),
    }).catch((err: unknown) => err);
    if (huge instanceof Response) {
      expect(huge.status).toBe(413);
    } else {
      // The server may cut the connection while the client is still sending the refused body.
      expect(huge).toBeInstanceOf(Error);
    }
  });
});
