import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import { EsignError } from './errors.js';
import { languageOf } from './http/api-result.js';
import { coreApiRoutes, type EsignRoutes } from './http/plugin.js';
import { esignMigrations, type EsignTables } from './migrations.js';
import type { DocumentSigning, MobileOperators, SignatureFormat } from './mobile/ports.js';
import { mobileRoutes } from './mobile/routes.js';
import { MobileSigner } from './mobile/signer.js';
import { MobileSignings } from './mobile/signings.js';
import { createEsignServices, type EsignServices } from './services.js';

/** Unrouted URLs in the CoreApi space (any version prefix) answer in ApiResult. */
const COREAPI_PATH = /^\/(v2(\.0)?\/)?coreapi/i;

export interface EsignPart extends Part {
  readonly services: EsignServices;
  /** Mobile signing, when the part was given operators and the XAdES engine. */
  readonly mobile: MobileSigner | undefined;
}

/** What mobile signing needs from the other parts (wired in src/app.ts). */
export interface MobileDependencies {
  operators: MobileOperators;
  formats: Record<SignatureFormat, DocumentSigning>;
}

/**
 * The Onaylarım side: tenants, documents (whole and chunked uploads), operations, downloads, and with `mobile`
 * the mobile XAdES signing. `extraRoutes` lets further steps join the same scope (key check, ApiResult errors).
 */
export function createEsignPart(
  platform: Platform,
  options: { extraRoutes?: readonly EsignRoutes[]; mobile?: MobileDependencies } = {},
): EsignPart {
  const services = createEsignServices(platform);
  const mobile = options.mobile
    ? new MobileSigner(new MobileSignings(platform.database.db.withTables<EsignTables>()), services, options.mobile.operators, options.mobile.formats, platform.log)
    : undefined;
  const extraRoutes = [...(mobile && options.mobile ? [mobileRoutes(mobile, options.mobile.operators)] : []), ...(options.extraRoutes ?? [])];
  const sweep = async (): Promise<void> => {
    try {
      const now = Date.now();
      const expired = await services.uploads.sweepExpired(now);
      const forgotten = await services.idempotency.sweep(now - services.settings.requestIdTtlMs);
      if (expired + forgotten > 0) platform.log.info({ expired, forgotten }, 'expired upload sessions and old requestIds swept');
    } catch (err) {
      platform.log.error({ err }, 'upload sweep failed');
    }
  };
  return {
    name: 'esign',
    services,
    mobile,
    migrations: esignMigrations,
    routes: (app) => coreApiRoutes(app, services, extraRoutes),
    async start() {
      await sweep();
      const timer = setInterval(() => void sweep(), services.settings.sweepIntervalMs);
      timer.unref();
      const stopMobile = mobile?.start();
      return async () => {
        clearInterval(timer);
        await stopMobile?.();
      };
    },
    notFound: {
      matches: (url) => COREAPI_PATH.test(url),
      reply: (request, reply) =>
        reply
          .code(404)
          .type('application/json; charset=utf-8')
          .send({ result: null, error: new EsignError('pathNotFound').localized(languageOf(request)) }),
    },
  };
}
