import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/app.js';
import { trustServiceOf } from '../../src/trust/part.js';
import type { TrustService } from '../../src/trust/service.js';
import { testSystem } from '../helpers/platform.js';
import { scratch } from './openssl.js';

export interface TrustFixture {
  system: Awaited<ReturnType<typeof testSystem>>;
  trust: TrustService;
  app: FastifyInstance;
  /** http://127.0.0.1:<port> of a real socket. */
  url: string;
  files: ReturnType<typeof scratch>;
  rootPem: string;
  close(): Promise<void>;
}

/** The whole system listening on a real port, with the root written where openssl can read it. */
export async function trustFixture(): Promise<TrustFixture> {
  const system = await testSystem();
  const trust = trustServiceOf(system.parts);
  const app = await buildServer(system);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const files = scratch();
  const rootPem = files.file('root.pem', (await trust.rootCertificate()).toString('pem'));
  return {
    system,
    trust,
    app,
    url,
    files,
    rootPem,
    close: async () => {
      await app.close();
      files.remove();
      await system.cleanup();
    },
  };
}
