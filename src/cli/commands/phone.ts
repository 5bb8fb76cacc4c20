import type { Command } from 'commander';
import { openSystem } from '../../app.js';
import { PhoneError } from '../../mssp/errors.js';
import { msspServicesOf, type MsspServices } from '../../mssp/part.js';
import { phoneView, transactionView } from '../../mssp/phone-view.js';
import { parsePolicy, POLICY_MODES, describePolicy } from '../../mssp/policy.js';
import { parseOperator } from '../../mssp/operators.js';
import { configFrom, UsageError, withDataOptions } from '../options.js';

type DataOpts = { data?: string; databaseUrl?: string; json?: boolean };

/** Opens the system on the database (no server needed), runs `fn`, closes; input errors become usage errors. */
async function withPhones<T>(opts: DataOpts, fn: (mssp: MsspServices) => Promise<T>, print: (result: T) => string): Promise<void> {
  const system = await openSystem(configFrom(opts));
  try {
    const result = await fn(msspServicesOf(system.parts));
    process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${print(result)}\n`);
  } catch (err) {
    if (err instanceof PhoneError && err.code === 'ERR_INVALID_INPUT') throw new UsageError(err.message);
    throw err;
  } finally {
    await system.close();
  }
}

function sub(parent: Command, name: string): Command {
  return withDataOptions(parent.command(name)).option('--json', 'print JSON for scripts');
}

export function registerPhone(program: Command): void {
  const phone = program.command('phone').description('mobile-signature subscribers of the simulated operators and their virtual phones');

  sub(phone, 'add')
    .description('add a subscriber: generates its key and issues a qualified mobile-signature certificate from the test PKI')
    .requiredOption('--phone <number>', 'mobile number, 5XXXXXXXXX')
    .requiredOption('--operator <name>', 'TURKCELL | VODAFONE | AVEA')
    .requiredOption('--tckn <tckn>', 'T.C. kimlik no (11 digits, valid check digits): the certificate subject serialNumber')
    .option('--pin <pin>', 'mobile-signature PIN, 4-8 digits', '123456')
    .option('--given-name <name>', 'given name in the certificate', 'Test')
    .option('--surname <name>', 'surname in the certificate')
    .action(async (opts: DataOpts & { phone: string; operator: string; tckn: string; pin: string; givenName: string; surname?: string }) => {
      if (!parseOperator(opts.operator)) throw new UsageError(`--operator must be TURKCELL, VODAFONE or AVEA, got "${opts.operator}"`);
      await withPhones(
        opts,
        async (m) => {
          const s = await m.subscribers.add({ phone: opts.phone, operator: opts.operator, tckn: opts.tckn, pin: opts.pin, givenName: opts.givenName, surname: opts.surname });
          return { phone: s.phone, operator: s.operator, tckn: s.tckn, name: `${s.givenName} ${s.surname}`, certificate: s.certificates[0]!.toString('base64') };
        },
        (r) => `added ${r.phone} (${r.operator}, TCKN ${r.tckn}, ${r.name}); PIN set; phone page /phone/${r.phone}`,
      );
    });

  sub(phone, 'list')
    .description('list subscribers')
    .option('--operator <name>', 'only this operator')
    .action(async (opts: DataOpts & { operator?: string }) => {
      const operator = opts.operator === undefined ? undefined : parseOperator(opts.operator);
      if (opts.operator !== undefined && !operator) throw new UsageError(`--operator must be TURKCELL, VODAFONE or AVEA, got "${opts.operator}"`);
      await withPhones(
        opts,
        async (m) =>
          (await m.subscribers.list(operator)).map((s) => ({
            phone: s.phone,
            operator: s.operator,
            tckn: s.tckn,
            name: `${s.givenName} ${s.surname}`,
            blocked: s.blocked,
            policy: s.policy,
          })),
        (rows) => rows.map((r) => `${r.phone}  ${r.operator.padEnd(8)}  ${r.tckn}  ${r.name}${r.blocked ? '  [PIN BLOCKED]' : ''}  policy: ${describePolicy(r.policy)}`).join('\n') || 'no subscribers',
      );
    });

  sub(phone, 'pending')
    .description("show the phone's pending signature requests (prompt and fingerprint)")
    .requiredOption('--phone <number>', 'mobile number')
    .action(async (opts: DataOpts & { phone: string }) => {
      await withPhones(
        opts,
        async (m) => {
          await m.phone.runPolicies();
          const { subscriber, pending } = await m.phone.pending(opts.phone);
          return phoneView(subscriber, pending, m.subscribers);
        },
        (v) =>
          v.pending.length === 0
            ? `${v.phone}: no pending request${v.blocked ? ' (PIN blocked)' : ''}`
            : v.pending.map((p) => `${p.transactionId}  ${p.operator}  "${p.userPrompt}"\n  fingerprint ${p.fingerprintGrouped}\n  expires ${p.expiresAt}`).join('\n'),
      );
    });

  sub(phone, 'approve')
    .description('approve the oldest (or --transaction) pending request; without --pin the sandbox owner approves with no PIN check')
    .requiredOption('--phone <number>', 'mobile number')
    .option('--pin <pin>', 'the PIN, checked and counted like on the phone')
    .option('--transaction <id>', 'MSSP_TransID to answer')
    .action(async (opts: DataOpts & { phone: string; pin?: string; transaction?: string }) => {
      await withPhones(
        opts,
        async (m) => transactionView(await m.phone.approve(opts.phone, { pin: opts.pin, transactionId: opts.transaction })),
        (t) => `signed ${t.transactionId} (fingerprint ${t.fingerprint})`,
      );
    });

  sub(phone, 'reject')
    .description('refuse the oldest (or --transaction) pending request (the AP gets 401 USER_CANCEL)')
    .requiredOption('--phone <number>', 'mobile number')
    .option('--transaction <id>', 'MSSP_TransID to answer')
    .action(async (opts: DataOpts & { phone: string; transaction?: string }) => {
      await withPhones(
        opts,
        async (m) => transactionView(await m.phone.reject(opts.phone, { transactionId: opts.transaction })),
        (t) => `refused ${t.transactionId}`,
      );
    });

  sub(phone, 'policy')
    .description('set what the phone does by itself: manual, approve / reject / wrong-pin after N seconds, ignore (requests expire)')
    .requiredOption('--phone <number>', 'mobile number')
    .requiredOption('--mode <mode>', POLICY_MODES.join(' | '))
    .option('--after <seconds>', 'delay before acting', '0')
    .action(async (opts: DataOpts & { phone: string; mode: string; after: string }) => {
      const afterSeconds = Number(opts.after);
      await withPhones(
        opts,
        async (m) => {
          const s = await m.subscribers.setPolicy(opts.phone, parsePolicy({ mode: opts.mode, afterSeconds }));
          return { phone: s.phone, policy: s.policy };
        },
        (r) => `${r.phone}: ${describePolicy(r.policy)}`,
      );
    });

  sub(phone, 'unblock')
    .description("clear a blocked PIN (the operator's PUK service), optionally setting a new PIN")
    .requiredOption('--phone <number>', 'mobile number')
    .option('--pin <pin>', 'new PIN, 4-8 digits')
    .action(async (opts: DataOpts & { phone: string; pin?: string }) => {
      await withPhones(
        opts,
        async (m) => {
          await m.subscribers.unblock(opts.phone, opts.pin);
          return { phone: opts.phone, blocked: false };
        },
        (r) => `${r.phone}: PIN unblocked`,
      );
    });
}
