import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import { EsignError } from './errors.js';
import { languageOf } from './http/api-result.js';
import { coreApiRoutes, type EsignRoutes } from './http/plugin.js';
import { esignMigrations } from './migrations.js';
import { createEsignServices, type EsignServices } from './services.js';

/** Unrouted URLs in the CoreApi space (any version prefix) answer in ApiResult. */
const COREAPI_PATH = /^\/(v2(\.0)?\/)?coreapi/i;

export interface EsignPart extends Part {
  readonly services: EsignServices;
}

/**
 * The Onaylarım side: tenants, documents (whole and chunked uploads), operations, downloads. `extraRoutes`
 * lets the signing steps join the same scope (key check, ApiResult errors, parsers).
 */
export function createEsignPart(platform: Platform, options: { extraRoutes?: readonly EsignRoutes[] } = {}): EsignPart {
  const services = createEsignServices(platform);
  const sweep = async (): Promise<void> => {
    try {
      const n = await services.uploads.sweepExpired();
      if (n > 0) platform.log.info({ expired: n }, 'expired upload sessions swept');
    } catch (err) {
      platform.log.error({ err }, 'upload sweep failed');
    }
  };
  return {
    name: 'esign',
    services,
    migrations: esignMigrations,
    routes: (app) => coreApiRoutes(app, services, options.extraRoutes),
    async start() {
      await sweep();
      const timer = setInterval(() => void sweep(), services.settings.sweepIntervalMs);
      timer.unref();
      return async () => clearInterval(timer);
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
