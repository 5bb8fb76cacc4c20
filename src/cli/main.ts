import { Command, CommanderError } from 'commander';
import { ConfigError } from '../platform/config.js';
import { registerApps } from './commands/apps.js';
import { registerBank } from './commands/bank.js';
import { registerEsign } from './commands/esign.js';
import { registerEsignKeys } from './commands/esign-keys.js';
import { registerKeygen } from './commands/keygen.js';
import { registerKt } from './commands/kt.js';
import { registerPhone } from './commands/phone.js';
import { registerPki } from './commands/pki.js';
import { registerServe } from './commands/serve.js';
import { registerXades } from './commands/xades.js';
import { EXIT, UsageError } from './options.js';

export function buildProgram(): Command {
  const program = new Command('imzala')
    .description('Kuveyt Türk API Market and Onaylarım e-signature platforms, as a sandbox you run yourself')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerServe(program);
  registerApps(program);
  registerBank(program);
  registerKt(program);
  // esign-keys creates the `esign` command; registerEsign adds the client commands to it.
  registerEsignKeys(program);
  registerEsign(program);
  registerKeygen(program);
  registerPki(program);
  registerPhone(program);
  registerXades(program);
  return program;
}

/** Runs the CLI and returns the exit code instead of exiting, so tests can drive it in-process. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`imzala: ${message}\n`);
    return err instanceof UsageError || err instanceof ConfigError ? EXIT.usage : EXIT.failure;
  }
}
