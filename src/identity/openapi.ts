import { SCOPES } from './scopes.js';

/**
 * OpenAPI descriptions of the identity server's endpoints. oidc-provider validates these requests itself, so
 * the schemas only document (the routes carry a no-op validator).
 */
const oauthError = {
  type: 'object',
  description: 'RFC 6749 error',
  properties: {
    error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'invalid_grant', 'invalid_scope', 'unsupported_grant_type', 'unauthorized_client'] },
    error_description: { type: 'string' },
  },
} as const;

const scopeText = `space-separated, of: ${SCOPES.join(' ')}`;
const clientAuth = {
  client_id: { type: 'string', description: 'application client id (or HTTP Basic)' },
  client_secret: { type: 'string', description: 'application client secret (or HTTP Basic)' },
} as const;

export const PROVIDER_DOCS: Record<string, { method: 'GET' | 'POST'; schema: Record<string, unknown> }> = {
  '/connect/token': {
    method: 'POST',
    schema: {
      tags: ['identity'],
      summary: 'Access token (client_credentials, authorization_code, refresh_token)',
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        required: ['grant_type'],
        properties: {
          grant_type: { type: 'string', enum: ['client_credentials', 'authorization_code', 'refresh_token'] },
          scope: { type: 'string', description: scopeText },
          code: { type: 'string' },
          redirect_uri: { type: 'string' },
          code_verifier: { type: 'string', description: 'PKCE verifier when a S256 challenge was sent' },
          refresh_token: { type: 'string' },
          ...clientAuth,
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            access_token: { type: 'string' },
            expires_in: { type: 'integer', example: 3600 },
            token_type: { type: 'string', example: 'Bearer' },
            scope: { type: 'string' },
            refresh_token: { type: 'string', description: 'authorization_code with offline_access only; rotated on every use' },
          },
        },
        400: oauthError,
        401: oauthError,
      },
    },
  },
  '/connect/authorize': {
    method: 'GET',
    schema: {
      tags: ['identity'],
      summary: 'Customer sign-in (password, SMS one-time code) and consent; redirects with code and state',
      querystring: {
        type: 'object',
        required: ['response_type', 'client_id', 'redirect_uri', 'scope'],
        properties: {
          response_type: { type: 'string', enum: ['code'] },
          client_id: { type: 'string' },
          redirect_uri: { type: 'string' },
          scope: { type: 'string', description: scopeText },
          state: { type: 'string' },
          ui_locales: { type: 'string', enum: ['tr', 'en'] },
          code_challenge: { type: 'string' },
          code_challenge_method: { type: 'string', enum: ['S256'] },
        },
      },
    },
  },
  '/connect/revocation': {
    method: 'POST',
    schema: {
      tags: ['identity'],
      summary: 'Revoke an access or refresh token (RFC 7009)',
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        required: ['token'],
        properties: { token: { type: 'string' }, token_type_hint: { type: 'string', enum: ['access_token', 'refresh_token'] }, ...clientAuth },
      },
    },
  },
  '/connect/introspect': {
    method: 'POST',
    schema: {
      tags: ['identity'],
      summary: 'Token introspection (RFC 7662)',
      consumes: ['application/x-www-form-urlencoded'],
      body: {
        type: 'object',
        required: ['token'],
        properties: { token: { type: 'string' }, token_type_hint: { type: 'string' }, ...clientAuth },
      },
    },
  },
  '/.well-known/openid-configuration': {
    method: 'GET',
    schema: { tags: ['identity'], summary: 'Discovery document' },
  },
};
