/** The bank keeps Turkish local time: UTC+3 all year since 2016, so a fixed offset is exact. */
const ISTANBUL_OFFSET_MS = 3 * 60 * 60 * 1000;

/** `YYYY-MM-DDTHH:mm:ss` in Istanbul time, the wire format of every date the bank shows. */
export function bankTime(epochMs: number): string {
  return new Date(epochMs + ISTANBUL_OFFSET_MS).toISOString().slice(0, 19);
}

/** Epoch millis of a bank-local date (`YYYY-MM-DD`) or date-time (`YYYY-MM-DDTHH:mm[:ss]`); null when malformed. */
export function parseBankTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const back = new Date(ms).toISOString();
  // Reject 2026-02-30 and 25:00 rather than letting Date roll them over.
  if (back.slice(0, 10) !== `${y}-${mo}-${d}` || back.slice(11, 19) !== `${h}:${mi}:${s}`) return null;
  return ms - ISTANBUL_OFFSET_MS;
}
