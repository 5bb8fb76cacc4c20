import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs the openssl binary (the independent check); resolves with its output even on failure. */
export async function openssl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('openssl', args, { encoding: 'utf8' });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** A scratch directory for files handed to openssl. */
export function scratch(): { file(name: string, content?: string | Uint8Array): string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-trust-'));
  return {
    file(name, content) {
      const p = path.join(dir, name);
      if (content !== undefined) fs.writeFileSync(p, content);
      return p;
    },
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
