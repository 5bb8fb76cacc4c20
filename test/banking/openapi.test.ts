import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '../helpers/platform.js';
import { gatewayHarness, type Harness } from '../gateway/harness.js';

describe(`banking routes in the OpenAPI document (${testDialect})`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness();
  });
  afterAll(async () => h.close());

  it('documents every endpoint with its parameters', async () => {
    await h.app.ready();
    const doc = h.app.swagger() as { paths: Record<string, Record<string, { parameters?: { name: string }[] }>> };
    for (const p of ['/v1/data/testcustomers', '/v3/accounts', '/v3/accounts/{suffix}', '/v3/accounts/{suffix}/transactions', '/v2/accounts', '/v2/accounts/{suffix}', '/v2/accounts/{suffix}/transactions', '/v1/fx/rates', '/v1/moneytransfer/outgoingmoneytransfer', '/v1/moneytransfer/{iban}/customeribaninfo']) {
      expect(doc.paths[p], p).toBeDefined();
    }
    const names = doc.paths['/v3/accounts/{suffix}/transactions']!.get!.parameters!.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['suffix', 'itemCount', 'beginDate', 'endDate']));
  });
});
