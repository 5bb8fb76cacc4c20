import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { Onaylarim, type EnvelopingOrEnveloped, type MobileOperator, type OperationStatus, type TurkishProfile, type XadesLevel } from '../../sdk/index.js';
import { esignSettings, withProfileOptions, type ProfileOptions } from '../client-config.js';
import { UsageError } from '../options.js';
import { printJson, progressBar, statusLine } from '../terminal.js';

type ClientOpts = ProfileOptions & { baseUrl?: string; apiKey?: string; json?: boolean };

function client(opts: ClientOpts): Onaylarim {
  const { baseUrl, apiKey } = esignSettings(opts);
  return new Onaylarim({ baseUrl, apiKey });
}

function clientCommand(parent: Command, name: string): Command {
  return withProfileOptions(parent.command(name))
    .option('--base-url <url>', 'e-signature API origin (env IMZALA_BASE_URL), e.g. http://localhost:8080 or https://apitest.onaylarim.com')
    .option('--api-key <key>', 'X-API-KEY (env IMZALA_API_KEY)')
    .option('--json', 'print one JSON object on stdout, for scripts');
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (!found) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return found;
}

/**
 * The five states scripts see (waiting, signed, refused, expired, failed; `uploaded` before any signing). A signed
 * document's id reports its own; an upload reports its latest signing's, so `status <uploadId>` says waiting
 * while the phone is asked. The server's own state is kept as `serverState`; `aborted` is an abandoned upload.
 */
export function scriptState(status: OperationStatus): string {
  if (status.state === 'aborted') return 'failed';
  if (status.kind === 'upload' && status.signingState) return status.signingState;
  return status.state;
}

const OPERATORS = ['TURKCELL', 'VODAFONE', 'AVEA'] as const satisfies readonly MobileOperator[];
const LEVELS = ['BES', 'T', 'XL', 'A', 'aslBES', 'aslT', 'aslXL', 'aslA'] as const satisfies readonly XadesLevel[];
const PROFILES = ['P1', 'P2', 'P3', 'P4'] as const satisfies readonly TurkishProfile[];
const MODES = ['ENVELOPED', 'ENVELOPING'] as const satisfies readonly EnvelopingOrEnveloped[];

/** `imzala esign upload|sign|status|fingerprint|download`: the e-signature API as a client (ours or the vendor's). */
export function registerEsign(program: Command): void {
  const esign = program.commands.find((c) => c.name() === 'esign') ?? program.command('esign').description('the Onaylarım e-signature API');

  clientCommand(esign, 'upload')
    .description('upload a document, whole or in resumable chunks by size; prints its operationId')
    .argument('<file>', 'the document')
    .option('--chunk-size <bytes>', 'chunk size; larger files go in chunks (default 8 MiB)')
    .option('--resume <uploadSessionId>', 'continue an interrupted chunked upload of the same file')
    .action(async (file: string, opts: ClientOpts & { chunkSize?: string; resume?: string }) => {
      const chunkSize = opts.chunkSize === undefined ? undefined : Number(opts.chunkSize);
      if (chunkSize !== undefined && (!Number.isInteger(chunkSize) || chunkSize < 1)) throw new UsageError('--chunk-size must be a positive integer');
      const line = statusLine();
      const result = await client(opts).files.upload(file, {
        ...(chunkSize ? { chunkSize } : {}),
        ...(opts.resume ? { resumeSessionId: opts.resume } : {}),
        onProgress: (p) => line.update(`${progressBar(p.sentBytes, p.totalBytes)}${p.uploadSessionId ? `  session ${p.uploadSessionId}` : ''}`),
      });
      line.done();
      if (opts.json) printJson(result);
      else process.stdout.write(`${result.operationId}\n`);
    });

  clientCommand(esign, 'sign')
    .description('sign on the phone (mobile XAdES); waits for the subscriber, as the API does, and prints the signed operationId')
    .argument('<operation>', 'operationId of the document (the upload, or an earlier signature)')
    .requiredOption('--phone <number>', 'mobile-signature phone number, 5XXXXXXXXX')
    .requiredOption('--operator <name>', 'TURKCELL, VODAFONE or AVEA')
    .option('--level <level>', 'XAdES level: BES, T, XL, A (default BES)')
    .option('--profile <profile>', 'Turkish profile: P1, P2, P3, P4')
    .option('--serial-path <path>', 'counter-sign the signature at this path (SERIAL), e.g. S0')
    .option('--parallel', 'add an independent signature (PARALLEL; the default)')
    .option('--mode <mode>', 'ENVELOPED (default) or ENVELOPING')
    .option('--citizenship-no <tckn>', "checked against the signer's certificate")
    .option('--prompt <text>', 'the message shown on the phone')
    .action(
      async (
        operationId: string,
        opts: ClientOpts & { phone: string; operator: string; level?: string; profile?: string; serialPath?: string; parallel?: boolean; mode?: string; citizenshipNo?: string; prompt?: string },
      ) => {
        if (opts.serialPath !== undefined && opts.parallel) throw new UsageError('--serial-path and --parallel exclude each other');
        const operator = oneOf('--operator', opts.operator, OPERATORS)!;
        const signatureLevel = oneOf('--level', opts.level, LEVELS);
        const signatureTurkishProfile = oneOf('--profile', opts.profile, PROFILES);
        const envelopingOrEnveloped = oneOf('--mode', opts.mode, MODES);
        const onaylarim = client(opts);
        const line = statusLine();
        const started = Date.now();
        let fingerprint = '';
        const render = (): void =>
          line.update(`waiting for ${opts.phone} (${operator}) ${Math.round((Date.now() - started) / 1000)}s${fingerprint ? `  fingerprint ${fingerprint}` : ''}`);
        const ticker = setInterval(render, 1000);
        render();
        const controller = new AbortController();
        const cancel = (): void => controller.abort();
        process.once('SIGINT', cancel);
        try {
          const signed = await onaylarim.signMobile({
            operationId,
            phoneNumber: opts.phone,
            operator,
            ...(signatureLevel ? { signatureLevel } : {}),
            ...(signatureTurkishProfile ? { signatureTurkishProfile } : {}),
            ...(envelopingOrEnveloped ? { envelopingOrEnveloped } : {}),
            ...(opts.serialPath !== undefined ? { serialOrParallel: 'SERIAL' as const, signaturePath: opts.serialPath } : { serialOrParallel: 'PARALLEL' as const }),
            ...(opts.citizenshipNo ? { citizenshipNo: opts.citizenshipNo } : {}),
            ...(opts.prompt ? { userPrompt: opts.prompt } : {}),
            onFingerprint: (fp) => {
              fingerprint = fp;
              render();
            },
            signal: controller.signal,
          });
          line.done(`signed: ${signed.operationId}`);
          if (opts.json) printJson({ operationId: signed.operationId, signedFrom: signed.signedFrom, fingerPrint: signed.fingerPrint ?? null });
          else process.stdout.write(`${signed.operationId}\n`);
        } catch (err) {
          line.done();
          throw err;
        } finally {
          clearInterval(ticker);
          process.removeListener('SIGINT', cancel);
        }
      },
    );

  clientCommand(esign, 'fingerprint')
    .description("print the fingerprint the phone shows (works with the upload's operationId while signing waits)")
    .argument('<operation>', 'operationId')
    .option('--wait <seconds>', 'keep asking this long until signing has started (default 30)', '30')
    .action(async (operationId: string, opts: ClientOpts & { wait: string }) => {
      const wait = Number(opts.wait);
      if (!Number.isFinite(wait) || wait < 0) throw new UsageError('--wait must be a number of seconds');
      const fingerPrint = await client(opts).fingerprint.waitFor(operationId, { timeoutMs: wait * 1000 });
      if (opts.json) printJson({ operationId, fingerPrint });
      else process.stdout.write(`${fingerPrint}\n`);
    });

  clientCommand(esign, 'status')
    .description('where an operation stands: waiting, signed, refused, expired or failed')
    .argument('<operation>', 'operationId')
    .action(async (operationId: string, opts: ClientOpts) => {
      const status = await client(opts).operations.status(operationId);
      const out = { ...status, state: scriptState(status), serverState: status.state };
      if (opts.json) return printJson(out);
      for (const [key, value] of Object.entries(out)) if (value !== null && value !== undefined) process.stdout.write(`${key.padEnd(18)} ${String(value)}\n`);
    });

  clientCommand(esign, 'download')
    .description('download a document: the signed one (following the chain from an upload) or the original')
    .argument('<operation>', 'operationId (the upload or a signed document)')
    .option('--signed', 'the newest signed document of the chain (default)')
    .option('--original', 'the uploaded original')
    .option('-o, --output <file>', "where to write it (default: the server's file name, in the current directory)")
    .action(async (operationId: string, opts: ClientOpts & { signed?: boolean; original?: boolean; output?: string }) => {
      if (opts.signed && opts.original) throw new UsageError('--signed and --original exclude each other');
      const onaylarim = client(opts);
      const target = opts.original ? await onaylarim.original(operationId) : await onaylarim.latest(operationId);
      if (!opts.original && target === operationId) {
        const status = await onaylarim.operations.status(operationId).catch(() => undefined);
        if (status?.kind === 'upload') throw new Error(`${operationId} is an upload that has not been signed (state ${status.state})`);
      }
      const file = await onaylarim.files.download(target);
      const output = opts.output ?? path.basename(file.fileName);
      const partial = `${output}.${process.pid}.part`;
      await fs.promises.writeFile(partial, file.data);
      await fs.promises.rename(partial, output);
      if (opts.json) printJson({ operationId: target, fileName: file.fileName, output, bytes: file.data.length });
      else process.stderr.write(`wrote ${file.data.length} bytes to ${output}\n`);
    });
}
