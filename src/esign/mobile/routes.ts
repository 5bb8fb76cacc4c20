import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { EsignError } from '../errors.js';
import { ok } from '../http/api-result.js';
import { post, tenantOf, v2 } from '../http/routing.js';
import { apiResult, baseRequest, uuid } from '../http/schemas.js';
import type { EsignServices } from '../services.js';
import { MOBILE_OPERATORS, type MobileOperator, type MobileOperators } from './ports.js';
import { answerOf, isFinal, type MobileSigner, type MobileSignRequest } from './signer.js';

const nullableString = (maxLength: number) => ({ anyOf: [{ type: 'string', maxLength }, { type: 'null' }] }) as const;

/** Fields both versions share (the vendor's migration table: "aynı kalanlar"). */
const common = {
  operationId: uuid,
  coordinates: { description: 'unused, as on the vendor platform' },
  phoneNumber: { type: 'string', minLength: 1, maxLength: 32, description: '5XXXXXXXXX (also +90…, 0…)' },
  operator: { type: 'string', minLength: 1, maxLength: 16, description: 'TURKCELL | VODAFONE | AVEA' },
  userPrompt: { ...nullableString(255), description: 'shown on the phone (at most 255 characters)' },
  citizenshipNo: { anyOf: [{ type: 'string', pattern: '^[0-9]{11}$' }, { type: 'null' }], description: "checked against the certificate's TCKN" },
  signatureLevel: {
    anyOf: [{ type: 'string', maxLength: 16 }, { type: 'integer' }, { type: 'null' }],
    description: 'aslBES (default) | aslT | aslXL | aslA, or BES | T | XL | A; numbers as the samples send them: 6 aslBES, 3 aslT, 4 aslXL',
  },
} as const;

const v2Body = baseRequest(
  {
    ...common,
    signaturePath: { ...nullableString(200), description: 'SERIAL only: the signature to counter-sign, e.g. S0 or S0:S0' },
    signatureTurkishProfile: { ...nullableString(8), description: 'P1 | P2 | P3 | P4' },
    serialOrParallel: { ...nullableString(16), description: 'SERIAL | PARALLEL (default)' },
    envelopingOrEnveloped: { ...nullableString(16), description: 'ENVELOPING | ENVELOPED (default)' },
    envelopingObjectMimeType: { ...nullableString(255), description: 'ENVELOPING a non-XML document: its MIME type (default application/pdf)' },
  },
  ['operationId', 'phoneNumber', 'operator'],
  { requestIdRequired: true },
);

const v1Body = baseRequest(
  {
    ...common,
    fileData: { anyOf: [{ type: 'string', pattern: '^[A-Za-z0-9+/\\s]*={0,2}\\s*$' }, { type: 'null' }], description: 'base64 of the document' },
    signatureIndex: { anyOf: [{ type: 'integer', minimum: 0, maximum: 10_000 }, { type: 'null' }], description: 'the new signature’s position: 0 on an unsigned document' },
    cerBytes: { anyOf: [{ type: 'string', maxLength: 65_536 }, { type: 'null' }], description: "base64 DER of the signer's certificate, checked against the operator's" },
  },
  ['operationId', 'phoneNumber', 'operator'],
  { requestIdRequired: true },
);

const cadesBody = baseRequest(
  {
    ...common,
    signatureLevel: { anyOf: [{ type: 'string', maxLength: 16 }, { type: 'null' }], description: 'BES (default) | T' },
    signaturePath: { ...nullableString(200), description: 'SERIAL only: the signature to counter-sign, e.g. S0 or S0:S0' },
    signatureTurkishProfile: { ...nullableString(8), description: 'not offered for CAdES here: leave empty' },
    serialOrParallel: { ...nullableString(16), description: 'SERIAL | PARALLEL (default)' },
  },
  ['operationId', 'phoneNumber', 'operator'],
  { requestIdRequired: true },
);

const signatureListResult = apiResult({
  type: 'array',
  items: {
    type: 'object',
    properties: {
      entityLabel: { type: 'string' },
      level: { type: ['string', 'null'] },
      subjectRDN: { type: ['string', 'null'] },
      timestamped: { type: 'boolean' },
      claimedSigningTime: { type: ['string', 'null'] },
      citizenshipNo: { type: ['string', 'null'] },
    },
  },
});

const signResult = apiResult({ type: 'object', properties: { isSuccess: { type: 'boolean' }, operationId: { type: 'string' } } });
const operationBody = baseRequest({ operationId: uuid }, ['operationId'], { requestIdRequired: false });

/** The samples' numeric SignatureLevelForXades values, where they name a level we offer. */
const NUMERIC_LEVELS: Record<number, string> = { 6: 'aslBES', 3: 'aslT', 4: 'aslXL' };

type Common = {
  operationId: string;
  phoneNumber: string;
  operator: string;
  userPrompt?: string | null;
  citizenshipNo?: string | null;
  signatureLevel?: string | number | null;
  requestId: string;
};
type V2Body = Common & {
  signaturePath?: string | null;
  signatureTurkishProfile?: string | null;
  serialOrParallel?: string | null;
  envelopingOrEnveloped?: string | null;
  envelopingObjectMimeType?: string | null;
};
type V1Body = Common & { fileData?: string | null; signatureIndex?: number | null; cerBytes?: string | null };

const DEFAULT_PROMPT = 'İmzalamayı onaylıyor musunuz?';

export function mobileRoutes(signer: MobileSigner, operators: MobileOperators) {
  function level(value: string | number | null | undefined): string | null {
    if (typeof value !== 'number') return value ?? null;
    const name = NUMERIC_LEVELS[value];
    if (!name) throw new EsignError('signingOptions', { detail: `unknown signatureLevel ${value}` });
    return name;
  }

  function commonRequest(body: Common, route: string): Omit<MobileSignRequest, 'format' | 'options'> {
    const operator = body.operator.trim().toUpperCase() as MobileOperator;
    if (!MOBILE_OPERATORS.includes(operator)) throw new EsignError('signingOptions', { detail: `operator must be ${MOBILE_OPERATORS.join(', ')}, got "${body.operator}"` });
    const phone = operators.nationalNumber(body.phoneNumber);
    if (!phone) throw new EsignError('signingOptions', { detail: `phoneNumber is not a Turkish mobile number: "${body.phoneNumber}"` });
    return {
      operationId: body.operationId,
      phone,
      operator,
      userPrompt: body.userPrompt?.trim() || DEFAULT_PROMPT,
      citizenshipNo: body.citizenshipNo ?? null,
      requestId: body.requestId,
      route,
      body: body as unknown as Record<string, unknown>,
    };
  }

  /** Answers once the operator has: the vendor's SignStepOne blocks. A client that leaves loses nothing. */
  async function signAndWait(request: FastifyRequest, reply: FastifyReply, sign: MobileSignRequest): Promise<unknown> {
    const signing = await signer.begin(tenantOf(request), sign);
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    const settled = await signer.settle(signing, gone.signal);
    if (!isFinal(settled)) return reply.code(499).send();
    return ok(answerOf(settled));
  }

  return async (scope: FastifyInstance, services: EsignServices): Promise<void> => {
    scope.addHook('onClose', () => signer.stop());
    post(
      scope,
      v2('CoreApiXadesMobile/SignStepOneXadesMobileCore'),
      {
        tags: ['CoreApiXadesMobile'],
        summary: 'Signs a document on the subscriber’s phone (XAdES); answers when the operator has, with the signed document’s new operationId',
        body: v2Body,
        response: signResult,
      },
      async (request, reply) => {
        const body = request.body as V2Body;
        return signAndWait(request, reply, {
          ...commonRequest(body, 'v2/SignStepOneXadesMobileCore'),
          format: 'xades',
          options: {
            level: level(body.signatureLevel),
            profile: body.signatureTurkishProfile ?? null,
            mode: body.envelopingOrEnveloped ?? null,
            serialOrParallel: body.serialOrParallel ?? null,
            signaturePath: body.signaturePath ?? null,
            envelopingObjectMimeType: body.envelopingObjectMimeType ?? null,
          },
        });
      },
    );

    // v1 carried the document itself; its base64 makes the body larger than other JSON steps.
    const v1Limit = Math.ceil((services.settings.maxSignBytes * 4) / 3) + 256 * 1024;
    scope.post(
      '/CoreApiXadesMobile/SignStepOneXadesMobileCore',
      {
        bodyLimit: v1Limit,
        schema: {
          tags: ['CoreApiXadesMobile'],
          summary: 'v1: as v2, with the document in fileData, signatureIndex and cerBytes (PARALLEL, ENVELOPED)',
          body: v1Body,
          response: signResult,
        },
      },
      async (request, reply) => {
        const body = request.body as V1Body;
        const tenantId = tenantOf(request);
        const sign = commonRequest(body, 'v1/SignStepOneXadesMobileCore');
        if (body.fileData) await v1Document(services, tenantId, body.operationId, Buffer.from(body.fileData, 'base64'));
        const cer = body.cerBytes?.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
        return signAndWait(request, reply, {
          ...sign,
          format: 'xades',
          options: { level: level(body.signatureLevel) },
          ...(cer ? { expectedCertificate: Buffer.from(cer, 'base64') } : {}),
          ...(typeof body.signatureIndex === 'number' ? { signatureIndex: body.signatureIndex } : {}),
        });
      },
    );

    const fingerprintResult = apiResult({ type: 'object', properties: { fingerPrint: { type: 'string' } } });
    post(
      scope,
      [...v2('CoreApiFingerPrint/GetFingerPrintCore'), '/CoreApiXadesMobile/GetFingerPrintCore', '/CoreApiPadesMobile/GetFingerPrintCore'],
      {
        tags: ['CoreApiFingerPrint'],
        summary: 'The fingerprint the phone shows, for the document being signed or the signed document; waits briefly for a signing about to start',
        body: operationBody,
        response: fingerprintResult,
      },
      async (request, reply) => {
        const { operationId } = request.body as { operationId: string };
        const gone = new AbortController();
        reply.raw.once('close', () => gone.abort());
        return ok({ fingerPrint: await signer.fingerprint(tenantOf(request), operationId, gone.signal) });
      },
    );

    post(
      scope,
      v2('CoreApiCadesMobile/SignStepOneCadesMobileCore'),
      {
        tags: ['CoreApiCadesMobile'],
        summary: 'Signs a document on the subscriber’s phone as CAdES (CMS SignedData, the document inside); answers when the operator has',
        body: cadesBody,
        response: signResult,
      },
      async (request, reply) => {
        const body = request.body as V2Body;
        return signAndWait(request, reply, {
          ...commonRequest(body, 'v2/SignStepOneCadesMobileCore'),
          format: 'cades',
          options: {
            level: body.signatureLevel === null || body.signatureLevel === undefined ? null : String(body.signatureLevel),
            profile: body.signatureTurkishProfile ?? null,
            serialOrParallel: body.serialOrParallel ?? null,
            signaturePath: body.signaturePath ?? null,
          },
        });
      },
    );

    for (const [format, path, what] of [
      ['xades', 'CoreApiXades/GetSignatureListCore', 'XAdES'],
      ['cades', 'CoreApiCades/GetSignatureListCore', 'CAdES'],
    ] as const) {
      post(
        scope,
        v2(path),
        {
          tags: [path.split('/')[0] as string],
          summary: `The ${what} signatures of an operation’s document: entityLabel (S0, S0:S0, …), level, signer, time`,
          body: operationBody,
          response: signatureListResult,
        },
        async (request) => {
          const { operationId } = request.body as { operationId: string };
          return ok(await signer.signatureList(format, tenantOf(request), operationId));
        },
      );
    }
  };
}

/**
 * v1 sends the document with the signing request, under an operationId the client chose: it becomes an
 * upload (or, sent again with the same bytes, the same one).
 */
async function v1Document(services: EsignServices, tenantId: string, operationId: string, data: Buffer): Promise<void> {
  if (data.length === 0) throw new EsignError('validation', { detail: 'fileData is empty' });
  if (data.length > services.settings.maxSignBytes) throw new EsignError('documentTooLargeToSign', { max: services.settings.maxSignBytes });
  const existing = await services.operations.get(tenantId, operationId);
  if (existing) {
    if (existing.sha256 !== createHash('sha256').update(data).digest('hex')) throw new EsignError('operationExists', { id: operationId });
    return;
  }
  const fileName = data.subarray(0, 64).toString('utf8').trimStart().startsWith('<') ? 'document.xml' : 'document';
  await services.operations.createWithContent(tenantId, { id: operationId, kind: 'upload', state: 'uploaded', fileName }, data);
}
