import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { EXECUTION_REFERENCE_HEADER, GatewayBodyError, type Gateway } from '../gateway/gateway.js';
import { AccountBook, maskName, type AccountFilters, type AccountView } from './accounts.js';
import { parseBankTime, bankTime } from './clock.js';
import { businessFailure, envelopeSchema, ok, requestFailure } from './envelope.js';
import { fxRates } from './fx.js';
import { ibanFor, isValidTurkishIban, KUVEYT_TURK_BANK_CODE, normaliseIban } from './iban.js';
import { Amount, fxCodeOf, parseAmount, toWireJson } from './money.js';
import type { BankingTables } from './migrations.js';
import type { TransferDesk } from './transfers.js';

/** A malformed parameter the route itself rejects, answered 400 in the envelope. */
export class BankingRequestError extends Error {
  readonly code = 'ERR_BANKING_REQUEST';
  readonly statusCode = 400;
}

const BOOLEAN = { type: 'string', enum: ['true', 'false', 'True', 'False', 'TRUE', 'FALSE', '1', '0'] } as const;
const FILTERS = ['onlyHasAvailableBalance', 'onlyOpen', 'onlyWithNoBalance', 'onlyCurrent', 'sharedWithMultiSignature'] as const;
const SUFFIX_PARAMS = {
  type: 'object',
  required: ['suffix'],
  properties: { suffix: { type: 'string', pattern: '^[0-9]{1,3}$', description: 'the account suffix, 1-3 digits' } },
} as const;
const FILTER_QUERY = { type: 'object', properties: Object.fromEntries(FILTERS.map((f) => [f, BOOLEAN])) };
const ACTIVITY_QUERY = {
  type: 'object',
  properties: {
    itemCount: { type: 'string', pattern: '^[0-9]{1,4}$', description: '1-1000 activities, newest first' },
    beginDate: { type: 'string', maxLength: 19, description: 'YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss, bank local time, inclusive' },
    endDate: { type: 'string', maxLength: 19, description: 'YYYY-MM-DD (whole day) or YYYY-MM-DDTHH:mm:ss, inclusive' },
  },
} as const;

const num = { type: 'number' } as const;
const str = { type: 'string' } as const;
const ACCOUNT_V3 = {
  name: str, suffix: num, balance: num, availableBalance: num, fxId: num, iban: str, productType: str, openDate: str,
  branchName: str, branchId: num, customerName: str, isActive: num,
};
const ACCOUNT_V2 = { ...ACCOUNT_V3, accountNumber: num, fxCode: str, type: str };
const ACTIVITY = {
  suffix: num, date: str, description: str, amount: num, balance: num, fxCode: str, businessKey: str, seqNum: num,
  transactionCode: str, transactionReference: str, iban: str,
};
const obj = (properties: object) => ({ type: 'object', properties });
const accountListSchema = (fields: object) => envelopeSchema(obj({ accountList: { type: 'array', items: obj(fields) } }));
const activitiesSchema = envelopeSchema(obj({ accountActivities: { type: 'array', items: obj(ACTIVITY) } }));

const TRANSFER_FIELDS = [
  'senderAccountSuffix', 'receiverIban', 'receiverAccountNumber', 'receiverAccountSuffix', 'moneyTransferAmount',
  'moneyTransferDescription', 'transferType', 'corporateWebUserName',
];
/** Numbers may come as JSON numbers or numeric strings, as ASP.NET's binder accepts both. */
const DIGITS = (max: number) => ({
  anyOf: [{ type: 'integer', minimum: 0, maximum: 10 ** max - 1 }, { type: 'string', pattern: `^[0-9]{1,${max}}$` }],
});
const TRANSFER_BODY = {
  type: 'object',
  required: ['senderAccountSuffix', 'moneyTransferAmount', 'corporateWebUserName'],
  // The receiver by IBAN (the API's table), or by account number and suffix (the vendor PDF's sample).
  anyOf: [{ required: ['receiverIban'] }, { required: ['receiverAccountNumber', 'receiverAccountSuffix'] }],
  properties: {
    senderAccountSuffix: DIGITS(3),
    receiverIban: { type: 'string', minLength: 1, maxLength: 42 },
    receiverAccountNumber: DIGITS(11),
    receiverAccountSuffix: DIGITS(3),
    moneyTransferAmount: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'string', maxLength: 20 }] },
    moneyTransferDescription: { type: 'string', maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]*$' },
    transferType: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 10 }] },
    corporateWebUserName: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

interface TransferBody {
  senderAccountSuffix: number | string;
  receiverIban?: string;
  receiverAccountNumber?: number | string;
  receiverAccountSuffix?: number | string;
  moneyTransferAmount: number | string;
  moneyTransferDescription?: string;
  corporateWebUserName: string;
}

function productKind(a: BankingTables['banking_accounts']): string {
  if (!a.is_current) return 'ParticipationAccount';
  return a.fx_id >= 24 ? 'PreciousMetalAccount' : 'CurrentAccount';
}

const upperCaseNames = new Map<string, string>();

/** Customer names are few and never change at runtime, and ICU's Turkish upper-casing costs more than the whole row. */
function upperCaseTurkish(name: string): string {
  let upper = upperCaseNames.get(name);
  if (upper === undefined) {
    upper = name.toLocaleUpperCase('tr-TR');
    if (upperCaseNames.size >= 10_000) upperCaseNames.clear();
    upperCaseNames.set(name, upper);
  }
  return upper;
}

function accountV3({ account: a, branchName, customerName }: AccountView) {
  return {
    name: a.name,
    suffix: a.suffix,
    balance: new Amount(a.balance),
    availableBalance: new Amount(a.available_balance),
    fxId: a.fx_id,
    iban: a.iban,
    productType: a.product_type,
    openDate: a.open_date,
    branchName,
    branchId: a.branch_id,
    customerName: upperCaseTurkish(customerName),
    isActive: a.is_active,
  };
}

function accountV2(view: AccountView) {
  return { ...accountV3(view), accountNumber: Number(view.account.customer_no), fxCode: fxCodeOf(view.account.fx_id), type: productKind(view.account) };
}

function truthy(v: string | undefined): boolean {
  return v !== undefined && (v.toLowerCase() === 'true' || v === '1');
}

function filtersOf(query: Record<string, string | undefined>): AccountFilters {
  const filters: AccountFilters = {};
  for (const f of FILTERS) if (truthy(query[f])) filters[f] = true;
  return filters;
}

function customerOf(request: FastifyRequest): string {
  // The gateway rejects any request without a grant before a handler runs.
  return request.gateway.grant!.customerNo;
}

/** ASP.NET binds JSON properties case-insensitively; clients send PascalCase (as the PDF does) or camelCase. */
function canonicalKeys(body: unknown, names: readonly string[]): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [byLower.get(k.toLowerCase()) ?? k, v]));
}

export interface BankingRouteDeps {
  gateway: Gateway;
  book: AccountBook;
  desk: TransferDesk;
}

/** The API Market's banking endpoints, behind the gateway, in their own encapsulated context. */
export function bankingRoutes({ gateway, book, desk }: BankingRouteDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    gateway.protect(app);
    app.setSerializerCompiler(() => (data) => toWireJson(data));
    app.setReplySerializer((payload) => toWireJson(payload));
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const id = request.gateway?.executionReferenceId ?? randomUUID();
      reply.header(EXECUTION_REFERENCE_HEADER, id);
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
      if (status === 500) {
        request.log.error({ err: error, executionReferenceId: id }, 'banking: unhandled error');
        return reply.code(500).send(requestFailure(id, 'InternalError', 'An unexpected error occurred.'));
      }
      const code = error.validation ? 'InvalidParameter' : error instanceof GatewayBodyError ? 'InvalidRequestBody' : error instanceof BankingRequestError ? 'InvalidParameter' : (error.code ?? 'BadRequest');
      return reply.code(status).send(requestFailure(id, code, error.message));
    });

    const tags = ['Kuveyt Türk API Market'];
    // Documented, not validated: the gateway has answered for missing or wrong ones before validation runs.
    const headers = {
      type: 'object',
      properties: {
        authorization: { type: 'string', description: 'Bearer <access token from /connect/token>' },
        signature: { type: 'string', description: 'Base64 RSA-SHA256 over the UTF-8 of token + body (POST) or token + "?" + raw query (GET)' },
        languageid: { type: 'string', description: '1 Turkish (default), 2 English: the language of business error messages' },
      },
    };

    app.get('/v1/data/testcustomers', {
      config: { gateway: { scope: 'public', flow: 'client_credentials' } },
      schema: { tags, headers, summary: 'The sandbox customer numbers', response: { 200: envelopeSchema({ type: 'array', items: num }) } },
    }, async (request) => ok(request, (await book.customerNumbers()).map(Number)));

    const listRoute = (version: 'v2' | 'v3') => {
      const flow = version === 'v2' ? ('authorization_code' as const) : undefined;
      const shape = version === 'v2' ? accountV2 : accountV3;
      const schema = accountListSchema(version === 'v2' ? ACCOUNT_V2 : ACCOUNT_V3);
      app.get<{ Querystring: Record<string, string> }>(`/${version}/accounts`, {
        config: { gateway: { scope: 'accounts', flow } },
        schema: { tags, headers, summary: `Accounts (${version})`, querystring: FILTER_QUERY, response: { 200: schema } },
      }, async (request) => ok(request, { accountList: (await book.accounts(customerOf(request), filtersOf(request.query))).map(shape) }));

      app.get<{ Params: { suffix: string }; Querystring: Record<string, string> }>(`/${version}/accounts/:suffix`, {
        config: { gateway: { scope: 'accounts', flow } },
        schema: { tags, headers, summary: `One account by suffix (${version})`, params: SUFFIX_PARAMS, querystring: FILTER_QUERY, response: { 200: schema } },
      }, async (request) => {
        const list = await book.accounts(customerOf(request), filtersOf(request.query), Number(request.params.suffix));
        if (list.length === 0) return businessFailure(request, 'AccountNotFound');
        return ok(request, { accountList: list.map(shape) });
      });

      app.get<{ Params: { suffix: string }; Querystring: { itemCount?: string; beginDate?: string; endDate?: string } }>(`/${version}/accounts/:suffix/transactions`, {
        config: { gateway: { scope: 'accounts', flow } },
        schema: { tags, headers, summary: `Account activities, newest first (${version})`, params: SUFFIX_PARAMS, querystring: ACTIVITY_QUERY, response: { 200: activitiesSchema } },
      }, async (request) => {
        const { itemCount, beginDate, endDate } = request.query;
        const count = itemCount === undefined ? undefined : Number(itemCount);
        if (count !== undefined && (count < 1 || count > 1000)) throw new BankingRequestError('itemCount must be between 1 and 1000');
        const bound = (text: string | undefined, name: string, endOfDay: boolean): string | undefined => {
          if (text === undefined) return undefined;
          const at = parseBankTime(text);
          if (at === null) throw new BankingRequestError(`${name} must be YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss`);
          return bankTime(at + (endOfDay && text.length === 10 ? 86_399_000 : 0));
        };
        const from = bound(beginDate, 'beginDate', false);
        const to = bound(endDate, 'endDate', true);
        if (from && to && from > to) throw new BankingRequestError('beginDate must not be after endDate');
        const found = await book.activities(customerOf(request), Number(request.params.suffix), { itemCount: count, from, to });
        if (!found) return businessFailure(request, 'AccountNotFound');
        const { account, activities } = found;
        return ok(request, {
          accountActivities: activities.map((t) => ({
            suffix: account.suffix,
            date: t.booked_at,
            description: t.description,
            amount: new Amount(t.amount),
            balance: new Amount(t.balance),
            fxCode: fxCodeOf(account.fx_id),
            businessKey: t.business_key,
            seqNum: t.seq_num,
            transactionCode: t.transaction_code,
            transactionReference: t.transaction_reference,
            iban: account.iban,
          })),
        });
      });
    };
    listRoute('v3');
    listRoute('v2');

    app.get('/v1/fx/rates', {
      config: { gateway: { scope: 'public' } },
      schema: {
        tags, headers, summary: 'Board FX rates in TL',
        response: { 200: envelopeSchema(obj({ rateList: { type: 'array', items: obj({ fxCode: str, fxId: num, fxName: str, buyRate: num, sellRate: num }) } })) },
      },
    }, async (request) => ok(request, { rateList: fxRates(request.gateway.languageId) }));

    app.post<{ Body: TransferBody }>(
      '/v1/moneytransfer/outgoingmoneytransfer',
      {
        config: { gateway: { scope: 'transfers', flow: 'client_credentials' } },
        preValidation: async (request) => {
          request.body = canonicalKeys(request.body, TRANSFER_FIELDS) as TransferBody;
        },
        schema: {
          tags, headers, summary: 'Transfer between sandbox accounts (receiver by IBAN, or by account number and suffix)', body: TRANSFER_BODY,
          response: { 200: envelopeSchema(obj({ moneyTransferTransactionId: num })) },
        },
      },
      async (request) => {
        const b = request.body;
        const amount = parseAmount(b.moneyTransferAmount);
        if (amount === null || amount === 0) return businessFailure(request, 'InvalidAmount');
        const receiverIban = b.receiverIban ?? ibanFor(String(Number(b.receiverAccountNumber)), Number(b.receiverAccountSuffix));
        const result = await desk.transfer(customerOf(request), {
          senderAccountSuffix: Number(b.senderAccountSuffix),
          receiverIban,
          amount,
          description: b.moneyTransferDescription ?? '',
          corporateWebUserName: b.corporateWebUserName,
        });
        if (!result.ok) return businessFailure(request, result.code);
        return ok(request, { moneyTransferTransactionId: result.moneyTransferTransactionId });
      },
    );

    app.get<{ Params: { iban: string } }>('/v1/moneytransfer/:iban/customeribaninfo', {
      config: { gateway: { scope: 'transfers' } },
      schema: {
        tags, headers, summary: 'Masked holder name of an IBAN',
        params: { type: 'object', required: ['iban'], properties: { iban: { type: 'string', pattern: '^[A-Za-z0-9]{15,34}$' } } },
        response: { 200: envelopeSchema(obj({ customerName: str, bankName: str, bankId: num })) },
      },
    }, async (request) => {
      const iban = normaliseIban(request.params.iban);
      if (!isValidTurkishIban(iban)) return businessFailure(request, 'InvalidIban');
      const holder = iban.slice(4, 9) === KUVEYT_TURK_BANK_CODE ? await book.holderOf(iban) : null;
      if (!holder) return businessFailure(request, 'IbanNotFound');
      return ok(request, { customerName: maskName(holder.name), bankName: 'Kuveyt Türk Katılım Bankası A.Ş.', bankId: Number(KUVEYT_TURK_BANK_CODE) });
    });
  };
}
