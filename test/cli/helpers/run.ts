import { spawn } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../../bin/imzala.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `imzala` binary in a child process (asynchronously, so servers in the test process keep
 * answering), with only the environment given plus PATH/HOME: the tests see exit codes and streams as a script does.
 */
export function runCli(args: string[], env: Record<string, string> = {}, options: { cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: env.HOME ?? '/nonexistent', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs `imzala` under a pseudo-terminal (util-linux `script`), so it behaves as for a person: stdout and stderr merged. */
export function runInTerminal(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, bin, ...args].map(quote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', TERM: 'xterm', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr: '' }));
    child.stdin.end();
  });
}
