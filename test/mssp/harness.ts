import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/app.js';
import { MsspClient, type MsspClientConfig } from '../../src/mssp/client.js';
import { OPERATOR_INFO, operatorClientConfig, type OperatorName } from '../../src/mssp/operators.js';
import { msspServicesOf, type MsspServices } from '../../src/mssp/part.js';
import type { Transaction } from '../../src/mssp/transactions.js';
import { testSystem } from '../helpers/platform.js';

export type Harness = Awaited<ReturnType<typeof msspHarness>>;

/** The whole system on a fresh database, served on a real socket, with clients pointed at its operators. */
export async function msspHarness(env: NodeJS.ProcessEnv = {}) {
  const system = await testSystem({ IMZALA_MSSP_POLL_MS: '50', ...env });
  const mssp = msspServicesOf(system.parts);
  let app: FastifyInstance = await buildServer(system);
  let address = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    system,
    mssp,
    get address() {
      return address;
    },
    client(operator: OperatorName, over: Partial<MsspClientConfig> = {}): MsspClient {
      return new MsspClient({
        ...operatorClientConfig(system.config, operator),
        url: `${address}/mssp/${OPERATOR_INFO[operator].slug}/soap`,
        pollIntervalMs: 100,
        signatureTimeoutSeconds: 20,
        ...over,
      });
    },
    async restartServer(): Promise<void> {
      await app.close();
      app = await buildServer(system);
      address = await app.listen({ port: 0, host: '127.0.0.1' });
    },
    async close(): Promise<void> {
      await app.close();
      await system.cleanup();
    },
  };
}

/** Waits until the phone shows a pending request (the AP's request has reached the operator). */
export async function waitForPending(mssp: MsspServices, phone: string, timeoutMs = 10_000): Promise<Transaction> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { pending } = await mssp.phone.pending(phone);
    if (pending[0]) return pending[0];
    if (Date.now() > deadline) throw new Error(`no pending request for ${phone}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
