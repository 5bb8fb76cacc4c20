/** What a person sees on a terminal: progress bars, a live status line, aligned tables. Scripts use --json. */

export interface Line {
  update(text: string): void;
  done(text?: string): void;
}

/** One rewritable line on stderr when it is a terminal; silent otherwise, so pipes and logs stay clean. */
export function statusLine(stream: NodeJS.WriteStream = process.stderr): Line {
  const live = stream.isTTY === true;
  let last = '';
  return {
    update(text) {
      if (!live || text === last) return;
      last = text;
      stream.write(`\r\x1b[2K${text}`);
    },
    done(text) {
      if (!live) return;
      stream.write(`\r\x1b[2K${text === undefined ? '' : `${text}\n`}`);
    },
  };
}

const MB = 1024 * 1024;

export function progressBar(sent: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, sent / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}% ${(sent / MB).toFixed(1)}/${(total / MB).toFixed(1)} MB`;
}

export function table(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  const cell = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]): string => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line([...columns]), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n') + '\n';
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
