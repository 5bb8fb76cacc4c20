import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/app.js';
import { testSystem } from '../../helpers/platform.js';

export interface LiveServer {
  /** Origin of the listening server: identity, gateway and e-signature on one port, as `imzala serve` runs them. */
  url: string;
  system: Awaited<ReturnType<typeof testSystem>>;
  stop(): Promise<void>;
}

/** The whole system on a fresh database, listening on a real socket (what `imzala serve` does, in-process). */
export async function liveServer(env: NodeJS.ProcessEnv = {}): Promise<LiveServer> {
  const system = await testSystem(env);
  let app: FastifyInstance | undefined;
  const stops: Array<() => Promise<void>> = [];
  try {
    app = await buildServer(system);
    for (const part of system.parts) if (part.start) stops.push(await part.start());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
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
