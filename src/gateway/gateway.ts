import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { envNumber } from '../platform/config.js';
import type { Platform } from '../platform/platform.js';
import { RingCallLog } from './call-log.js';
import { RedisCallLog } from './redis-call-log.js';
import type { AccessTokenInfo, ClientKeyring, GatewayCallLog, TokenFlow, TokenVerifier } from './ports.js';
import { diagnose, isStrictBase64, signedData, type SignedRequest } from './signature.js';
import { verifyOnThread } from './verify-thread.js';

/** What a route behind the gateway requires of the token. */
export interface RouteRule {
  scope: string;
  /** Only this grant may call the route; any grant when absent. */
  flow?: TokenFlow;
}

/** What the gateway established about a request, on `request.gateway` in a protected context. */
export interface GatewayContext {
  executionReferenceId: string;
  /** 1 Turkish (default), 2 English: the `LanguageId` header. */
  languageId: 1 | 2;
  grant: AccessTokenInfo | null;
  rawBody: Buffer | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    gateway: GatewayContext;
  }
  interface FastifyContextConfig {
    gateway?: RouteRule;
  }
}

export interface GatewayPorts {
  tokens: TokenVerifier;
  keyring: ClientKeyring;
}

export interface GatewayOptions {
  /** Requests a second per client (env IMZALA_GATEWAY_RATE, default 20). */
  rate?: number;
  /** Bucket size per client (env IMZALA_GATEWAY_BURST, default 40). */
  burst?: number;
}

/** A body the client sent that is not what the route's content type says; the route's error handler shapes it. */
export class GatewayBodyError extends Error {
  readonly code = 'ERR_GATEWAY_BODY';
  readonly statusCode = 400;
}

export interface Gateway {
  /** Puts every route registered in `scope` (an encapsulated context) behind the gateway. */
  protect(scope: FastifyInstance): void;
  /** The gateway's answer for an unknown path in its URL space. */
  notFound: { matches(url: string): boolean; reply(request: FastifyRequest, reply: FastifyReply): unknown };
  /** Recent calls per application whose token was recognised (the developer portal's view). */
  readonly calls: GatewayCallLog;
}

export const EXECUTION_REFERENCE_HEADER = 'executionReferenceId';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const SIGNATURE_ERROR = '{"code":400,"message":"Client signature validation error"}';

function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1] ?? null;
}

function rawQueryOf(url: string): string | null {
  const i = url.indexOf('?');
  return i < 0 ? null : url.slice(i + 1);
}

/**
 * The API gateway in front of the banking APIs, answering as the live Kuveyt Türk gateway does: bearer token,
 * then rate limit, then the request signature, then grant type and scope. Its failure bodies are the live ones
 * byte for byte; a failed signature also gets a `Signature-Hint` header naming the client's likely mistake.
 */
export function createGateway(platform: Pick<Platform, 'config' | 'rateLimit' | 'redis' | 'log'>, ports: GatewayPorts, options: GatewayOptions = {}): Gateway {
  const { config } = platform;
  const limiter = platform.rateLimit(
    'gateway',
    options.rate ?? envNumber(config.env, 'IMZALA_GATEWAY_RATE', 20),
    options.burst ?? envNumber(config.env, 'IMZALA_GATEWAY_BURST', 40),
  );

  const calls: GatewayCallLog = platform.redis ? new RedisCallLog(platform.redis.client, platform.redis.prefix, platform.log) : new RingCallLog();

  const unauthorized = (reply: FastifyReply): FastifyReply =>
    reply.code(401).header('www-authenticate', 'Bearer').header('content-type', 'text/plain; charset=utf-8').send('');

  const text = (reply: FastifyReply, status: number, body: string): FastifyReply =>
    reply.code(status).header('content-type', 'text/plain; charset=utf-8').send(body);

  async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const executionReferenceId = randomUUID();
    reply.header(EXECUTION_REFERENCE_HEADER, executionReferenceId);
    request.gateway = {
      executionReferenceId,
      languageId: String(request.headers.languageid ?? '').trim() === '2' ? 2 : 1,
      grant: null,
      rawBody: null,
    };
    const token = bearerToken(request.headers.authorization);
    if (!token) return unauthorized(reply);
    const grant = await ports.tokens.verify(token);
    if (!grant || grant.expiresAt * 1000 <= Date.now()) return unauthorized(reply);
    request.gateway.grant = grant;
    const wait = await limiter.take(grant.clientId);
    if (wait > 0) {
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .header('content-type', 'application/json; charset=utf-8')
        .send('{"code":429,"message":"Too many requests"}');
    }
    // Without a body there is nothing to wait for: the signature is over the token and the query alone.
    return BODY_METHODS.has(request.method) ? undefined : authorise(request, reply, grant, token);
  }

  /** Signature, then grant type, then scope. */
  async function authorise(request: FastifyRequest, reply: FastifyReply, grant: AccessTokenInfo, token: string): Promise<FastifyReply | undefined> {
    const header = request.headers.signature;
    const signatureHeader = (Array.isArray(header) ? header[0] : header)?.trim() ?? '';
    if (signatureHeader === '') return text(reply, 400, 'Signature header parameter is empty.');

    const signed: SignedRequest = {
      token,
      body: BODY_METHODS.has(request.method) ? (request.gateway.rawBody ?? Buffer.alloc(0)) : null,
      rawQuery: BODY_METHODS.has(request.method) ? null : rawQueryOf(request.raw.url ?? request.url),
    };
    const keys = await ports.keyring.keysOf(grant.clientId);
    if (!keys || !isStrictBase64(signatureHeader) || !(await verifyOnThread(keys.current, signedData(signed), signatureHeader))) {
      const found = diagnose(signed, signatureHeader, keys?.current ?? null, keys?.others ?? []);
      request.log.warn(
        { clientId: grant.clientId, hint: found.code, executionReferenceId: request.gateway.executionReferenceId },
        'gateway: request signature rejected',
      );
      return reply
        .code(400)
        .header('signature-hint', `${found.code}: ${found.message}`)
        .header('content-type', 'application/json; charset=utf-8')
        .send(SIGNATURE_ERROR);
    }

    const rule = request.routeOptions.config.gateway;
    if (!rule) return text(reply, 403, 'Invalid Scope');
    if (rule.flow === 'authorization_code' && grant.flow !== 'authorization_code') {
      return text(reply, 401, 'Invalid grant type. Authorization Code is required.');
    }
    if (rule.flow === 'client_credentials' && grant.flow !== 'client_credentials') {
      return text(reply, 401, 'Invalid grant type. Client Credentials is required.');
    }
    if (!grant.scopes.includes(rule.scope)) return text(reply, 403, 'Invalid Scope');
    return undefined;
  }

  async function authoriseWithBody(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    if (!BODY_METHODS.has(request.method)) return undefined;
    const grant = request.gateway.grant;
    if (!grant) return unauthorized(reply);
    const refused = await authorise(request, reply, grant, bearerToken(request.headers.authorization) ?? '');
    if (refused) return refused;
    // Only now, signed and authorised, is the body interpreted.
    const raw = request.gateway.rawBody;
    if (raw && raw.length > 0) {
      const type = String(request.headers['content-type'] ?? '');
      if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) throw new GatewayBodyError('Content-Type must be application/json');
      try {
        request.body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new GatewayBodyError('The request body is not valid JSON');
      }
    }
    return undefined;
  }

  return {
    protect(scope) {
      scope.decorateRequest('gateway', null as unknown as GatewayContext);
      // Keep the body exactly as it arrived: the signature is over these bytes, never a re-serialisation.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
        request.gateway.rawBody = body as Buffer;
        done(null, undefined);
      });
      scope.addHook('onRequest', authenticate);
      // Only routes that take a body wait for it; first among their preValidation hooks, so theirs see it parsed.
      scope.addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        if (!methods.some((m) => BODY_METHODS.has(m))) return;
        const own = route.preValidation;
        route.preValidation = [authoriseWithBody, ...(own === undefined ? [] : Array.isArray(own) ? own : [own])];
      });
      // Only calls with a recognised token are attributable to an application.
      scope.addHook('onResponse', (request, reply, done) => {
        const clientId = request.gateway?.grant?.clientId;
        if (!clientId) return done();
        const hint = reply.getHeader('signature-hint');
        calls.record({
          at: new Date().toISOString(),
          clientId,
          method: request.method,
          url: request.raw.url ?? request.url,
          status: reply.statusCode,
          executionReferenceId: request.gateway.executionReferenceId,
          signatureHint: typeof hint === 'string' ? hint : null,
        });
        done();
      });
    },
    calls,
    notFound: {
      // Our API space: versioned paths, except the e-signature CoreApi routes that share the /v2/ prefix.
      matches: (url) => /^\/v\d+(\.\d+)?\/(?!coreapi)/i.test(url),
      reply: (_request, reply) =>
        reply
          .code(404)
          .header(EXECUTION_REFERENCE_HEADER, randomUUID())
          .header('content-type', 'text/plain; charset=utf-8')
          .send('Path not found'),
    },
  };
}
