import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/platform.js';
import { INVOICE, mobileHarness, type MobileHarness } from './harness.js';

const PHONES = [
  { operator: 'TURKCELL', phone: '5301234567', tckn: '12345678950' },
  { operator: 'VODAFONE', phone: '5421234567', tckn: '10000000146' },
  { operator: 'AVEA', phone: '5051234567', tckn: '20000000282' },
] as const;

describe(`mobile XAdES signing over HTTP (${testDialect})`, () => {
  let h: MobileHarness;
  beforeAll(async () => {
    h = await mobileHarness();
  });
  afterAll(async () => h?.close());

  for (const { operator, phone, tckn } of PHONES) {
    it(`${operator}: upload → SignStepOne waits → the phone shows the fingerprint → approve → signed document passes xmlsec1`, async () => {
      const uploaded = await h.upload(INVOICE);
      const signing = h.sign({ operationId: uploaded, phoneNumber: phone, operator, citizenshipNo: tckn });
      const fingerprint = h.call<{ fingerPrint: string }>('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: uploaded });
      const tx = await h.pending(phone);
      const fp = await fingerprint;
      expect(fp.status).toBe(200);
      expect(fp.result?.fingerPrint).toBe(tx.fingerprint);
      expect(tx.display).toBe('Sözleşmeyi imzalıyor musunuz?');
      const during = await h.call<{ state: string; signingState: string; signingOperationId: string }>('/v2/CoreApiOperation/GetOperationStatusCore', { operationId: uploaded });
      expect(during.result).toMatchObject({ state: 'uploaded', signingState: 'waiting' });
      await h.approve(phone);
      const answer = await signing;
      expect(answer.error).toBeNull();
      expect(answer.status).toBe(200);
      expect(answer.result?.isSuccess).toBe(true);
      const signedId = answer.result!.operationId;
      expect(signedId).not.toBe(uploaded);
      expect(during.result?.signingOperationId).toBe(signedId);
      // Both ids resolve to the same fingerprint.
      expect((await h.call<{ fingerPrint: string }>('/v2/CoreApiFingerPrint/GetFingerPrintCore', { operationId: signedId })).result?.fingerPrint).toBe(tx.fingerprint);
      const signed = await h.download(signedId);
      expect(await h.xmlsec1(signed)).toBe(1);
      const status = await h.call('/v2/CoreApiOperation/GetOperationStatusCore', { operationId: signedId });
      expect(status.result).toMatchObject({ state: 'signed', kind: 'signed', parentOperationId: uploaded });
      const list = await h.call<Array<Record<string, unknown>>>('/v2/CoreApiXades/GetSignatureListCore', { operationId: signedId });
      expect(list.result).toEqual([expect.objectContaining({ entityLabel: 'S0', level: 'aslBES', citizenshipNo: tckn, timestamped: false })]);
    });
  }
});
