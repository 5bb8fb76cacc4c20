import { loadPrivateKey, type PrivateKeyInput } from '../signature.js';
import { Transport, type TransportOptions } from '../transport.js';
import { Accounts } from './accounts.js';
import { resolveBaseUrls, type KuveytTurkBaseUrls, type KuveytTurkEnvironment } from './environments.js';
import { Fx } from './fx.js';
import { Gateway, type Body, type Query, type TokenSource } from './gateway.js';
import { MoneyTransfer } from './money-transfer.js';
import { TestData } from './test-data.js';
import { IdentityClient, MemoryTokenStore, type TokenStore } from './tokens.js';
import type { Envelope } from './types.js';

export interface KuveytTurkOptions {
  clientId: string;
  clientSecret: string;
  /** PKCS#1 or PKCS#8 PEM, DER, or a KeyObject: the key whose public half is registered on the application. */
  privateKey: PrivateKeyInput;
  /** `sandbox` (default; = `test`) or `production`. */
  environment?: KuveytTurkEnvironment;
  /** Instead of an environment: the identity and gateway origins, or one origin serving both (imzala). */
  baseUrls?: KuveytTurkBaseUrls | string;
  /** Where authorization-code tokens are kept; in memory by default. */
  tokenStore?: TokenStore;
  /** `LanguageId` header on gateway calls: 1 Turkish, 2 English. */
  languageId?: 1 | 2;
  deviceId?: string;
  /** Renew tokens this many seconds before they expire; default 60. */
  refreshSkewSeconds?: number;
  transport?: TransportOptions;
}

/** The customer-flow APIs for one stored user (authorization-code tokens, refreshed with rotation). */
export interface CustomerSession {
  readonly key: string;
  readonly accounts: Accounts;
}

/** Kuveyt Türk API Market client: tokens, signed calls, and one class per resource family. */
export class KuveytTurk {
  readonly baseUrls: KuveytTurkBaseUrls;
  /** The OAuth2 side: client-credentials cache, authorization-code helpers, revocation. */
  readonly oauth: IdentityClient;
  readonly accounts: Accounts;
  readonly fx: Fx;
  readonly moneyTransfer: MoneyTransfer;
  readonly testData: TestData;
  private readonly gateway: Gateway;

  constructor(options: KuveytTurkOptions) {
    if (!options.clientId || !options.clientSecret) throw new TypeError('clientId and clientSecret are required');
    this.baseUrls = resolveBaseUrls(options.environment, options.baseUrls);
    const transport = new Transport(options.transport);
    this.oauth = new IdentityClient(
      {
        transport,
        identityUrl: this.baseUrls.identity,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        ...(options.refreshSkewSeconds !== undefined ? { refreshSkewSeconds: options.refreshSkewSeconds } : {}),
      },
      options.tokenStore ?? new MemoryTokenStore(),
    );
    this.gateway = new Gateway({
      transport,
      gatewayUrl: this.baseUrls.gateway,
      privateKey: loadPrivateKey(options.privateKey),
      languageId: options.languageId,
      deviceId: options.deviceId,
    });
    this.accounts = new Accounts(this.gateway, this.clientTokens(['accounts']), 'v3');
    this.fx = new Fx(this.gateway, this.clientTokens(['public']));
    this.moneyTransfer = new MoneyTransfer(this.gateway, this.clientTokens(['transfers']));
    this.testData = new TestData(this.gateway, this.clientTokens(['public']));
  }

  /** A token source for a client-credentials scope set (cached, renewed before expiry). */
  clientTokens(scopes: readonly string[]): TokenSource {
    return {
      token: async () => (await this.oauth.clientToken(scopes)).accessToken,
      rejected: async (token) => {
        this.oauth.forget(token);
        return true;
      },
    };
  }

  /** A token source for a user whose tokens sit in the token store under `key`. */
  userTokens(key: string): TokenSource {
    return {
      token: async () => (await this.oauth.userToken(key)).accessToken,
      rejected: async (token) => {
        const stored = await this.oauth.store.get(key);
        if (!stored?.refreshToken) return false;
        // Another request may already have rotated it; refresh only if the refused token is still the stored one.
        if (stored.accessToken === token) await this.oauth.refresh(key);
        return true;
      },
    };
  }

  customer(key: string): CustomerSession {
    return { key, accounts: new Accounts(this.gateway, this.userTokens(key), 'v2') };
  }

  /**
   * Any gateway call, signed: for endpoints the SDK has no class for yet. A string or byte body goes on the
   * wire untouched; an object is serialised once.
   */
  request<T = unknown>(call: {
    method: 'GET' | 'POST' | 'PUT' | 'DELETE';
    path: string;
    query?: Query;
    body?: Body;
    scopes?: readonly string[];
    tokens?: TokenSource;
    signal?: AbortSignal;
  }): Promise<Envelope<T>> {
    const tokens = call.tokens ?? this.clientTokens(call.scopes ?? ['public']);
    return this.gateway.call<T>({ method: call.method, path: call.path, query: call.query, body: call.body, tokens, signal: call.signal });
  }
}
