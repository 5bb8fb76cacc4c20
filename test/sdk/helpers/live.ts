import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/app.js';
import { testSystem } from '../../helpers/platform.js';
import { freePort } from '../../mobile/harness.js';

export interface LiveServer {
  /** Origin of the listening server: identity, gateway and e-signature on one port, as `imzala serve` runs them. */
  url: string;
  system: Awaited<ReturnType<typeof testSystem>>;
  stop(): Promise<void>;
}

/**
 * The whole system on a fresh database, listening on a real socket (what `imzala serve` does, in-process). Its
 * public URL is its own address, so mobile signing reaches the operator simulators over HTTP.
 */
export async function liveServer(env: NodeJS.ProcessEnv = {}): Promise<LiveServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const system = await testSystem({ IMZALA_PUBLIC_URL: url, IMZALA_MSSP_POLL_MS: '50', IMZALA_ESIGN_MOBILE_POLL_MS: '100', ...env });
  let app: FastifyInstance | undefined;
  const stops: Array<() => Promise<void>> = [];
  try {
    app = await buildServer(system);
    for (const part of system.parts) if (part.start) stops.push(await part.start());
    await app.listen({ port, host: '127.0.0.1' });
    return {
      url,
      system,
      stop: async () => {
        for (const stop of stops) await stop();
        await app!.close();
        await system.cleanup();
      },
    };
  } catch (err) {
    await app?.close();
    await system.cleanup();
    throw err;
  }
}
