import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/platform.js';
import { INVOICE, mobileHarness, type MobileHarness } from './harness.js';

const TURKCELL = { operator: 'TURKCELL', phoneNumber: '5301234567' };

describe(`mobile signing outcomes (${testDialect})`, () => {
  let h: MobileHarness;
  beforeAll(async () => {
    // A short operator time-out so that expiry is quick to see.
    h = await mobileHarness({ IMZALA_MSSP_TIMEOUT_SECONDS: '3' });
  });
  afterAll(async () => h?.close());

  async function statusOf(operationId: string) {
    return (await h.call<Record<string, unknown>>('/v2/CoreApiOperation/GetOperationStatusCore', { operationId })).result!;
  }

  it('refused on the phone: the error says so in displayLanguage, and the operation is refused with no document', async () => {
    const uploaded = await h.upload(INVOICE);
    const signing = h.sign({ ...TURKCELL, operationId: uploaded, displayLanguage: 'tr' });
    await h.pending('5301234567');
    await h.mssp.phone.reject('5301234567');
    const answer = await signing;
    expect(answer.status).toBe(422);
    expect(answer.result).toBeNull();
    expect(answer.error).toBe('Kullanıcı imzayı reddetti.');
    const source = await statusOf(uploaded);
    expect(source).toMatchObject({ state: 'uploaded', signingState: 'refused', signedOperationId: null });
    const attempt = await statusOf(source.signingOperationId as string);
    expect(attempt).toMatchObject({ state: 'refused', kind: 'signed', size: null });
    expect(attempt.detail).toMatch(/USER_CANCEL/);
    const download = await h.call('/v2/CoreApiFile/DownloadCore', { operationId: source.signingOperationId });
    expect(download.status).toBe(409);
  });

  it('never answered: expires after the operator time-out', async () => {
    const uploaded = await h.upload(INVOICE);
    const answer = await h.sign({ ...TURKCELL, operationId: uploaded });
    expect(answer.status).toBe(422);
    expect(answer.error).toBe('The subscriber did not answer in time; the signing expired.');
    expect(await statusOf(uploaded)).toMatchObject({ signingState: 'expired' });
  });

  it('a citizenshipNo that is not the certificate TCKN is refused before the phone rings', async () => {
    const uploaded = await h.upload(INVOICE);
    const answer = await h.sign({ ...TURKCELL, operationId: uploaded, citizenshipNo: '10000000146' });
    expect(answer.status).toBe(400);
    expect(answer.error).toMatch(/citizenshipNo does not match/);
    expect((await h.mssp.phone.pending('5301234567')).pending).toHaveLength(0);
    expect(await statusOf(uploaded)).toMatchObject({ signingOperationId: null });
  });

  it('an unknown subscriber, and a subscriber of another operator, are refused with 404', async () => {
    const uploaded = await h.upload(INVOICE);
    const unknown = await h.sign({ operator: 'VODAFONE', phoneNumber: '5550000000', operationId: uploaded });
    expect(unknown.status).toBe(404);
    expect(unknown.error).toBe('5550000000 is not a mobile-signature subscriber of VODAFONE.');
    const wrongOperator = await h.sign({ operator: 'AVEA', phoneNumber: '+90 530 123 45 67', operationId: uploaded });
    expect(wrongOperator.status).toBe(404);
    expect(wrongOperator.error).toMatch(/5301234567 is not a mobile-signature subscriber of AVEA/);
  });

  it('a blocked PIN: wrong PINs on the phone until it blocks, then the signing fails with the reason', async () => {
    await h.mssp.subscribers.add({ phone: '5329998877', operator: 'TURKCELL', tckn: '10000000146', pin: '246810' });
    const uploaded = await h.upload(INVOICE);
    const signing = h.sign({ operator: 'TURKCELL', phoneNumber: '5329998877', operationId: uploaded });
    await h.pending('5329998877');
    for (let i = 0; i < 3; i++) await h.mssp.phone.approve('5329998877', { pin: '000000' }).catch(() => undefined);
    const answer = await signing;
    expect(answer.status).toBe(422);
    expect(answer.error).toMatch(/PIN is blocked/);
    const again = await h.sign({ operator: 'TURKCELL', phoneNumber: '5329998877', operationId: uploaded });
    expect(again.status).toBe(422);
    expect(again.error).toMatch(/PIN is blocked/);
  });

  it('bad requests: unknown operator, a phone that is no mobile number, unknown level, a PARALLEL path, a non-XML document ENVELOPED', async () => {
    const uploaded = await h.upload(INVOICE);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...TURKCELL, operator: 'TURKTELEKOMX' }, /operator must be TURKCELL, VODAFONE, AVEA/],
      [{ ...TURKCELL, phoneNumber: '02121234567' }, /not a Turkish mobile number/],
      [{ ...TURKCELL, signatureLevel: 'aslC' }, /unknown signature level/],
      [{ ...TURKCELL, signatureLevel: 99 }, /unknown signatureLevel 99/],
      [{ ...TURKCELL, signaturePath: 'S0' }, /signaturePath is for SERIAL/],
      [{ ...TURKCELL, serialOrParallel: 'SERIAL', signaturePath: 'S3' }, /S3/],
      [{ ...TURKCELL, signatureTurkishProfile: 'P1', signatureLevel: 'aslT' }, /contradicts/],
    ];
    for (const [body, error] of cases) {
      const answer = await h.sign({ operationId: uploaded, ...body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.error).toMatch(error);
    }
    const pdf = await h.upload(Buffer.from('%PDF-1.7 not xml'), 'a.pdf');
    const enveloped = await h.sign({ ...TURKCELL, operationId: pdf });
    expect(enveloped.status).toBe(400);
    expect(enveloped.error).toMatch(/XML/);
    expect((await h.mssp.phone.pending('5301234567')).pending).toHaveLength(0);
  });

  it('malformed bodies answer 4xx in the ApiResult shape', async () => {
    const bodies: unknown[] = [
      { operationId: 'not-a-uuid', ...TURKCELL, requestId: 'aaaaaaaaaaaaaaaaaaaaa' },
      { operationId: '11111111-1111-1111-1111-111111111111', ...TURKCELL },
      { operationId: '11111111-1111-1111-1111-111111111111', operator: 'TURKCELL', phoneNumber: 5301234567, requestId: 'aaaaaaaaaaaaaaaaaaaaa' },
      { operationId: '11111111-1111-1111-1111-111111111111', ...TURKCELL, userPrompt: 'x'.repeat(256), requestId: 'aaaaaaaaaaaaaaaaaaaaa' },
      { operationId: '11111111-1111-1111-1111-111111111111', ...TURKCELL, citizenshipNo: '123', requestId: 'aaaaaaaaaaaaaaaaaaaaa' },
      [],
      'null',
    ];
    for (const body of bodies) {
      const answer = await h.call('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', body);
      expect(answer.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.result).toBeNull();
      expect(typeof answer.error).toBe('string');
    }
    const unknown = await h.sign({ ...TURKCELL, operationId: '11111111-1111-1111-1111-111111111111' });
    expect(unknown.status).toBe(404);
    const fp = await h.call('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: '11111111-1111-1111-1111-111111111111' });
    expect(fp.status).toBe(404);
  });

  it('another tenant sees neither the document nor its fingerprint', async () => {
    const uploaded = await h.upload(INVOICE);
    const other = (await h.esign.services.tenants.create('other')).apiKey;
    const answer = await h.call('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore', { ...TURKCELL, operationId: uploaded, requestId: h.requestId() }, other);
    expect(answer.status).toBe(404);
    const fp = await h.call('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: uploaded }, other);
    expect(fp.status).toBe(404);
    expect(fp.error).toBe(`İşlem bulunamadı: ${uploaded}`);
  });

  it('counter-signing a signed document: its id answers with the fingerprint the phone shows now, not its own', async () => {
    await h.mssp.subscribers.setPolicy('5309999999', { mode: 'approve', afterSeconds: 0 });
    const uploaded = await h.upload(INVOICE);
    const first = (await h.sign({ operator: 'TURKCELL', phoneNumber: '5309999999', operationId: uploaded })).result!.operationId;
    const own = (await h.call<{ fingerPrint: string }>('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: first })).result!.fingerPrint;
    const second = h.sign({ ...TURKCELL, operationId: first, serialOrParallel: 'SERIAL', signaturePath: 'S0' });
    const during = h.call<{ fingerPrint: string }>('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: first });
    const tx = await h.pending('5301234567');
    expect((await during).result?.fingerPrint).toBe(tx.fingerprint);
    expect(tx.fingerprint).not.toBe(own);
    await h.approve('5301234567');
    expect((await second).error).toBeNull();
  });

  it('GetFingerPrintCore before any signing: a short wait, then a clear 409', async () => {
    const uploaded = await h.upload(INVOICE);
    const fp = await h.call('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: uploaded, displayLanguage: 'en' });
    expect(fp.status).toBe(409);
    expect(fp.error).toMatch(/no fingerprint/);
  });
});
