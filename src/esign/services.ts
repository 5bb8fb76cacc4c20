import type { Platform } from '../platform/platform.js';
import { Idempotency } from './idempotency.js';
import type { EsignTables } from './migrations.js';
import { Operations } from './operations.js';
import { esignSettings, type EsignSettings } from './settings.js';
import { Tenants } from './tenants.js';
import { Uploads } from './uploads.js';

/** The e-signature part's services, built once on the platform and shared by its routes, CLI and the signing steps. */
export interface EsignServices {
  settings: EsignSettings;
  tenants: Tenants;
  operations: Operations;
  uploads: Uploads;
  idempotency: Idempotency;
}

export function createEsignServices(platform: Platform, settings: EsignSettings = esignSettings(platform.config.env)): EsignServices {
  const db = platform.database.db.withTables<EsignTables>();
  const operations = new Operations(db, platform.blobs);
  return {
    settings,
    tenants: new Tenants(db),
    operations,
    uploads: new Uploads(db, platform.blobs, operations, settings),
    idempotency: new Idempotency(db),
  };
}
