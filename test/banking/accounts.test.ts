import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ibanFor } from '../../src/banking/iban.js';
import { bankingDb } from '../../src/banking/part.js';
import { testDialect } from '../helpers/platform.js';
import { gatewayHarness, type Harness } from '../gateway/harness.js';

describe(`banking accounts API (${testDialect})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness();
  });
  afterAll(async () => h.close());

  it('GET /v3/accounts lists the company’s accounts with exactly the PDF’s fields, amounts with two decimals', async () => {
    const res = await h.call('GET', '/v3/accounts');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ success: true, results: [], errors: [] });
    expect(body.executionReferenceId).toBe(res.headers.executionreferenceid);
    const list = body.value.accountList as Record<string, unknown>[];
    expect(list).toHaveLength(8);
    expect(Object.keys(list[0]!).sort()).toEqual(
      ['name', 'suffix', 'balance', 'availableBalance', 'fxId', 'iban', 'productType', 'openDate', 'branchName', 'branchId', 'customerName', 'isActive'].sort(),
    );
    expect(list[0]).toMatchObject({ suffix: 1, fxId: 0, iban: 'TR320020500000040036800001', productType: 'Cari Hesap', branchName: 'Talatpaşa Şube', branchId: 368, customerName: 'ANADOLU TEKSTİL SANAYİ VE TİCARET A.Ş.', isActive: 1 });
    expect(list.map((a) => a.fxId)).toEqual(expect.arrayContaining([0, 1, 19, 24]));
    expect(res.body).toMatch(/"balance":\d+\.\d{2},"availableBalance":\d+\.\d{2}/);
    const db = bankingDb(h.system.platform);
    const row = await db.selectFrom('banking_accounts').selectAll().where('iban', '=', 'TR320020500000040036800001').executeTakeFirstOrThrow();
    expect(Math.round((list[0]!.balance as number) * 100)).toBe(row.balance);
  });

  it('honours each filter', async () => {
    const get = async (q: string) => ((await h.call('GET', `/v3/accounts?${q}`)).json().value.accountList as Record<string, number>[]);
    const all = await get('onlyOpen=false');
    expect(all).toHaveLength(8);
    const open = await get('onlyOpen=true');
    expect(open.length).toBe(7);
    expect(open.every((a) => a.isActive === 1)).toBe(true);
    const empty = await get('onlyWithNoBalance=true');
    expect(empty.map((a) => a.suffix)).toEqual([7, 8]);
    expect(empty.every((a) => a.balance === 0)).toBe(true);
    const available = await get('onlyHasAvailableBalance=true');
    expect(available.every((a) => (a.availableBalance ?? 0) > 0)).toBe(true);
    expect(available.map((a) => a.suffix)).toEqual([1, 2, 3, 4, 5, 6]);
    const current = await get('onlyCurrent=true');
    expect(current.map((a) => a.suffix)).not.toContain(5);
    expect(current).toHaveLength(7);
    const multi = await get('sharedWithMultiSignature=true');
    expect(multi.map((a) => a.suffix)).toEqual([6]);
    const both = await get('onlyOpen=true&onlyWithNoBalance=true');
    expect(both.map((a) => a.suffix)).toEqual([7]);
    const bad = await h.call('GET', '/v3/accounts?onlyOpen=maybe');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ success: false, results: [{ errorCode: 'InvalidParameter' }] });
  });

  it('GET /v3/accounts/{suffix} returns one account; unknown suffix is a business failure; malformed is 400', async () => {
    const one = await h.call('GET', '/v3/accounts/2');
    expect(one.json().value.accountList).toHaveLength(1);
    expect(one.json().value.accountList[0]).toMatchObject({ suffix: 2, fxId: 1 });
    const missing = await h.call('GET', '/v3/accounts/99');
    expect(missing.statusCode).toBe(200);
    expect(missing.json()).toMatchObject({ success: false, value: null, results: [{ errorCode: 'AccountNotFound', errorMessage: 'Hesap bulunamadı.' }] });
    const english = await h.call('GET', '/v3/accounts/99', { headers: { languageid: '2' } });
    expect(english.json().results[0].errorMessage).toBe('Account not found.');
    for (const bad of ['1234', 'abc', '-1', '1.5', '%20']) {
      const res = await h.call('GET', `/v3/accounts/${bad}`);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json(), bad).toMatchObject({ success: false, results: [{ errorCode: 'InvalidParameter' }] });
      expect(res.headers.executionreferenceid).toBe(res.json().executionReferenceId);
    }
    const filtered = await h.call('GET', '/v3/accounts/7?onlyHasAvailableBalance=true');
    expect(filtered.json().results[0].errorCode).toBe('AccountNotFound');
  });

  it('GET /v3/accounts/{suffix}/transactions: newest first, signed amounts, itemCount and date bounds', async () => {
    const res = await h.call('GET', '/v3/accounts/1/transactions');
    const all = res.json().value.accountActivities as Record<string, unknown>[];
    expect(all.length).toBeGreaterThan(40);
    expect(Object.keys(all[0]!).sort()).toEqual(
      ['suffix', 'date', 'description', 'amount', 'balance', 'fxCode', 'businessKey', 'seqNum', 'transactionCode', 'transactionReference', 'iban'].sort(),
    );
    const dates = all.map((a) => a.date as string);
    expect([...dates].sort().reverse()).toEqual(dates);
    expect(all.some((a) => (a.amount as number) < 0)).toBe(true);
    expect(all[0]).toMatchObject({ suffix: 1, fxCode: 'TL', iban: 'TR320020500000040036800001' });
    const accounts = (await h.call('GET', '/v3/accounts/1')).json().value.accountList;
    expect(all[0]!.balance).toBe(accounts[0].balance);
    // balance of each row = previous row's balance + its amount
    for (let i = 0; i < all.length - 1; i++) {
      expect(Math.round(((all[i + 1]!.balance as number) + (all[i]!.amount as number)) * 100)).toBe(Math.round((all[i]!.balance as number) * 100));
    }

    const five = (await h.call('GET', '/v3/accounts/1/transactions?itemCount=5')).json().value.accountActivities;
    expect(five).toEqual(all.slice(0, 5));

    const june = (await h.call('GET', '/v3/accounts/1/transactions?beginDate=2026-06-01&endDate=2026-06-30')).json().value.accountActivities as { date: string }[];
    expect(june.length).toBeGreaterThan(0);
    expect(june).toEqual(all.filter((a) => (a.date as string) >= '2026-06-01' && (a.date as string) <= '2026-06-30T23:59:59'));
    const juneTwo = (await h.call('GET', '/v3/accounts/1/transactions?beginDate=2026-06-01&endDate=2026-06-30&itemCount=2')).json().value.accountActivities;
    expect(juneTwo).toEqual(june.slice(0, 2));

    for (const q of ['itemCount=0', 'itemCount=abc', 'itemCount=1001', 'beginDate=2026-02-30', 'beginDate=yesterday', 'beginDate=2026-07-01&endDate=2026-06-01']) {
      const bad = await h.call('GET', `/v3/accounts/1/transactions?${q}`);
      expect(bad.statusCode, q).toBe(400);
      expect(bad.json().success, q).toBe(false);
    }
    expect((await h.call('GET', '/v3/accounts/99/transactions')).json().results[0].errorCode).toBe('AccountNotFound');
    expect((await h.call('GET', '/v3/accounts/99999/transactions')).statusCode).toBe(400);
  });

  it('tenant isolation: a company’s token sees only its own accounts, whatever the suffix', async () => {
    const bogazici = h.caller('app-bogazici', { customerNo: '400512' });
    const mine = (await h.call('GET', '/v3/accounts', { as: bogazici })).json().value.accountList as { iban: string }[];
    expect(mine).toHaveLength(5);
    expect(mine.every((a) => a.iban.includes('00000400512'))).toBe(true);
    const eighth = await h.call('GET', '/v3/accounts/8', { as: bogazici });
    expect(eighth.json()).toMatchObject({ success: false, results: [{ errorCode: 'AccountNotFound' }] });
    const eighthTx = await h.call('GET', '/v3/accounts/8/transactions', { as: bogazici });
    expect(eighthTx.json().success).toBe(false);
    const first = (await h.call('GET', '/v3/accounts/1', { as: bogazici })).json().value.accountList[0];
    expect(first.iban).not.toBe('TR320020500000040036800001');
  });

  it('v2 routes serve the logged-in customer with accountNumber, fxCode and type; only for authorization-code tokens', async () => {
    const ziya = h.caller('app-anadolu', { flow: 'authorization_code', customerNo: '500101' });
    const res = await h.call('GET', '/v2/accounts', { as: ziya });
    const list = res.json().value.accountList as Record<string, unknown>[];
    expect(list).toHaveLength(4);
    expect(list[0]).toMatchObject({ accountNumber: 500101, fxCode: 'TL', type: 'CurrentAccount', customerName: 'ZİYAETTİN YILMAZ', name: 'Maaş Hesabı' });
    expect(list.map((a) => a.fxCode)).toEqual(['TL', 'USD', 'EUR', 'ALT']);
    const one = (await h.call('GET', '/v2/accounts/4', { as: ziya })).json().value.accountList;
    expect(one[0]).toMatchObject({ suffix: 4, fxId: 24, fxCode: 'ALT' });
    const tx = (await h.call('GET', '/v2/accounts/2/transactions?itemCount=3', { as: ziya })).json().value.accountActivities;
    expect(tx).toHaveLength(3);
    expect(tx[0].fxCode).toBe('USD');
    // client-credentials token on a customer endpoint: the live gateway's 401.
    const cc = await h.call('GET', '/v2/accounts');
    expect(cc.statusCode).toBe(401);
    expect(cc.body).toBe('Invalid grant type. Authorization Code is required.');
  });

  it('GET /v1/data/testcustomers and /v1/fx/rates', async () => {
    const customers = await h.call('GET', '/v1/data/testcustomers');
    expect(customers.json().value).toEqual([400368, 400512, 400777, 500101, 500202, 500303]);
    const rates = (await h.call('GET', '/v1/fx/rates')).json().value.rateList as Record<string, unknown>[];
    expect(rates.map((r) => r.fxId)).toEqual([1, 19, 24, 26, 27]);
    expect(rates[0]).toMatchObject({ fxCode: 'USD', fxName: 'Amerikan Doları' });
    const english = (await h.call('GET', '/v1/fx/rates', { headers: { languageid: '2' } })).json().value.rateList;
    expect(english[0].fxName).toBe('US Dollar');
    for (const r of rates) expect(r.sellRate as number).toBeGreaterThan(r.buyRate as number);
  });

  it('GET /v1/moneytransfer/{iban}/customeribaninfo masks the holder', async () => {
    const res = await h.call('GET', '/v1/moneytransfer/TR320020500000040036800001/customeribaninfo');
    expect(res.json().value).toEqual({ customerName: 'An***** Te***** Sa**** ve Ti***** A.**', bankName: 'Kuveyt Türk Katılım Bankası A.Ş.', bankId: 205 });
    const retail = (await h.call('GET', `/v1/moneytransfer/${ibanFor('500101', 1).toLowerCase()}/customeribaninfo`)).json();
    expect(retail.value.customerName).toBe('Zi******* Yı****');
    const unknown = (await h.call('GET', `/v1/moneytransfer/${ibanFor('123456', 1)}/customeribaninfo`)).json();
    expect(unknown.results[0].errorCode).toBe('IbanNotFound');
    const invalid = await h.call('GET', '/v1/moneytransfer/TR330020500000040036800001/customeribaninfo');
    expect(invalid.json().results[0].errorCode).toBe('InvalidIban');
    const bad = await h.call('GET', '/v1/moneytransfer/not-an-iban!/customeribaninfo');
    expect(bad.statusCode).toBe(400);
  });
});
