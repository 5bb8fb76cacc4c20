import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import { apiRoutes, type ConsoleDeps } from './api-routes.js';
import { Developers } from './developers.js';
import { consoleMigrations, type ConsoleTables } from './migrations.js';
import { staticRoutes } from './static.js';

export type { ConsoleDeps } from './api-routes.js';

export interface ConsolePart extends Part {
  readonly developers: Developers;
}

/**
 * The web console at `/`: static browser code from web/ (strict CSP, nothing external) and the developer
 * portal's JSON API under /console/api. `openapi` is late-bound: the document exists only once the server is built.
 */
export function createConsolePart(platform: Platform, deps: Omit<ConsoleDeps, 'openapi'>): ConsolePart {
  const developers = new Developers(platform.database.db.withTables<ConsoleTables>());
  return {
    name: 'console',
    migrations: consoleMigrations,
    developers,
    banner: async () => [`console: ${platform.config.publicUrl}/ (developer portal, signature tool, API explorer, e-signature demo, virtual phones)`],
    async routes(app) {
      await staticRoutes(app);
      await apiRoutes(app, developers, { ...deps, openapi: () => app.swagger() });
    },
  };
}
