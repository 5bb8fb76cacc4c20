import type { Command } from 'commander';
import { buildServer, openSystem } from '../../app.js';
import { configFrom, UsageError, withDataOptions } from '../options.js';

export function registerServe(program: Command): void {
  withDataOptions(program.command('serve'))
    .description('serve every part (identity, gateway, banking, e-signature, trust, operators, console) on one port')
    .option('-p, --port <port>', 'port to listen on (env IMZALA_PORT)', undefined)
    .option('--host <host>', 'address to bind (env IMZALA_HOST)', undefined)
    .option('--public-url <url>', 'URL clients use to reach this server (env IMZALA_PUBLIC_URL)', undefined)
    .action(async (opts: { port?: string; host?: string; publicUrl?: string; data?: string; databaseUrl?: string }) => {
      const port = opts.port === undefined ? undefined : Number(opts.port);
      if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--port must be a number, got "${opts.port}"`);
      const config = configFrom({ ...opts, port });
      const system = await openSystem(config);
      const app = await buildServer(system);
      const stops: Array<() => Promise<void>> = [];
      for (const part of system.parts) if (part.start) stops.push(await part.start());
      const address = await app.listen({ port: config.port, host: config.host });
      const lines = [`imzala listening on ${address} (public URL ${config.publicUrl})`, `data: ${config.dataDir} (${system.platform.database.dialect})`];
      for (const part of system.parts) if (part.banner) lines.push(...(await part.banner()));
      process.stdout.write(`${lines.join('\n')}\n`);

      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      for (const stop of stops) await stop();
      await app.close();
      await system.close();
    });
}
