// XAdES signing at aslBES, 1 MB and 50 MB, enveloped XML and enveloping binary: imzala against the floor (one
// SHA-256 of the document plus one RSA-2048 signature, node:crypto) and against xadesjs used directly with
// default options, all measured in this run. Each case runs in its own process (bench/xades/case.ts).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SIZES_MB = (process.env.XADES_BENCH_SIZES ?? '1,50').split(',').map(Number);
const KINDS = ['xml', 'binary'] as const;
const WHO = ['floor', 'imzala', 'xadesjs'] as const;

interface Result {
  /** The first run on the document. */
  ms: number;
  /** Median of the runs after it (the first run's time for xadesjs, which runs once). */
  medianMs: number;
  peakBytes: number;
  docBytes: number;
}

function measure(who: string, kind: string, mb: number): Result | string {
  const run = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=6144', '--import', 'tsx', path.join(here, 'case.ts'), who, kind, String(mb)], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  const line = run.stdout.trim().split('\n').pop() ?? '';
  if (run.status !== 0 || !line.startsWith('{')) return `failed (${run.signal ?? `exit ${run.status}`}: ${run.stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l)).pop() ?? ''})`;
  return JSON.parse(line) as Result;
}

const fmt = (n: number, d = 1) => n.toFixed(d);
process.stdout.write('case                  signer   first ms   × floor  median ms   × floor   × xadesjs   peak MB   peak/doc\n');
for (const mb of SIZES_MB) {
  for (const kind of KINDS) {
    const results = Object.fromEntries(WHO.map((w) => [w, measure(w, kind, mb)])) as Record<(typeof WHO)[number], Result | string>;
    const floor = results.floor;
    const xadesjs = results.xadesjs;
    for (const who of WHO) {
      const r = results[who];
      const label = `${mb} MB ${kind === 'xml' ? 'enveloped XML' : 'enveloping bin'}`.padEnd(22);
      if (typeof r === 'string') {
        process.stdout.write(`${label}${who.padEnd(10)}${r}\n`);
        continue;
      }
      const xFloor = typeof floor === 'string' ? '-' : fmt(r.ms / floor.ms);
      const xFloorMedian = typeof floor === 'string' || who === 'xadesjs' ? '-' : fmt(r.medianMs / floor.medianMs);
      const median = who === 'xadesjs' ? '-' : fmt(r.medianMs);
      const xXadesjs = typeof xadesjs === 'string' ? '-' : fmt(r.ms / xadesjs.ms, 2);
      process.stdout.write(
        `${label}${who.padEnd(9)}${fmt(r.ms).padStart(9)}${xFloor.padStart(10)}${median.padStart(11)}${xFloorMedian.padStart(10)}${xXadesjs.padStart(12)}${fmt(r.peakBytes / 2 ** 20).padStart(10)}${fmt(r.peakBytes / r.docBytes, 2).padStart(11)}\n`,
      );
    }
  }
}
process.stdout.write('first: one run on the document after warm-ups on small ones; median: of five more runs on it (not xadesjs)\ntargets: imzala within 3× floor in time; peak under 10× the document (enveloped XML), under 3× (enveloping binary)\n');
