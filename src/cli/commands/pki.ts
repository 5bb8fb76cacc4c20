import fs from 'node:fs';
import type { Command } from 'commander';
import { openSystem, type System } from '../../app.js';
import { TrustError, type TrustErrorCode } from '../../trust/errors.js';
import { OPERATORS } from '../../trust/hierarchy.js';
import { trustServiceOf } from '../../trust/part.js';
import { REVOCATION_REASONS, type CertificateRecord, type TrustService } from '../../trust/service.js';
import { configFrom, UsageError, withDataOptions } from '../options.js';

type DataOpts = { data?: string; databaseUrl?: string };

// Mistakes in what the user typed exit 2 (usage); everything else exits 1.
const USAGE_CODES: readonly TrustErrorCode[] = ['ERR_TRUST_TCKN_INVALID', 'ERR_TRUST_UNKNOWN_CA', 'ERR_TRUST_UNKNOWN_OPERATOR', 'ERR_TRUST_BAD_REASON', 'ERR_TRUST_BAD_SERIAL', 'ERR_TRUST_BAD_INPUT'];

/** Opens the system on the chosen data (no server needed) and runs one trust operation. */
async function withTrust<T>(opts: DataOpts, run: (trust: TrustService, system: System) => Promise<T>): Promise<T> {
  const system = await openSystem(configFrom({ ...opts, logLevel: 'warn' }));
  try {
    return await run(trustServiceOf(system.parts), system);
  } catch (err) {
    if (err instanceof TrustError && USAGE_CODES.includes(err.code)) throw new UsageError(`${err.message} (${err.code})`);
    throw err;
  } finally {
    await system.close();
  }
}

function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

function recordJson(r: CertificateRecord): Record<string, unknown> {
  return { ...r, notBefore: r.notBefore.toISOString(), notAfter: r.notAfter.toISOString(), revokedAt: r.revokedAt?.toISOString() ?? null };
}

function splitName(name: string): { givenName: string; surname: string } {
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) throw new UsageError('--name needs a given name and a surname, e.g. --name "Ayşe Yılmaz"');
  return { givenName: parts.slice(0, -1).join(' '), surname: parts[parts.length - 1] ?? '' };
}

export function registerPki(program: Command): void {
  const pki = program.command('pki').description('the test PKI: root, operator sub-CAs, subscriber certificates, revocation');

  withDataOptions(pki.command('export-root'))
    .description('print the root certificate (PEM) that verifiers are to trust')
    .option('--out <file>', 'write it to a file instead of standard output')
    .action(async (opts: DataOpts & { out?: string }) => {
      const pem = await withTrust(opts, async (trust) => (await trust.rootCertificate()).toString('pem'));
      if (opts.out) fs.writeFileSync(opts.out, pem.endsWith('\n') ? pem : `${pem}\n`);
      else out(pem);
    });

  withDataOptions(pki.command('export-ca'))
    .description('print a CA certificate (root, turkcell, vodafone, avea) or the TSA certificate (tsa) as PEM')
    .argument('<name>', 'root | turkcell | vodafone | avea | tsa')
    .option('--out <file>', 'write it to a file instead of standard output')
    .action(async (name: string, opts: DataOpts & { out?: string }) => {
      const pem = await withTrust(opts, async (trust) => {
        const key = name.toLowerCase();
        return (key === 'tsa' ? await trust.tsaCertificate() : await trust.caCertificate(key)).toString('pem');
      });
      if (opts.out) fs.writeFileSync(opts.out, pem.endsWith('\n') ? pem : `${pem}\n`);
      else out(pem);
    });

  withDataOptions(pki.command('issue'))
    .description('issue a qualified mobile-signature certificate for a subscriber (key pair generated here)')
    .requiredOption('--tckn <tckn>', 'Turkish ID number (11 digits, valid check digits)')
    .requiredOption('--name <name>', 'given name(s) and surname, e.g. "Ayşe Yılmaz"')
    .requiredOption('--operator <operator>', `issuing operator: ${OPERATORS.join(' | ')}`)
    .option('--out-key <file>', 'write the private key (PKCS#8 PEM) here')
    .option('--out-cert <file>', 'write the certificate (PEM) here')
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { tckn: string; name: string; operator: string; outKey?: string; outCert?: string; json?: boolean }) => {
      const { givenName, surname } = splitName(opts.name);
      const issued = await withTrust(opts, (trust) => trust.issueSubscriber({ tckn: opts.tckn, givenName, surname, operator: opts.operator }));
      if (opts.outKey) fs.writeFileSync(opts.outKey, issued.privateKeyPem ?? '', { mode: 0o600 });
      if (opts.outCert) fs.writeFileSync(opts.outCert, issued.pem);
      if (opts.json) {
        out(JSON.stringify({
          serialNumber: issued.serialNumber,
          subject: issued.certificate.subject,
          operator: issued.operator,
          ca: issued.ca,
          notBefore: issued.certificate.notBefore.toISOString(),
          notAfter: issued.certificate.notAfter.toISOString(),
          certificatePem: issued.pem,
          chainPem: issued.chain.map((c) => c.toString('pem')),
          ...(opts.outKey ? { keyFile: opts.outKey } : { privateKeyPem: issued.privateKeyPem }),
        }, null, 2));
      } else {
        out(`issued ${issued.serialNumber} to ${issued.certificate.subject} (${issued.operator}, CA ${issued.ca})`);
        if (!opts.outCert) out(issued.pem);
        if (!opts.outKey) process.stderr.write('note: private key not written (use --out-key FILE or --json)\n');
      }
    });

  withDataOptions(pki.command('revoke'))
    .description('revoke a certificate; OCSP and the CRL show it at once')
    .requiredOption('--serial <hex>', 'serial number (hex, colons allowed)')
    .option('--reason <reason>', `one of ${REVOCATION_REASONS.join(', ')}`, 'unspecified')
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { serial: string; reason: string; json?: boolean }) => {
      const record = await withTrust(opts, (trust) => trust.revoke(opts.serial, opts.reason));
      out(opts.json ? JSON.stringify(recordJson(record), null, 2) : `revoked ${record.serialNumber} (${record.revocationReason}) at ${record.revokedAt?.toISOString()}`);
    });

  withDataOptions(pki.command('list'))
    .description('list issued certificates, newest first')
    .option('--kind <kind>', 'subscriber | sub-ca | tsa | ocsp')
    .option('--status <status>', 'good | revoked')
    .option('--tckn <tckn>', 'only this subscriber')
    .option('--json', 'print JSON')
    .action(async (opts: DataOpts & { kind?: string; status?: string; tckn?: string; json?: boolean }) => {
      if (opts.status && opts.status !== 'good' && opts.status !== 'revoked') throw new UsageError('--status must be good or revoked');
      const records = await withTrust(opts, (trust) =>
        trust.list({ kind: opts.kind, tckn: opts.tckn, status: opts.status as 'good' | 'revoked' | undefined }),
      );
      if (opts.json) return out(JSON.stringify(records.map(recordJson), null, 2));
      for (const r of records) {
        out([r.serialNumber, r.kind, r.ca, r.status + (r.revocationReason ? `(${r.revocationReason})` : ''), r.tckn ?? '-', r.subject].join('\t'));
      }
    });
}
