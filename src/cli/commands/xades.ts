import fs from 'node:fs';
import type { Command } from 'commander';
import { openSystem, type System } from '../../app.js';
import { XadesError, type XadesErrorCode } from '../../esign/xades/errors.js';
import { signDigest } from '../../esign/xades/local-signer.js';
import { xadesServiceOf } from '../../esign/xades/part.js';
import type { ValidationReport } from '../../esign/xades/validate.js';
import { trustServiceOf } from '../../trust/part.js';
import type { TrustService } from '../../trust/service.js';
import { configFrom, UsageError, withDataOptions } from '../options.js';

type DataOpts = { data?: string; databaseUrl?: string };

/** Mistakes in what the user asked for exit 2; a document or trust failure exits 1. */
const USAGE_CODES: readonly XadesErrorCode[] = ['ERR_XADES_OPTIONS', 'ERR_XADES_PATH'];
/** The subscriber `xades sign` uses when --signer is not given (created on first use, key kept sealed). */
const DEMO_TCKN = '10000000146';

async function withSystem<T>(opts: DataOpts, run: (system: System) => Promise<T>): Promise<T> {
  const system = await openSystem(configFrom({ ...opts, logLevel: 'warn' }));
  try {
    return await run(system);
  } catch (err) {
    if (err instanceof XadesError && USAGE_CODES.includes(err.code)) throw new UsageError(`${err.message} (${err.code})`);
    throw err;
  } finally {
    await system.close();
  }
}

function readInput(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UsageError(`cannot read ${file}`);
  }
}

/** A test subscriber with a stored software key: by certificate serial, or the newest good one of a TCKN. */
async function subscriberKey(trust: TrustService, signer: string | undefined) {
  const wanted = signer ?? DEMO_TCKN;
  const candidates = /^\d{11}$/.test(wanted)
    ? await trust.list({ kind: 'subscriber', tckn: wanted, status: 'good' })
    : [await trust.certificateRecord(wanted)].filter((r) => r !== null && r.status === 'good');
  for (const record of candidates) {
    const key = await trust.subscriberKey(record!.serialNumber);
    const cert = await trust.certificateBySerial(record!.serialNumber);
    if (key && cert && cert.notAfter.getTime() > Date.now()) return { key, der: Buffer.from(cert.rawData) };
  }
  if (signer) throw new UsageError(`no valid test subscriber "${signer}" with a stored key (issue one with storeKey, or omit --signer)`);
  const issued = await trust.issueSubscriber({ tckn: DEMO_TCKN, givenName: 'Deneme', surname: 'İmzacı', operator: 'TURKCELL', storeKey: true });
  return { key: issued.privateKey!, der: issued.der };
}

function printReport(report: ValidationReport): void {
  const lines = [`${report.summary}: ${report.signatureCount} signature(s)`];
  for (const s of report.signatures) {
    lines.push(
      `${s.path.padEnd(9)} ${s.indication.padEnd(13)} ${String(s.level).padEnd(6)} ${String(s.profile ?? '-').padEnd(3)} ` +
        `${s.signer?.subject ?? '?'}${s.signer?.citizenshipNo ? ` (${s.signer.citizenshipNo})` : ''}` +
        ` signed ${s.signingTime ?? '?'}${s.timestampTime ? `, time-stamped ${s.timestampTime}` : ''}; chain ${s.chain.status}, revocation ${s.revocation.status}${s.revocation.source ? ` (${s.revocation.source}${s.revocation.embedded ? ', embedded' : ''})` : ''}`,
    );
    for (const e of s.errors) lines.push(`          error: ${e}`);
    for (const w of s.warnings) lines.push(`          warning: ${w}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerXades(program: Command): void {
  const xades = program.command('xades').description('XAdES signatures: sign with a test subscriber, verify');

  withDataOptions(xades.command('sign'))
    .description("sign a document with a test subscriber's software key, through the two-phase path the operators use")
    .requiredOption('--in <file>', 'document to sign (XML for ENVELOPED; any bytes for ENVELOPING)')
    .requiredOption('--out <file>', 'where to write the signed XML')
    .option('--level <level>', 'aslBES | aslT | aslXL | aslA (or BES, T, XL, A)', 'aslBES')
    .option('--profile <profile>', 'Turkish signature profile P1 | P2 | P3 | P4')
    .option('--mode <mode>', 'ENVELOPED | ENVELOPING', 'ENVELOPED')
    .option('--serial-path <path>', 'counter-sign the signature at this path (S0, S0:S0, …)')
    .option('--parallel', 'add an independent signature beside the existing ones (the default)')
    .option('--mime-type <type>', 'ENVELOPING binary content MimeType', 'application/pdf')
    .option('--signer <subscriber>', `test subscriber: certificate serial or TCKN (default ${DEMO_TCKN}, created when missing)`)
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { in: string; out: string; level: string; profile?: string; mode: string; serialPath?: string; parallel?: boolean; mimeType: string; signer?: string; json?: boolean }) => {
      if (opts.serialPath && opts.parallel) throw new UsageError('--serial-path and --parallel exclude each other');
      const document = readInput(opts.in);
      const result = await withSystem(opts, async (system) => {
        const { key, der } = await subscriberKey(trustServiceOf(system.parts), opts.signer);
        const service = xadesServiceOf(system.parts);
        const prepared = await service.prepare(
          document,
          {
            level: opts.level, profile: opts.profile ?? null, mode: opts.mode, envelopingObjectMimeType: opts.mimeType,
            serialOrParallel: opts.serialPath ? 'SERIAL' : 'PARALLEL', signaturePath: opts.serialPath ?? null,
          },
          der,
        );
        const signed = await service.complete(prepared.pendingId, signDigest(prepared.digest, key));
        fs.writeFileSync(opts.out, signed);
        return { out: opts.out, bytes: signed.length, fingerprint: prepared.fingerprint };
      });
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : `signed ${opts.in} -> ${result.out} (${result.bytes} bytes), fingerprint ${result.fingerprint}\n`);
    });

  withDataOptions(xades.command('verify'))
    .description('validate every signature in a signed XML file; exit status 1 unless all are valid')
    .argument('<file>', 'signed XML document')
    .option('--json', 'print the full JSON report')
    .action(async (file: string, opts: DataOpts & { json?: boolean }) => {
      const document = readInput(file);
      const report = await withSystem(opts, (system) => xadesServiceOf(system.parts).validate(document));
      if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else printReport(report);
      if (!report.valid) {
        const bad = report.signatures.filter((s) => !s.valid).length;
        throw new Error(`${report.summary}: ${report.signatureCount === 0 ? 'no signature found' : `${bad} of ${report.signatureCount} signature(s) not valid`}`);
      }
    });
}
