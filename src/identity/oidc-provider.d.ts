// The parts of oidc-provider 8 this project uses (the package ships no types, and @types lags behind).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface KoaContextWithOIDC {
    method: string;
    /** The client's address (X-Forwarded-For first when `proxy` is on). */
    ip: string;
    path: string;
    query: Record<string, string | string[] | undefined>;
    status: number;
    body: unknown;
    type: string;
    oidc: {
      route?: string;
      client?: OidcClient;
      params?: Record<string, string | undefined>;
      [key: string]: unknown;
    };
    get(header: string): string;
    set(header: string, value: string): void;
  }

  export interface OidcClient {
    clientId: string;
    clientSecret?: string;
    scope?: string;
    grantTypeAllowed(type: string): boolean;
  }

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, string | undefined>;
    session?: { accountId?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
    exp: number;
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export interface AdapterPayload {
    [key: string]: unknown;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  type Middleware = (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    readonly issuer: string;
    readonly Client: { prototype: { compareClientSecret(actual: string): Promise<boolean> | boolean } & Record<string, unknown> };
    readonly Grant: (new (init: { accountId: string; clientId: string }) => GrantInstance) & {
      find(id: string): Promise<GrantInstance | undefined>;
    };
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    use(middleware: Middleware): void;
    on(event: string, listener: (...args: unknown[]) => void): this;
    registerGrantType(name: string, handler: Middleware, params?: Iterable<string>, dupes?: Iterable<string>): void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
  }

  export const errors: {
    OIDCProviderError: new (status: number, error: string) => Error & { error_description?: string };
    InvalidScope: new (description: string, scope?: string) => Error;
    InvalidRequest: new (description: string) => Error;
    InvalidGrant: new (description: string) => Error;
    [name: string]: new (...args: never[]) => Error;
  };
}

declare module 'oidc-provider/lib/actions/grants/client_credentials.js' {
  import type { KoaContextWithOIDC } from 'oidc-provider';
  export const handler: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>;
  export const parameters: Set<string>;
}
