import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { createServer } from '../../src/platform/server.js';
import type { Account, AccountActivity, CustomerIbanInfo, FxRate, OperationStatus, SignatureInfo } from '../../src/sdk/index.js';
import { testDialect, testSystem } from '../helpers/platform.js';

// The SDK's response types against the response schemas the server's routes declare: a field the server adds
// or drops, or one the SDK types differently, fails here or at `tsc`. The schemas are collected as each part
// registers its routes: exactly what fastify serialises responses with.
const V3 = ['name', 'suffix', 'balance', 'availableBalance', 'fxId', 'iban', 'productType', 'openDate', 'branchName', 'branchId', 'customerName', 'isActive'] as const satisfies readonly (keyof Account)[];
const V2_EXTRA = ['accountNumber', 'fxCode', 'type'] as const satisfies readonly (keyof Account)[];
const ACTIVITY = ['suffix', 'date', 'description', 'amount', 'balance', 'fxCode', 'businessKey', 'seqNum', 'transactionCode', 'transactionReference', 'iban'] as const satisfies readonly (keyof AccountActivity)[];
const FX = ['fxCode', 'fxId', 'fxName', 'buyRate', 'sellRate'] as const satisfies readonly (keyof FxRate)[];
const IBAN_INFO = ['customerName', 'bankName', 'bankId'] as const satisfies readonly (keyof CustomerIbanInfo)[];
const STATUS = [
  'operationId', 'state', 'kind', 'fileName', 'size', 'sha256', 'parentOperationId', 'signedOperationId', 'signingOperationId', 'signingState', 'detail', 'createdAt', 'updatedAt',
] as const satisfies readonly (keyof OperationStatus)[];
const SIGNATURE = ['entityLabel', 'level', 'subjectRDN', 'timestamped', 'claimedSigningTime', 'citizenshipNo'] as const satisfies readonly (keyof SignatureInfo)[];

type Schema = { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; type?: string | string[] };

describe(`SDK types match the server's schemas (${testDialect})`, () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let app: FastifyInstance;
  const routes = new Map<string, Schema>();
  beforeAll(async () => {
    system = await testSystem();
    const collect = (route: RouteOptions): void => {
      const schema = (route.schema?.response as Record<string, Schema> | undefined)?.['200'];
      for (const method of [route.method].flat()) if (schema) routes.set(`${method} ${route.url}`.toLowerCase(), schema);
    };
    app = await createServer(
      system.platform,
      system.parts.map((part) => ({
        ...part,
        routes: part.routes && (async (scope: FastifyInstance) => {
          scope.addHook('onRoute', collect);
          await part.routes!(scope);
        }),
      })),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await system.cleanup();
  });

  const response = (path: string, method: 'get' | 'post'): Schema => {
    const schema = routes.get(`${method} ${path}`.toLowerCase());
    if (!schema) throw new Error(`${method.toUpperCase()} ${path} declares no 200 schema; routes: ${[...routes.keys()].join(', ')}`);
    return schema;
  };
  /** The banking envelope's `value` (anyOf [T, null]). */
  const value = (s: Schema): Schema => s.properties!.value!.anyOf?.find((a) => a.type !== 'null') ?? s.properties!.value!;
  const keys = (s: Schema): string[] => Object.keys(s.properties ?? {}).sort();
  const sorted = (k: readonly string[]): string[] => [...k].sort();

  it('banking: accounts v3/v2, activities, fx rates, IBAN info', () => {
    expect(keys(value(response('/v3/accounts', 'get')).properties!.accountList!.items!)).toEqual(sorted(V3));
    expect(keys(value(response('/v2/accounts', 'get')).properties!.accountList!.items!)).toEqual(sorted([...V3, ...V2_EXTRA]));
    expect(keys(value(response('/v3/accounts/:suffix/transactions', 'get')).properties!.accountActivities!.items!)).toEqual(sorted(ACTIVITY));
    expect(keys(value(response('/v1/fx/rates', 'get')).properties!.rateList!.items!)).toEqual(sorted(FX));
    expect(keys(value(response('/v1/moneytransfer/:iban/customeribaninfo', 'get')))).toEqual(sorted(IBAN_INFO));
    expect(keys(value(response('/v1/moneytransfer/outgoingmoneytransfer', 'post')))).toEqual(['moneyTransferTransactionId']);
  });

  it('e-signature: operation status, signature list and download results', () => {
    const result = (path: string): Schema => response(path, 'post').properties!.result!;
    expect(keys(result('/v2/CoreApiOperation/GetOperationStatusCore'))).toEqual(sorted(STATUS));
    expect(keys(result('/v2/CoreApiXades/GetSignatureListCore').items!)).toEqual(sorted(SIGNATURE));
    expect(keys(result('/v2/CoreApiFile/DownloadCore'))).toEqual(['fileData', 'fileName', 'operationId']);
  });

  it('the key lists cover every field of the SDK types', () => {
    expectTypeOf<Exclude<keyof Account, (typeof V3)[number] | (typeof V2_EXTRA)[number]>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof AccountActivity, (typeof ACTIVITY)[number]>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof FxRate, (typeof FX)[number]>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof CustomerIbanInfo, (typeof IBAN_INFO)[number]>>().toEqualTypeOf<never>();
    expectTypeOf<Exclude<keyof SignatureInfo, (typeof SIGNATURE)[number]>>().toEqualTypeOf<never>();
  });
});
