import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ibanFor } from '../../src/banking/iban.js';
import { bankingDb } from '../../src/banking/part.js';
import { testDialect } from '../helpers/platform.js';
import { gatewayHarness, type Harness } from '../gateway/harness.js';

const URL = '/v1/moneytransfer/outgoingmoneytransfer';

describe(`money transfers (${testDialect})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness();
  });
  afterAll(async () => h.close());

  const account = (customerNo: string, suffix: number) =>
    bankingDb(h.system.platform).selectFrom('banking_accounts').selectAll().where('customer_no', '=', customerNo).where('suffix', '=', suffix).executeTakeFirstOrThrow();
  const totalOf = async (fxId: number) => {
    const row = await bankingDb(h.system.platform)
      .selectFrom('banking_accounts')
      .select(sql<number>`sum(balance)`.as('total'))
      .where('fx_id', '=', fxId)
      .executeTakeFirstOrThrow();
    return Number(row.total);
  };
  const transfer = (body: Record<string, unknown>, opts: Parameters<Harness['call']>[2] = {}) =>
    h.call('POST', URL, { body: JSON.stringify(body), ...opts });

  it('moves money atomically: both balances and both transaction lists change', async () => {
    const before = await account('400368', 1);
    const receiverBefore = await account('500101', 1);
    const body = {
      SenderAccountSuffix: 1,
      ReceiverIban: ibanFor('500101', 1),
      MoneyTransferAmount: 150.25,
      MoneyTransferDescription: 'Kira ödemesi — Ağustos',
      CorporateWebUserName: 'gokcul',
    };
    // Pretty-printed, PascalCase as in the PDF: signed over exactly these bytes.
    const res = await h.call('POST', URL, { body: JSON.stringify(body, null, 2) });
    expect(res.statusCode).toBe(200);
    const json = res.json();
    expect(json).toMatchObject({ success: true, results: [], errors: [] });
    expect(typeof json.value.moneyTransferTransactionId).toBe('number');
    expect((await account('400368', 1)).balance).toBe(before.balance - 15025);
    expect((await account('400368', 1)).available_balance).toBe(before.available_balance - 15025);
    expect((await account('500101', 1)).balance).toBe(receiverBefore.balance + 15025);

    const sent = (await h.call('GET', '/v3/accounts/1/transactions?itemCount=1')).json().value.accountActivities[0];
    expect(sent).toMatchObject({ amount: -150.25, description: 'Kira ödemesi — Ağustos', seqNum: before.last_seq + 1 });
    expect(Math.round(sent.balance * 100)).toBe(before.balance - 15025);
    const ziya = h.caller('app-anadolu', { flow: 'authorization_code', customerNo: '500101' });
    const received = (await h.call('GET', '/v2/accounts/1/transactions?itemCount=1', { as: ziya })).json().value.accountActivities[0];
    expect(received).toMatchObject({ amount: 150.25, seqNum: receiverBefore.last_seq + 1 });
    expect(Math.round(received.balance * 100)).toBe(receiverBefore.balance + 15025);
    const row = await bankingDb(h.system.platform).selectFrom('banking_transfers').selectAll().where('id', '=', json.value.moneyTransferTransactionId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ amount: 15025, sender_account_id: before.id, receiver_account_id: receiverBefore.id });
  });

  it('runs the vendor PDF’s sample transfer verbatim (receiver by account number and suffix, PascalCase, TransferType)', async () => {
    const pdfBody = `{
  "SenderAccountSuffix": 5,
  "ReceiverAccountNumber": 400368,
  "ReceiverAccountSuffix": 6,
  "MoneyTransferAmount": 150,
  "MoneyTransferDescription": "Testinium Test",
  "TransferType": 2,
  "CorporateWebUserName": "gokcul"
}`;
    const from = await account('400368', 5);
    const to = await account('400368', 6);
    const res = await h.call('POST', URL, { body: pdfBody });
    expect(res.json()).toMatchObject({ success: true });
    expect((await account('400368', 5)).balance).toBe(from.balance - 15000);
    expect((await account('400368', 6)).balance).toBe(to.balance + 15000);
    // Numbers as strings bind too, as on ASP.NET.
    const strings = await transfer({ senderAccountSuffix: '6', receiverAccountNumber: '400368', receiverAccountSuffix: '5', moneyTransferAmount: '150.00', corporateWebUserName: 'gokcul' });
    expect(strings.json()).toMatchObject({ success: true });
    expect((await account('400368', 5)).balance).toBe(from.balance);
    const noReceiver = await transfer({ senderAccountSuffix: 1, moneyTransferAmount: 1, corporateWebUserName: 'gokcul' });
    expect(noReceiver.statusCode).toBe(400);
  });

  it('answers business failures with HTTP 200, success false, and changes nothing', async () => {
    const before = await account('400368', 1);
    const base = { senderAccountSuffix: 1, receiverIban: ibanFor('500101', 1), moneyTransferAmount: 10, moneyTransferDescription: 'x', corporateWebUserName: 'gokcul' };
    const cases: [Record<string, unknown>, string][] = [
      [{ moneyTransferAmount: before.available_balance / 100 + 1 }, 'InsufficientBalance'],
      [{ receiverIban: ibanFor('123456', 1) }, 'IbanNotFound'],
      [{ receiverIban: 'TR000020500000040036800001' }, 'InvalidIban'],
      [{ corporateWebUserName: 'someoneelse' }, 'InvalidCorporateWebUserName'],
      [{ senderAccountSuffix: 42 }, 'AccountNotFound'],
      [{ senderAccountSuffix: 8, receiverIban: ibanFor('500202', 4) }, 'AccountClosed'],
      [{ receiverIban: ibanFor('400368', 1) }, 'SameAccount'],
      [{ receiverIban: ibanFor('500101', 2) }, 'CurrencyMismatch'],
      [{ receiverIban: ibanFor('500202', 4), senderAccountSuffix: 3 }, 'ReceiverAccountClosed'],
      [{ moneyTransferAmount: 0.001 }, 'InvalidAmount'],
    ];
    for (const [change, code] of cases) {
      const res = await transfer({ ...base, ...change });
      expect(res.statusCode, code).toBe(200);
      expect(res.json(), code).toMatchObject({ success: false, value: null, results: [{ errorCode: code }] });
    }
    const english = await transfer({ ...base, corporateWebUserName: 'nobody' }, { headers: { languageid: '2' } });
    expect(english.json().results[0].errorMessage).toBe('The corporate web user name is wrong.');
    const after = await account('400368', 1);
    expect(after.balance).toBe(before.balance);
    expect(after.last_seq).toBe(before.last_seq);
  });

  it('answers malformed bodies with 400 in the envelope, never 5xx', async () => {
    const bodies = ['{', '[]', '"x"', 'null', '{"senderAccountSuffix":"1"}', JSON.stringify({ senderAccountSuffix: 1, receiverIban: 'x'.repeat(100), moneyTransferAmount: 1, corporateWebUserName: 'a' }),
      JSON.stringify({ senderAccountSuffix: 1, receiverIban: 'TR1', moneyTransferAmount: -5, corporateWebUserName: 'a' }),
      JSON.stringify({ senderAccountSuffix: 1, receiverIban: 'TR1', moneyTransferAmount: 5, moneyTransferDescription: 'a\u0000b', corporateWebUserName: 'a' })];
    for (const body of bodies) {
      const res = await h.call('POST', URL, { body });
      expect(res.statusCode, body).toBe(400);
      expect(res.json().success, body).toBe(false);
    }
    const xml = await h.call('POST', URL, { body: '<a/>', headers: { 'content-type': 'application/xml' } });
    expect(xml.statusCode).toBe(400);
    const huge = await h.call('POST', URL, { body: `{"a":"${'x'.repeat(1024 * 1024)}"}` });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().success).toBe(false);
  });

  it('many concurrent transfers never overdraw: exactly k succeed and totals are conserved', async () => {
    const db = bankingDb(h.system.platform);
    // Sender: Ege Zeytincilik's TL account, set to exactly 7 transfers' worth of available balance.
    const ege = h.caller('app-ege', { customerNo: '400777' });
    const sender = await account('400777', 1);
    const amount = 12_345; // 123.45 TL
    const k = 7;
    const excess = sender.available_balance - k * amount - 99;
    expect(excess).toBeGreaterThan(0);
    const drain = await transfer({ senderAccountSuffix: 1, receiverIban: ibanFor('400512', 4), moneyTransferAmount: excess / 100, corporateWebUserName: 'egezeytin' }, { as: ege });
    expect(drain.json().success).toBe(true);
    const adjusted = await account('400777', 1);
    const total = await totalOf(0);
    const receivers = [ibanFor('500101', 1), ibanFor('500202', 1), ibanFor('500303', 1), ibanFor('400512', 1)];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        transfer({ senderAccountSuffix: 1, receiverIban: receivers[i % receivers.length], moneyTransferAmount: amount / 100, moneyTransferDescription: `yarış ${i}`, corporateWebUserName: 'egezeytin' }, { as: ege }),
      ),
    );
    const bodies = results.map((r) => r.json());
    expect(results.every((r) => r.statusCode === 200)).toBe(true);
    expect(bodies.filter((b) => b.success)).toHaveLength(k);
    expect(bodies.filter((b) => !b.success).every((b) => b.results[0].errorCode === 'InsufficientBalance')).toBe(true);
    expect(new Set(bodies.filter((b) => b.success).map((b) => b.value.moneyTransferTransactionId)).size).toBe(k);
    const after = await account('400777', 1);
    expect(after.available_balance).toBe(99);
    expect(after.balance).toBe(adjusted.balance - k * amount);
    expect(after.last_seq).toBe(adjusted.last_seq + k);
    expect(await totalOf(0)).toBe(total);
    const negatives = await db.selectFrom('banking_accounts').select('id').where((eb) => eb.or([eb('balance', '<', 0), eb('available_balance', '<', 0)])).execute();
    expect(negatives).toEqual([]);
    // Every account's history still adds up to its balance.
    for (const a of await db.selectFrom('banking_accounts').selectAll().execute()) {
      const sum = await db.selectFrom('banking_transactions').select(sql<number>`coalesce(sum(amount), 0)`.as('s')).where('account_id', '=', a.id).executeTakeFirstOrThrow();
      expect(Number(sum.s), a.iban).toBe(a.balance);
    }
  });

  it('opposite concurrent transfers between two accounts neither deadlock nor lose money', async () => {
    const bogazici = h.caller('app-bogazici', { customerNo: '400512' });
    const total = await totalOf(0);
    const a = ibanFor('400368', 6);
    const b = ibanFor('400512', 1);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? transfer({ senderAccountSuffix: 1, receiverIban: a, moneyTransferAmount: 1, corporateWebUserName: 'bogazicilojistik' }, { as: bogazici })
          : transfer({ senderAccountSuffix: 6, receiverIban: b, moneyTransferAmount: 1, corporateWebUserName: 'gokcul' }),
      ),
    );
    expect(results.map((r) => r.json().success)).toEqual(results.map(() => true));
    expect(await totalOf(0)).toBe(total);
  });
});
