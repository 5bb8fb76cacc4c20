import type { FastifyRequest } from 'fastify';

/** The API Market's response envelope; business failures are HTTP 200 with `success: false`. */
export interface Envelope<T> {
  value: T | null;
  success: boolean;
  results: { errorCode: string; errorMessage: string }[];
  errors: string[];
  executionReferenceId: string;
}

const MESSAGES = {
  AccountNotFound: ['Hesap bulunamadı.', 'Account not found.'],
  AccountClosed: ['Hesap kapalı.', 'The account is closed.'],
  InsufficientBalance: ['Hesapta yeterli bakiye bulunmamaktadır.', 'Insufficient available balance.'],
  InvalidIban: ['IBAN geçersiz.', 'The IBAN is not valid.'],
  IbanNotFound: ['IBAN\'a ait hesap bulunamadı.', 'No account found for the IBAN.'],
  ReceiverAccountClosed: ['Alıcı hesap kapalı.', 'The receiving account is closed.'],
  SameAccount: ['Gönderen ve alıcı hesap aynı olamaz.', 'The sending and receiving accounts must differ.'],
  CurrencyMismatch: ['Gönderen ve alıcı hesapların döviz cinsi aynı olmalıdır.', 'Both accounts must be in the same currency.'],
  InvalidCorporateWebUserName: ['Kurumsal internet şubesi kullanıcı adı hatalı.', 'The corporate web user name is wrong.'],
  InvalidAmount: ['Tutar sıfırdan büyük olmalı ve en fazla iki ondalık basamak içermelidir.', 'The amount must be positive with at most two decimals.'],
} as const satisfies Record<string, readonly [string, string]>;

export type BusinessErrorCode = keyof typeof MESSAGES;

export function ok<T>(request: FastifyRequest, value: T): Envelope<T> {
  return { value, success: true, results: [], errors: [], executionReferenceId: request.gateway.executionReferenceId };
}

export function businessFailure(request: FastifyRequest, code: BusinessErrorCode): Envelope<never> {
  const message = MESSAGES[code][request.gateway.languageId === 2 ? 1 : 0];
  return {
    value: null,
    success: false,
    results: [{ errorCode: code, errorMessage: message }],
    errors: [],
    executionReferenceId: request.gateway.executionReferenceId,
  };
}

/** A 4xx the platform answers itself (bad parameters, bad body), in the same envelope. */
export function requestFailure(executionReferenceId: string, errorCode: string, message: string): Envelope<never> {
  return { value: null, success: false, results: [{ errorCode, errorMessage: message }], errors: [message], executionReferenceId };
}

/** The envelope's JSON schema, for the OpenAPI document. */
export function envelopeSchema(value: object): object {
  return {
    type: 'object',
    properties: {
      value: { anyOf: [value, { type: 'null' }] },
      success: { type: 'boolean' },
      results: { type: 'array', items: { type: 'object', properties: { errorCode: { type: 'string' }, errorMessage: { type: 'string' } } } },
      errors: { type: 'array', items: { type: 'string' } },
      executionReferenceId: { type: 'string' },
    },
  };
}
