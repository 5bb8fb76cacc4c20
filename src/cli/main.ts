import { Command, CommanderError } from 'commander';
import { ConfigError } from '../platform/config.js';
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
  registerPki(program);
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
