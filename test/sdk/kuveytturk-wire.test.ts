import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import {
  ApiError,
  AuthenticationError,
  BusinessError,
  KuveytTurk,
  MemoryTokenStore,
  NetworkError,
  RateLimitError,
  ScopeError,
  SignatureError,
} from '../../src/sdk/index.js';
import { opensslVerifies, RecordingServer, testKeys, type Handler, type RecordedRequest } from './helpers/recorder.js';

const keys = testKeys();
let server: RecordingServer;
let issued = 0;
let expiresIn = 3600;
let routes: Handler = () => ({ status: 404, text: 'Path not found' });

const ok = (value: unknown) => ({ json: { value, success: true, results: [], errors: [], executionReferenceId: 'ref-1' } });

beforeAll(async () => {
  server = await new RecordingServer((req) => {
    if (req.path === '/connect/token') {
      const form = new URLSearchParams(req.body.toString());
      issued++;
      const body: Record<string, unknown> = { access_token: `tok-${issued}-${form.get('scope') ?? form.get('grant_type')}`, expires_in: expiresIn, token_type: 'Bearer', scope: form.get('scope') ?? 'accounts offline_access' };
      if (form.get('grant_type') !== 'client_credentials') body.refresh_token = `rt-${issued}`;
      return { json: body };
    }
    if (req.path === '/connect/revocation') return { text: '' };
    return routes(req);
  }).start();
});
afterEach(() => {
  server.requests.length = 0;
  expiresIn = 3600;
  routes = () => ({ status: 404, text: 'Path not found' });
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(keys.dir, { recursive: true, force: true });
});

const client = (privateKey = keys.pkcs8, extra: Partial<ConstructorParameters<typeof KuveytTurk>[0]> = {}) =>
  new KuveytTurk({ clientId: 'app', clientSecret: 's3cret', privateKey, baseUrls: server.url, transport: { backoffBaseMs: 1, backoffMaxMs: 5 }, ...extra });

/** The gateway's check, done by openssl over the recorded bytes: token + body, or token + "?" + raw query. */
function signedAsSent(req: RecordedRequest): boolean {
  const token = String(req.headers.authorization).replace(/^Bearer /, '');
  const payload = req.method === 'GET' ? (req.rawQuery === '' ? '' : `?${req.rawQuery}`) : req.body;
  return opensslVerifies(keys, Buffer.concat([Buffer.from(token, 'utf8'), Buffer.from(payload)]), String(req.headers.signature));
}

describe('the bytes signed are the bytes sent', () => {
  it('a transfer body with Turkish letters, serialised once (PKCS#1 key)', async () => {
    routes = () => ok({ moneyTransferTransactionId: 42 });
    const kt = client(keys.pkcs1);
    const transfer = { senderAccountSuffix: 1, receiverIban: 'TR320020500000040036800001', moneyTransferAmount: 150.5, moneyTransferDescription: 'Kira ödemesi şubat — İĞÜŞÖÇ ı', corporateWebUserName: 'gökçül' };
    const res = await kt.moneyTransfer.outgoing(transfer);
    expect(res.moneyTransferTransactionId).toBe(42);
    const [req] = server.on('/v1/moneytransfer/outgoingmoneytransfer');
    expect(req!.body.toString('utf8')).toBe(JSON.stringify(transfer));
    expect(req!.headers['content-type']).toMatch(/application\/json/);
    expect(signedAsSent(req!)).toBe(true);
    // The check can fail: the same signature does not cover a re-serialised body.
    expect(signedAsSent({ ...req!, body: Buffer.from(JSON.stringify(JSON.parse(req!.body.toString()), null, 2)) })).toBe(false);
  });

  it('a pretty-printed body passed as a string goes out untouched, newlines and indentation included', async () => {
    routes = () => ok({});
    const body = '{\r\n    "SenderAccountSuffix": 5,\n\t"MoneyTransferDescription": "Testinium Test ğ"\n}\n';
    await client().request({ method: 'POST', path: '/v1/moneytransfer/outgoingmoneytransfer', body, scopes: ['transfers'] });
    const [req] = server.requests.filter((r) => r.method === 'POST' && r.path !== '/connect/token');
    expect(req!.body.equals(Buffer.from(body, 'utf8'))).toBe(true);
    expect(signedAsSent(req!)).toBe(true);
  });

  it('queries with encoded characters and repeated keys, from an object and from a raw string', async () => {
    routes = () => ok({ accountList: [] });
    const kt = client();
    await kt.request({ method: 'GET', path: '/v3/accounts', scopes: ['accounts'], query: { q: 'şube ğ/&=+', tag: ['a b', 'ç'], n: 5 } });
    await kt.request({ method: 'GET', path: '/v3/accounts', scopes: ['accounts'], query: '?b=2&a=1&a=%C3%A7&z=ş ı&empty=' });
    const [fromObject, fromRaw] = server.on('/v3/accounts');
    expect(fromObject!.rawQuery).toBe('q=%C5%9Fube%20%C4%9F%2F%26%3D%2B&tag=a%20b&tag=%C3%A7&n=5');
    // Order and existing escapes kept; only what cannot travel raw is percent-encoded, and that is what is signed.
    expect(fromRaw!.rawQuery).toBe('b=2&a=1&a=%C3%A7&z=%C5%9F%20%C4%B1&empty=');
    expect(signedAsSent(fromObject!)).toBe(true);
    expect(signedAsSent(fromRaw!)).toBe(true);
  });

  it('a GET without a query signs the token alone; LanguageId and DeviceId travel when set', async () => {
    routes = () => ok({ rateList: [{ fxCode: 'USD', fxId: 1, fxName: 'Amerikan Doları', buyRate: 32.1, sellRate: 32.4 }] });
    const rates = await client(keys.pkcs8, { languageId: 2, deviceId: 'dev-1' }).fx.rates();
    expect(rates[0]!.fxCode).toBe('USD');
    const [req] = server.on('/v1/fx/rates');
    expect(req!.target).toBe('/v1/fx/rates');
    expect(req!.headers.languageid).toBe('2');
    expect(req!.headers.deviceid).toBe('dev-1');
    expect(signedAsSent(req!)).toBe(true);
  });
});

describe('tokens', () => {
  it('caches a client-credentials token per scope set and shares one request between concurrent callers', async () => {
    routes = (req) => (req.path.startsWith('/v3/accounts') ? ok({ accountList: [{ suffix: 1 }] }) : ok([1, 2]));
    const kt = client();
    await Promise.all([kt.accounts.list(), kt.accounts.get(1), kt.accounts.list({ onlyOpen: true })]);
    await kt.testData.customers();
    await kt.testData.customers();
    const tokenCalls = server.on('/connect/token').map((r) => new URLSearchParams(r.body.toString()));
    expect(tokenCalls.map((f) => f.get('scope'))).toEqual(['accounts', 'public']);
    expect(tokenCalls[0]!.get('client_id')).toBe('app');
    expect(tokenCalls[0]!.get('client_secret')).toBe('s3cret');
    expect(server.on('/v3/accounts')[1]!.rawQuery).toBe('onlyOpen=true');
  });

  it('renews a token that is within the skew of expiring', async () => {
    expiresIn = 30; // under the 60 s skew: never fresh enough to reuse
    routes = () => ok([1]);
    const kt = client();
    await kt.testData.customers();
    await kt.testData.customers();
    expect(server.on('/connect/token')).toHaveLength(2);
  });

  it('on a gateway 401 drops the token, fetches a new one and tries once more', async () => {
    let calls = 0;
    routes = () => (++calls === 1 ? { status: 401, text: '' } : ok([1]));
    await client().testData.customers();
    expect(server.on('/connect/token')).toHaveLength(2);
    const [first, second] = server.on('/v1/data/testcustomers');
    expect(first!.headers.authorization).not.toBe(second!.headers.authorization);
  });

  it('authorization code: PKCE S256, state checked, code exchanged, refresh rotated under a single flight, revoked', async () => {
    const store = new MemoryTokenStore();
    const kt = client(keys.pkcs8, { tokenStore: store });
    const start = kt.oauth.authorizationUrl({ redirectUri: 'https://app.example/cb', scopes: ['accounts', 'offline_access'], uiLocales: 'tr' });
    const url = new URL(start.url);
    expect(url.origin + url.pathname).toBe(`${server.url}/connect/authorize`);
    expect(url.searchParams.get('state')).toBe(start.state);
    expect(url.searchParams.get('code_challenge')).toBe(createHash('sha256').update(start.codeVerifier!).digest('base64url'));
    expect(url.searchParams.get('scope')).toBe('accounts offline_access');

    await expect(kt.oauth.handleCallback(`https://app.example/cb?code=c&state=forged`, { state: start.state, redirectUri: 'https://app.example/cb' })).rejects.toBeInstanceOf(AuthenticationError);
    await expect(
      kt.oauth.handleCallback(`https://app.example/cb?error=access_denied&state=${start.state}`, { state: start.state, redirectUri: 'https://app.example/cb' }),
    ).rejects.toMatchObject({ oauthError: 'access_denied' });

    const tokens = await kt.oauth.handleCallback(`https://app.example/cb?code=the-code&state=${start.state}`, {
      state: start.state,
      codeVerifier: start.codeVerifier,
      redirectUri: 'https://app.example/cb',
      storeAs: 'ayse',
    });
    const exchange = new URLSearchParams(server.on('/connect/token')[0]!.body.toString());
    expect(Object.fromEntries(exchange)).toMatchObject({ grant_type: 'authorization_code', code: 'the-code', code_verifier: start.codeVerifier, redirect_uri: 'https://app.example/cb' });
    expect((await store.get('ayse'))!.refreshToken).toBe(tokens.refreshToken);

    const [a, b] = await Promise.all([kt.oauth.refresh('ayse'), kt.oauth.refresh('ayse')]);
    expect(a).toBe(b);
    const refreshes = server.on('/connect/token').slice(1).map((r) => new URLSearchParams(r.body.toString()));
    expect(refreshes.map((f) => f.get('refresh_token'))).toEqual([tokens.refreshToken]);
    expect((await store.get('ayse'))!.refreshToken).toBe(a.refreshToken);
    expect(a.refreshToken).not.toBe(tokens.refreshToken);

    routes = () => ok({ accountList: [{ suffix: 7, accountNumber: 400368 }] });
    expect((await kt.customer('ayse').accounts.list())[0]!.suffix).toBe(7);
    expect(server.on('/v2/accounts')[0]!.headers.authorization).toBe(`Bearer ${a.accessToken}`);

    await kt.oauth.revokeStored('ayse');
    const revoked = server.on('/connect/revocation').map((r) => Object.fromEntries(new URLSearchParams(r.body.toString())));
    expect(revoked.map((f) => f.token_type_hint)).toEqual(['refresh_token', 'access_token']);
    expect(await store.get('ayse')).toBeUndefined();
  });
});

describe('errors and retries', () => {
  it('maps each gateway answer to its family, with status and reference id', async () => {
    const kt = client();
    routes = () => ({ status: 400, headers: { 'signature-hint': 'query not signed', 'x-request-id': 'r-9' }, json: { code: 400, message: 'Client signature validation error' } });
    const sig = await kt.fx.rates().catch((e: unknown) => e);
    expect(sig).toBeInstanceOf(SignatureError);
    expect(sig).toMatchObject({ status: 400, hint: 'query not signed', referenceId: 'r-9', code: 'ERR_SIGNATURE' });

    routes = () => ({ status: 403, text: 'Invalid Scope' });
    await expect(kt.fx.rates()).rejects.toMatchObject({ constructor: ScopeError, status: 403, message: 'Invalid Scope' });

    routes = () => ({ json: { value: null, success: false, results: [{ errorCode: 'KT-101', errorMessage: 'Yetersiz bakiye' }], errors: [], executionReferenceId: 'exec-7' } });
    const business = await kt.moneyTransfer.outgoing({ senderAccountSuffix: 1, receiverIban: 'TR', moneyTransferAmount: 1, moneyTransferDescription: 'x', corporateWebUserName: 'u' }).catch((e: unknown) => e);
    expect(business).toBeInstanceOf(BusinessError);
    expect(business).toMatchObject({ status: 200, referenceId: 'exec-7', results: [{ errorCode: 'KT-101', errorMessage: 'Yetersiz bakiye' }] });

    routes = () => ({ status: 404, text: 'Path not found' });
    await expect(kt.request({ method: 'GET', path: '/v9/nothing' })).rejects.toMatchObject({ constructor: ApiError, status: 404 });

    routes = () => ({ status: 401, text: 'Invalid grant type. Authorization Code is required.' });
    await expect(kt.fx.rates()).rejects.toMatchObject({ constructor: AuthenticationError, status: 401 });
  });

  it('identity errors: invalid_client is an AuthenticationError, invalid_scope a ScopeError', async () => {
    const bad = new RecordingServer((req) => {
      const scope = new URLSearchParams(req.body.toString()).get('scope');
      return scope === 'nope'
        ? { status: 400, json: { error: 'invalid_scope' } }
        : { status: 401, json: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    });
    await bad.start();
    try {
      const kt = new KuveytTurk({ clientId: 'x', clientSecret: 'y', privateKey: keys.pkcs1, baseUrls: bad.url });
      await expect(kt.fx.rates()).rejects.toMatchObject({ constructor: AuthenticationError, oauthError: 'invalid_client', status: 401 });
      await expect(kt.request({ method: 'GET', path: '/x', scopes: ['nope'] })).rejects.toBeInstanceOf(ScopeError);
    } finally {
      await bad.stop();
    }
  });

  it('a GET is retried on 5xx and on 429 after Retry-After; a long Retry-After comes back as RateLimitError', async () => {
    let calls = 0;
    routes = () => (++calls === 1 ? { status: 503, text: 'busy' } : calls === 2 ? { status: 429, headers: { 'retry-after': '0' }, text: '' } : ok([1]));
    await client().testData.customers();
    expect(server.on('/v1/data/testcustomers')).toHaveLength(3);

    routes = () => ({ status: 429, headers: { 'retry-after': '120' }, text: 'slow down' });
    await expect(client().testData.customers()).rejects.toMatchObject({ constructor: RateLimitError, retryAfter: 120, status: 429 });
  });

  it('a money transfer is never retried blindly: not on 5xx, not after the connection dropped mid-call', async () => {
    const transfer = { senderAccountSuffix: 1, receiverIban: 'TR320020500000040036800001', moneyTransferAmount: 1, moneyTransferDescription: 'x', corporateWebUserName: 'u' };
    routes = () => ({ status: 502, text: 'bad gateway' });
    await expect(client().moneyTransfer.outgoing(transfer)).rejects.toMatchObject({ constructor: ApiError, status: 502 });
    expect(server.on('/v1/moneytransfer/outgoingmoneytransfer')).toHaveLength(1);

    server.requests.length = 0;
    routes = () => 'destroy';
    const err = await client().moneyTransfer.outgoing(transfer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).sent).toBe(true);
    expect(server.on('/v1/moneytransfer/outgoingmoneytransfer')).toHaveLength(1);

    // A GET that lost its connection is repeated.
    server.requests.length = 0;
    await expect(client().fx.rates()).rejects.toBeInstanceOf(NetworkError);
    expect(server.on('/v1/fx/rates')).toHaveLength(3);
  });

  it('a refused connection is a NetworkError that was not sent', async () => {
    const closed = new RecordingServer(() => ({ text: '' }));
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const err = await new KuveytTurk({ clientId: 'a', clientSecret: 'b', privateKey: keys.pkcs8, baseUrls: url, transport: { maxRetries: 0 } }).fx.rates().catch((e: unknown) => e);
    expect(err).toMatchObject({ constructor: NetworkError, sent: false, code: 'ERR_NETWORK' });
  });
});

describe('accounts.iterateTransactions', () => {
  it('walks date windows newest first, fetching the next window only when asked', async () => {
    routes = (req) => {
      const q = new URLSearchParams(req.rawQuery);
      return ok({ accountActivities: [{ suffix: 1, date: `${q.get('endDate')}T12:00:00`, amount: -1 }] });
    };
    const seen: string[] = [];
    for await (const activity of client().accounts.iterateTransactions(1, { from: '2024-01-01', to: '2024-03-10', windowDays: 30 })) {
      seen.push(activity.date.slice(0, 10));
      if (seen.length === 2) break;
    }
    const windows = server.on('/v3/accounts/1/transactions').map((r) => r.rawQuery);
    expect(windows).toEqual(['beginDate=2024-02-10&endDate=2024-03-10', 'beginDate=2024-01-11&endDate=2024-02-09']);
    expect(seen).toEqual(['2024-03-10', '2024-02-09']);

    server.requests.length = 0;
    const all = [];
    for await (const a of client().accounts.iterateTransactions(1, { from: '2024-01-01', to: '2024-03-10', windowDays: 30, itemCount: 50 })) all.push(a);
    const last = server.on('/v3/accounts/1/transactions').map((r) => r.rawQuery);
    expect(last).toHaveLength(3);
    expect(last[2]).toBe('itemCount=50&beginDate=2024-01-01&endDate=2024-01-10');
  });

  it('a Date is the bank\'s local day (Istanbul, UTC+3): 22:30 UTC is already tomorrow there', async () => {
    routes = () => ok({ accountActivities: [] });
    await client().accounts.transactions(1, { beginDate: new Date('2024-03-10T20:59:59Z'), endDate: new Date('2024-03-10T22:30:00Z') });
    expect(server.on('/v3/accounts/1/transactions')[0]!.rawQuery).toBe('beginDate=2024-03-10&endDate=2024-03-11');
  });
});
