/** Currencies the bank keeps accounts in, by the bank's fxId. Precious metals are grams. */
export const CURRENCIES: Readonly<Record<number, { code: string; name: string; nameEn: string }>> = {
  0: { code: 'TL', name: 'Türk Lirası', nameEn: 'Turkish Lira' },
  1: { code: 'USD', name: 'Amerikan Doları', nameEn: 'US Dollar' },
  19: { code: 'EUR', name: 'Euro', nameEn: 'Euro' },
  24: { code: 'ALT', name: 'Altın (gr)', nameEn: 'Gold (g)' },
  26: { code: 'GMS', name: 'Gümüş (gr)', nameEn: 'Silver (g)' },
  27: { code: 'PLT', name: 'Platin (gr)', nameEn: 'Platinum (g)' },
};

export function fxCodeOf(fxId: number): string {
  return CURRENCIES[fxId]?.code ?? String(fxId);
}

/**
 * An amount in minor units that goes on the wire as a JSON number with exactly two decimals (2686.00, as the
 * vendor PDF shows), which JSON.stringify cannot write; `toWireJson` can.
 */
export class Amount {
  constructor(readonly minor: number) {}
  toFixed2(): string {
    const abs = Math.abs(this.minor);
    return `${this.minor < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  }
  toJSON(): number {
    return this.minor / 100;
  }
}

const quotedKeys = new Map<string, string>();

/** Response keys are our own few field names: quoting each once is cheaper than per response. */
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** JSON text for a response value; Amounts print with two decimals, exactly, with no float rounding. */
export function toWireJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return 'null';
  }
  if (value === null) return 'null';
  if (value instanceof Amount) return value.toFixed2();
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + toWireJson(value[i]);
    return `${out}]`;
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return toWireJson((value as { toJSON(): unknown }).toJSON());
  let out = '{';
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const v = record[key];
    if (v === undefined || typeof v === 'function') continue;
    out += `${out.length === 1 ? '' : ','}${quotedKey(key)}:${toWireJson(v)}`;
  }
  return `${out}}`;
}

/** Parses a wire amount (number or numeric string, at most two decimals) into minor units; null when invalid. */
export function parseAmount(input: unknown): number | null {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : '';
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}
