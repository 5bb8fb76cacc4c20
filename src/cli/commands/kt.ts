import fs from 'node:fs';
import type { Command } from 'commander';
import { KuveytTurk, signRequest, type Account, type AccountActivity } from '../../sdk/index.js';
import { ktSettings, withProfileOptions, type ProfileOptions } from '../client-config.js';
import { UsageError } from '../options.js';
import { printJson, table } from '../terminal.js';

type KtOpts = ProfileOptions & { clientId?: string; clientSecret?: string; privateKey?: string; baseUrl?: string; environment?: string; json?: boolean };

function client(opts: KtOpts): KuveytTurk {
  const s = ktSettings(opts);
  return new KuveytTurk({
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    privateKey: s.privateKey,
    ...(s.baseUrl !== undefined ? { baseUrls: s.baseUrl } : { environment: s.environment ?? 'sandbox' }),
  });
}

function clientCommand(parent: Command, name: string): Command {
  return withProfileOptions(parent.command(name))
    .option('--client-id <id>', 'env IMZALA_KT_CLIENT_ID')
    .option('--client-secret <secret>', 'env IMZALA_KT_CLIENT_SECRET')
    .option('--private-key <file>', 'PKCS#1 or PKCS#8 PEM file (env IMZALA_KT_PRIVATE_KEY: a path or the PEM itself)')
    .option('--base-url <url>', 'one origin serving /connect and the gateway, e.g. http://localhost:8080 (env IMZALA_KT_BASE_URL)')
    .option('--environment <env>', 'sandbox (default), test or production: the bank\'s own hosts (env IMZALA_KT_ENVIRONMENT)')
    .option('--json', 'print JSON on stdout, for scripts');
}

const money = (n: number): string => n.toLocaleString('tr-TR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}

/** `imzala kt token|accounts|transactions|transfer|sign`: the Kuveyt Türk API Market as an integrator uses it. */
export function registerKt(program: Command): void {
  const kt = program.command('kt').description('Kuveyt Türk API Market client: tokens, signed calls, accounts, transfers');

  clientCommand(kt, 'token')
    .description('get a client-credentials access token')
    .option('--scope <scopes...>', 'scopes (default: public)', ['public'])
    .action(async (opts: KtOpts & { scope: string[] }) => {
      const tokens = await client(opts).oauth.clientToken(opts.scope.flatMap((s) => s.split(/[\s,]+/)).filter(Boolean));
      if (opts.json) printJson({ accessToken: tokens.accessToken, tokenType: tokens.tokenType, expiresAt: new Date(tokens.expiresAt).toISOString(), scopes: tokens.scopes });
      else process.stdout.write(`${tokens.accessToken}\n`);
    });

  clientCommand(kt, 'accounts')
    .description("the company's accounts (GET /v3/accounts), or one account")
    .argument('[suffix]', 'account suffix')
    .action(async (suffix: string | undefined, opts: KtOpts) => {
      const api = client(opts);
      const accounts: Account[] = suffix === undefined ? await api.accounts.list() : [await api.accounts.get(suffix)];
      if (opts.json) return printJson(accounts);
      process.stdout.write(
        table(
          accounts.map((a) => ({ suffix: a.suffix, iban: a.iban, fx: a.fxCode ?? a.fxId, balance: money(a.balance), available: money(a.availableBalance), product: a.productType, branch: a.branchName })),
          ['suffix', 'iban', 'fx', 'balance', 'available', 'product', 'branch'],
        ),
      );
    });

  clientCommand(kt, 'transactions')
    .description("an account's movements, newest first, fetched window by window")
    .argument('<suffix>', 'account suffix')
    .option('--from <date>', 'oldest day, YYYY-MM-DD (default: 30 days ago)')
    .option('--to <date>', 'newest day, YYYY-MM-DD (default: today)')
    .option('--window-days <n>', 'days per request (default 30)')
    .option('--limit <n>', 'stop after this many movements')
    .action(async (suffix: string, opts: KtOpts & { from?: string; to?: string; windowDays?: string; limit?: string }) => {
      const windowDays = integer('--window-days', opts.windowDays);
      const limit = integer('--limit', opts.limit);
      const from = opts.from ?? new Date(Date.now() - 29 * 86_400_000);
      const activities: AccountActivity[] = [];
      try {
        for await (const a of client(opts).accounts.iterateTransactions(suffix, { from, ...(opts.to ? { to: opts.to } : {}), ...(windowDays ? { windowDays } : {}) })) {
          if (limit !== undefined && activities.length >= limit) break;
          activities.push(a);
        }
      } catch (err) {
        if (err instanceof TypeError || err instanceof RangeError) throw new UsageError(err.message);
        throw err;
      }
      if (opts.json) return printJson(activities);
      process.stdout.write(
        table(
          activities.map((a) => ({ date: a.date, amount: money(a.amount), balance: money(a.balance), fx: a.fxCode, description: a.description, reference: a.transactionReference })),
          ['date', 'amount', 'balance', 'fx', 'description', 'reference'],
        ),
      );
    });

  clientCommand(kt, 'transfer')
    .description('send money (POST /v1/moneytransfer/outgoingmoneytransfer); sent once, never retried blindly')
    .requiredOption('--from-suffix <suffix>', 'sender account suffix')
    .requiredOption('--iban <iban>', 'receiver IBAN')
    .requiredOption('--amount <amount>', 'amount, e.g. 150.25')
    .requiredOption('--description <text>', 'transfer description')
    .requiredOption('--user <name>', 'corporate web user name')
    .action(async (opts: KtOpts & { fromSuffix: string; iban: string; amount: string; description: string; user: string }) => {
      const amount = Number(opts.amount);
      if (!Number.isFinite(amount) || amount <= 0) throw new UsageError(`--amount must be a positive number, got "${opts.amount}"`);
      const result = await client(opts).moneyTransfer.outgoing({
        senderAccountSuffix: integer('--from-suffix', opts.fromSuffix)!,
        receiverIban: opts.iban.replace(/\s+/g, ''),
        moneyTransferAmount: amount,
        moneyTransferDescription: opts.description,
        corporateWebUserName: opts.user,
      });
      if (opts.json) printJson(result);
      else process.stdout.write(`transfer ${String(result.moneyTransferTransactionId)} (reference ${result.executionReferenceId})\n`);
    });

  kt.command('sign')
    .description("print the Signature header for a request (equals `openssl dgst -sha256 -sign` over token + payload), to debug your own client")
    .requiredOption('--token <token>', 'the access token')
    .requiredOption('--method <method>', 'GET or POST')
    .option('--body-file <file>', 'POST: the body exactly as sent')
    .option('--query <query>', "GET: the query exactly as sent, e.g. '?a=1&b=2'")
    .requiredOption('--private-key <file>', 'PKCS#1 or PKCS#8 PEM')
    .action((opts: { token: string; method: string; bodyFile?: string; query?: string; privateKey: string }) => {
      const method = opts.method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'DELETE'].includes(method)) throw new UsageError(`--method must be GET or POST, got "${opts.method}"`);
      if (opts.bodyFile !== undefined && opts.query !== undefined) throw new UsageError('pass --body-file or --query, not both');
      if (opts.bodyFile !== undefined && method === 'GET') throw new UsageError('a GET has no body: sign its --query');
      let key: string;
      let body: Buffer | undefined;
      try {
        key = fs.readFileSync(opts.privateKey, 'utf8');
        body = opts.bodyFile === undefined ? undefined : fs.readFileSync(opts.bodyFile);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      let signature: string;
      try {
        signature = signRequest({ token: opts.token, method, ...(body !== undefined ? { body } : {}), ...(opts.query !== undefined ? { query: opts.query } : {}), privateKey: key });
      } catch (err) {
        throw new UsageError(`cannot sign: ${(err as Error).message}`);
      }
      process.stdout.write(`${signature}\n`);
    });
}
