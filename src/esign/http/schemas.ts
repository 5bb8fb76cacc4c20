/** JSON-schema pieces shared by the e-signature routes (they also feed the OpenAPI document). */

export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const SHA256_PATTERN = '^[0-9a-fA-F]{64}$';

export const uuid = { type: 'string', pattern: UUID_PATTERN } as const;
export const sha256 = { type: 'string', pattern: SHA256_PATTERN } as const;
const language = { anyOf: [{ type: 'string', maxLength: 16 }, { type: 'integer' }, { type: 'null' }] } as const;
const requestId = { type: 'string', minLength: 21, maxLength: 21 } as const;

/** BaseRequest: requestId is required on steps that change state (and makes them idempotent). */
export function baseRequest(
  properties: Record<string, unknown>,
  required: string[],
  options: { requestIdRequired: boolean },
): Record<string, unknown> {
  return {
    type: 'object',
    required: options.requestIdRequired ? [...required, 'requestId'] : required,
    properties: {
      ...properties,
      requestId: options.requestIdRequired ? requestId : { anyOf: [requestId, { type: 'null' }] },
      displayLanguage: language,
    },
  };
}

/** `ApiResult<T>` as a response schema. */
export function apiResult(result: Record<string, unknown>): Record<string, unknown> {
  return {
    200: {
      type: 'object',
      properties: { result, error: { type: 'null' } },
    },
  };
}

export const nullableUuid = { anyOf: [uuid, { type: 'null' }] } as const;
export const nullableSha256 = { anyOf: [sha256, { type: 'null' }] } as const;
export const fileName = { anyOf: [{ type: 'string', maxLength: 255 }, { type: 'null' }] } as const;
