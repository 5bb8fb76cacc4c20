import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AccessTokenInfo, ClientKeyring, TokenVerifier } from '../../src/gateway/ports.js';

/**
 * Small real implementations of the gateway's two ports, for testing the gateway alone: a map of opaque random
 * tokens to grants (revocable, expiring) and real RSA key pairs per client.
 */
export class TestTokens implements TokenVerifier {
  readonly grants = new Map<string, AccessTokenInfo>();
  async verify(token: string): Promise<AccessTokenInfo | null> {
    return this.grants.get(token) ?? null;
  }
  issue(grant: Omit<AccessTokenInfo, 'expiresAt'> & { expiresAt?: number }): string {
    const token = randomBytes(32).toString('base64url');
    this.grants.set(token, { expiresAt: Math.floor(Date.now() / 1000) + 3600, ...grant });
    return token;
  }
  revoke(token: string): void {
    this.grants.delete(token);
  }
}

export interface TestClient {
  clientId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
}

export class TestKeyring implements ClientKeyring {
  readonly clients = new Map<string, { current: KeyObject; others: KeyObject[] }>();
  async keysOf(clientId: string) {
    return this.clients.get(clientId) ?? null;
  }
  register(clientId: string, bits = 2048): TestClient {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const previous = this.clients.get(clientId);
    this.clients.set(clientId, { current: publicKey, others: previous ? [previous.current, ...previous.others] : [] });
    return { clientId, privateKey, publicKey, privatePem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString() };
  }
}

/** What a correct client sends: RSA-SHA256 over token + payload, standard Base64. */
export function signRequest(privateKey: KeyObject, token: string, payload: string | Buffer = ''): string {
  return sign('sha256', Buffer.concat([Buffer.from(token, 'utf8'), Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8')]), privateKey).toString('base64');
}
