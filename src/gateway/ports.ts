import type { KeyObject } from 'node:crypto';

/**
 * What the gateway needs from the identity server, and nothing more. The identity part implements these;
 * the composition root (src/app.ts) hands them over.
 */

export type TokenFlow = 'client_credentials' | 'authorization_code';

export interface AccessTokenInfo {
  clientId: string;
  scopes: readonly string[];
  flow: TokenFlow;
  /**
   * The bank customer whose data the token may see: the application's corporate customer for a
   * client-credentials token, the customer who logged in and consented for an authorization-code token.
   */
  customerNo: string;
  /** Unix seconds. */
  expiresAt: number;
}

export interface TokenVerifier {
  /** The token's grant, or null when it is unknown, expired or revoked. */
  verify(accessToken: string): Promise<AccessTokenInfo | null>;
}

export interface ClientKeyring {
  /**
   * The public key registered on the application now, and the keys it had before (newest first) plus any other
   * keys registered by the same customer's applications: the latter only serve the "signed with another
   * registered key" hint and never authenticate a call.
   */
  keysOf(clientId: string): Promise<{ current: KeyObject; others: readonly KeyObject[] } | null>;
}

/** One call the gateway answered, as the developer portal shows it. */
export interface GatewayCall {
  at: string;
  clientId: string;
  method: string;
  /** Path and query as sent. */
  url: string;
  status: number;
  executionReferenceId: string;
  /** The `Signature-Hint` header of a refused signature, else null. */
  signatureHint: string | null;
}

/** The gateway's recent calls per application (newest first): what the console reads. */
export interface GatewayCallLog {
  record(call: GatewayCall): void;
  recent(clientId: string, limit?: number): Promise<GatewayCall[]>;
}
