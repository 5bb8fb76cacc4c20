import fs from 'node:fs';
import path from 'node:path';

/**
 * The first `relative` path that exists in `dir` or a directory above it, or null. Code runs from src/ (tsx) and
 * from dist/src/ (`npm start`), so files at the repository root (web/, the native build) are found, not assumed.
 */
export function fileAbove(dir: string, relative: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, relative);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(d) === d) return null;
  }
}
