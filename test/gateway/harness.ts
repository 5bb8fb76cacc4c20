import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { openSystem, type System } from '../../src/app.js';
import { createBankingPart, type BankingPart } from '../../src/banking/part.js';
import { createGateway, type GatewayOptions } from '../../src/gateway/gateway.js';
import type { AccessTokenInfo } from '../../src/gateway/ports.js';
import { createLogger } from '../../src/platform/logger.js';
import { createServer } from '../../src/platform/server.js';
import { testConfig } from '../helpers/platform.js';
import { signRequest, TestKeyring, TestTokens, type TestClient } from './ports.js';

export interface Caller {
  client: TestClient;
  token: string;
}

export interface CallOptions {
  as?: Caller;
  body?: string;
  headers?: Record<string, string>;
  /** Overrides the correct signature. */
  signature?: string;
}

/**
 * The banking part behind a real gateway on a fresh, seeded database, with the gateway's ports given by
 * small real implementations (tokens map, RSA keys). Log lines are kept so tests can check what was logged.
 */
export async function gatewayHarness(options: GatewayOptions = { rate: 1000, burst: 1000 }) {
  const { config, cleanup } = await testConfig();
  const logLines: string[] = [];
  const log = createLogger('info', { write: (line: string) => void logLines.push(line) });
  const system: System = await openSystem(config, log);
  const tokens = new TestTokens();
  const keyring = new TestKeyring();
  const gateway = createGateway(system.platform, { tokens, keyring }, options);
  const bank: BankingPart = createBankingPart(system.platform, { gateway });
  const app: FastifyInstance = await createServer(system.platform, [bank]);

  const clients = new Map<string, TestClient>();
  function caller(clientId: string, grant: Partial<Omit<AccessTokenInfo, 'clientId'>> = {}): Caller {
    let client = clients.get(clientId);
    if (!client) {
      client = keyring.register(clientId);
      clients.set(clientId, client);
    }
    const token = tokens.issue({ clientId, scopes: ['public', 'accounts', 'transfers'], flow: 'client_credentials', customerNo: '400368', ...grant });
    return { client, token };
  }
  const anadolu = caller('app-anadolu');

  function sign(key: KeyObject, token: string, method: string, url: string, body?: string): string {
    const q = url.indexOf('?');
    const payload = method === 'GET' ? (q < 0 ? '' : url.slice(q)) : (body ?? '');
    return signRequest(key, token, payload);
  }

  async function call(method: 'GET' | 'POST', url: string, opts: CallOptions = {}): Promise<LightMyRequestResponse> {
    const who = opts.as ?? anadolu;
    const headers: Record<string, string> = {
      authorization: `Bearer ${who.token}`,
      signature: opts.signature ?? sign(who.client.privateKey, who.token, method, url, opts.body),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    };
    return app.inject({ method, url, headers, ...(opts.body !== undefined ? { payload: opts.body } : {}) });
  }

  return {
    app,
    system,
    config,
    tokens,
    keyring,
    bank,
    logLines,
    anadolu,
    caller,
    sign,
    call,
    close: async () => {
      await app.close();
      await system.close();
      // pg's pool.end() resolves before every socket has closed; DROP DATABASE … WITH (FORCE) in cleanup
      // would then kill backends still saying goodbye, and pg reports that as an unhandled FATAL error.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await cleanup();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof gatewayHarness>>;
