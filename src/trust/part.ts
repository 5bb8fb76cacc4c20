import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import { trustMigrations } from './migrations.js';
import { trustRoutes } from './routes.js';
import { TrustService } from './service.js';

/** The trust part: owns the test PKI and exposes it as a typed service (`service`) and over HTTP. */
export interface TrustPart extends Part {
  readonly service: TrustService;
}

export function createTrustPart(platform: Platform): TrustPart {
  const service = new TrustService(platform);
  return {
    name: 'trust',
    migrations: trustMigrations,
    service,
    routes: (app) => trustRoutes(app, service),
    // Creating the PKI on seed means `serve` and every CLI command find it ready.
    seed: async () => {
      await service.ready();
    },
    banner: async () => {
      const url = platform.config.publicUrl;
      const root = await service.rootCertificate();
      const fingerprint = Buffer.from(await root.getThumbprint('SHA-256')).toString('hex').toUpperCase();
      return [
        `trust: root CA ${url}/ca/root.pem (SHA-256 ${fingerprint}; also \`imzala pki export-root\`)`,
        `trust: TSA ${url}/tsa · OCSP ${url}/ocsp · CRLs ${url}/crl/{${(await service.caNames()).join(',')}}.crl`,
      ];
    },
  };
}

/** The trust service of a built system (for CLI commands, which only hold the parts list). */
export function trustServiceOf(parts: readonly Part[]): TrustService {
  const part = parts.find((p): p is TrustPart => p.name === 'trust' && 'service' in p);
  if (!part) throw new Error('the trust part is not in this system');
  return part.service;
}
