import type { FastifyInstance } from 'fastify';
import type { Config } from './platform/config.js';
import { migrateToLatest } from './platform/migrations.js';
import type { Part } from './platform/part.js';
import { openPlatform, type Platform } from './platform/platform.js';
import { createServer } from './platform/server.js';
import { createBankingPart, createCustomerDirectory } from './banking/part.js';
import { createConsolePart } from './console/part.js';
import { cadesSigning } from './esign/cades/service.js';
import { msspOperators } from './esign/mobile/operators.js';
import { xadesSigning } from './esign/mobile/xades-signing.js';
import { createEsignPart } from './esign/part.js';
import { createGateway } from './gateway/gateway.js';
import { createIdentityPart } from './identity/part.js';
import type { Logger } from './platform/logger.js';
import { createMsspPart } from './mssp/part.js';
import { trustIssuer } from './mssp/trust-issuer.js';
import { createXadesPart } from './esign/xades/part.js';
import { trustFromService } from './esign/xades/trust-service.js';
import { createTrustPart } from './trust/part.js';

/**
 * The composition root: builds every part on one platform and wires the typed services they share.
 * Order matters only for the not-found fallback: the first part whose `notFound` matches answers.
 */
export interface System {
  platform: Platform;
  parts: readonly Part[];
  close(): Promise<void>;
}

export function createParts(platform: Platform): Part[] {
  const customers = createCustomerDirectory(platform);
  const identity = createIdentityPart(platform, { customers });
  // The banking APIs run behind the gateway, which checks tokens and signing keys against the identity server.
  const gateway = createGateway(platform, { tokens: identity.tokens, keyring: identity.keyring });
  const banking = createBankingPart(platform, { customers, gateway });
  // Seeds run in order: the bank (its customers) before the identity server's demo application.
  // trust.service (src/trust/service.ts) is what the e-signature engine and the operator simulators build on.
  const trust = createTrustPart(platform);
  const mssp = createMsspPart(platform, trustIssuer(trust.service));
  const engineTrust = trustFromService(trust.service);
  const xades = createXadesPart(platform, engineTrust);
  // Mobile signing reaches the operators only through their protocol client, and signs through the XAdES or CAdES engine.
  const esign = createEsignPart(platform, {
    mobile: {
      operators: msspOperators(mssp.services, platform.config),
      formats: { xades: xadesSigning(xades.service), cades: cadesSigning(platform, engineTrust) },
    },
  });
  // The console sees the others only through small typed services: applications, the gateway's call log, keys.
  const console = createConsolePart(platform, {
    applications: identity.applications,
    calls: gateway.calls,
    esignKeys: { create: async (name) => ({ apiKey: (await esign.services.tenants.create(name)).apiKey }) },
    phones: { list: () => mssp.services.subscribers.list() },
  });
  return [trust, banking, identity, esign, xades, mssp, console];
}

/** Opens the database, applies every part's migrations and seeds; safe to call from any CLI command. */
export async function openSystem(config: Config, log?: Logger): Promise<System> {
  const platform = openPlatform(config, log);
  try {
    const parts = createParts(platform);
    await migrateToLatest(platform.database, Object.fromEntries(parts.map((p) => [p.name, p.migrations])));
    for (const part of parts) await part.seed?.();
    return { platform, parts, close: () => platform.close() };
  } catch (err) {
    await platform.close();
    throw err;
  }
}

export function buildServer(system: System): Promise<FastifyInstance> {
  return createServer(system.platform, system.parts);
}
