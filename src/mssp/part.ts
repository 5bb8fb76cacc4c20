import { envNumber } from '../platform/config.js';
import type { Part } from '../platform/part.js';
import type { Platform } from '../platform/platform.js';
import { MsspClient, type MsspClientConfig } from './client.js';
import { PhoneError } from './errors.js';
import { KeyStore } from './keystore.js';
import { msspMigrations, type MsspTables } from './migrations.js';
import { apCredentials, OPERATOR_INFO, OPERATORS, operatorClientConfig, type OperatorName } from './operators.js';
import { ApAccount } from './ap-account.js';
import { VirtualPhone } from './phone.js';
import { phoneRoutes } from './phone-routes.js';
import type { SubscriberCertificateIssuer } from './ports.js';
import { SEED_SUBSCRIBERS } from './seed.js';
import { OperatorSimulator } from './simulator.js';
import { soapRoutes } from './soap-routes.js';
import { SubscriberStore } from './subscribers.js';
import { TransactionStore } from './transactions.js';

/** What other parts (e-signature, CLI, console) use of the operators. */
export interface MsspServices {
  subscribers: SubscriberStore;
  transactions: TransactionStore;
  phone: VirtualPhone;
  simulators: readonly OperatorSimulator[];
  /**
   * A protocol client for an operator, configured from the environment (see operatorClientConfig); `overrides`
   * for what the environment cannot know, e.g. the real port of a server listening on port 0 in a test.
   */
  clientFor(operator: OperatorName, overrides?: Partial<MsspClientConfig>): MsspClient;
}

export interface MsspPart extends Part {
  readonly services: MsspServices;
}

/**
 * Tunables (env): IMZALA_MSSP_TIMEOUT_SECONDS (120) how long a subscriber may take; IMZALA_MSSP_PIN_ATTEMPTS
 * (3) wrong PINs before the block; IMZALA_MSSP_POLL_MS (200) how often held requests and the policy loop look.
 */
export function createMsspPart(platform: Platform, issuer: SubscriberCertificateIssuer): MsspPart {
  const { config, log } = platform;
  const db = platform.database.db.withTables<MsspTables>();
  const timeoutSeconds = envNumber(config.env, 'IMZALA_MSSP_TIMEOUT_SECONDS', 120);
  const pollMs = envNumber(config.env, 'IMZALA_MSSP_POLL_MS', 200);
  const keys = KeyStore.open(config.dataDir, config.env);
  const subscribers = new SubscriberStore(db, keys, issuer, envNumber(config.env, 'IMZALA_MSSP_PIN_ATTEMPTS', 3));
  const transactions = new TransactionStore(db);
  const phone = new VirtualPhone(subscribers, transactions);
  const simulators = OPERATORS.map((op) => new OperatorSimulator(op, db, phone, { timeoutSeconds, pollMs }, log, config.publicUrl, new ApAccount(db, op, apCredentials(config, op))));
  const services: MsspServices = {
    subscribers,
    transactions,
    phone,
    simulators,
    clientFor: (operator, overrides = {}) => new MsspClient({ ...operatorClientConfig(config, operator), ...overrides }),
  };

  return {
    name: 'mssp',
    migrations: msspMigrations,
    services,

    async routes(app) {
      await app.register(async (scope) => soapRoutes(scope, simulators));
      await app.register(async (scope) => phoneRoutes(scope, phone));
    },

    async seed() {
      for (const s of SEED_SUBSCRIBERS) {
        if (await subscribers.get(s.phone)) continue;
        try {
          await subscribers.add(s);
        } catch (err) {
          // Two processes seeding at once: the other one claimed the phone and certifies it.
          if (!(err instanceof PhoneError && err.code === 'ERR_PHONE_EXISTS')) throw err;
        }
      }
    },

    async banner() {
      const lines = ['Mobile-signature operators (ETSI TS 102 204 SOAP):'];
      for (const op of OPERATORS) {
        const c = operatorClientConfig(config, op);
        lines.push(`  ${op.padEnd(8)} ${config.publicUrl}/mssp/${OPERATOR_INFO[op].slug}/soap  AP_ID ${c.apId}`);
      }
      lines.push('Virtual phones (PIN 123456):');
      for (const s of SEED_SUBSCRIBERS) {
        lines.push(`  ${s.phone} ${s.operator.padEnd(8)} TCKN ${s.tckn} ${s.givenName} ${s.surname}${s.policy.mode === 'manual' ? '' : ` (auto: ${s.policy.mode})`}  ${config.publicUrl}/phone/${s.phone}`);
      }
      return lines;
    },

    async start() {
      let stopped = false;
      let running: Promise<void> = Promise.resolve();
      const timer = setInterval(() => {
        if (stopped) return;
        running = running.then(() => phone.runPolicies()).catch((err: unknown) => log.error({ err }, 'phone policies failed'));
      }, Math.max(100, pollMs));
      return async () => {
        stopped = true;
        clearInterval(timer);
        await running;
      };
    },

    notFound: {
      matches: (url) => /^\/(mssp|phone)(\/|$|\?)/i.test(url),
      reply: (_request, reply) => reply.status(404).send({ error: 'ERR_NOT_FOUND', message: 'no such operator endpoint or phone' }),
    },
  };
}

export function msspServicesOf(parts: readonly Part[]): MsspServices {
  const part = parts.find((p): p is MsspPart => p.name === 'mssp' && 'services' in p);
  if (!part) throw new Error('mssp part not composed');
  return part.services;
}
