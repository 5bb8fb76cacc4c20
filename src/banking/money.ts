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

/** JSON text for a response value; Amounts print with two decimals, exactly, with no float rounding. */
export function toWireJson(value: unknown): string {
  if (value instanceof Amount) return value.toFixed2();
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => toWireJson(v)).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(value)) if (v !== undefined) parts.push(`${JSON.stringify(k)}:${toWireJson(v)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Parses a wire amount (number or numeric string, at most two decimals) into minor units; null when invalid. */
export function parseAmount(input: unknown): number | null {
  const text = typeof input === 'number' ? String(input) : typeof input === 'string' ? input.trim() : '';
  const m = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) return null;
  const minor = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(minor) ? minor : null;
}
