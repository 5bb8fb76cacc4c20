import { TrustError } from './errors.js';

/**
 * Turkish ID number (T.C. Kimlik No): 11 digits, first not 0; digit 10 = ((d1+d3+d5+d7+d9)×7 − (d2+d4+d6+d8))
 * mod 10; digit 11 = (d1+…+d10) mod 10.
 */
export function isValidTckn(value: string): boolean {
  if (!/^[1-9][0-9]{10}$/.test(value)) return false;
  const d = [...value].map(Number) as number[];
  const at = (i: number): number => d[i] ?? 0;
  const odd = at(0) + at(2) + at(4) + at(6) + at(8);
  const even = at(1) + at(3) + at(5) + at(7);
  const tenth = (((odd * 7 - even) % 10) + 10) % 10;
  if (tenth !== at(9)) return false;
  const sum = d.slice(0, 10).reduce((a, b) => a + b, 0);
  return sum % 10 === at(10);
}

export function assertTckn(value: string): string {
  if (!isValidTckn(value)) {
    throw new TrustError('ERR_TRUST_TCKN_INVALID', `"${value}" is not a valid TCKN (11 digits, first not 0, check digits 10 and 11)`);
  }
  return value;
}

/** Completes 9 leading digits (first not 0) to a valid TCKN; for demos and tests that need fresh numbers. */
export function tcknFrom(nineDigits: string): string {
  if (!/^[1-9][0-9]{8}$/.test(nineDigits)) throw new TrustError('ERR_TRUST_TCKN_INVALID', 'need 9 digits, first not 0');
  const d = [...nineDigits].map(Number) as number[];
  const at = (i: number): number => d[i] ?? 0;
  const tenth = ((((at(0) + at(2) + at(4) + at(6) + at(8)) * 7 - (at(1) + at(3) + at(5) + at(7))) % 10) + 10) % 10;
  const eleventh = (d.reduce((a, b) => a + b, 0) + tenth) % 10;
  return `${nineDigits}${tenth}${eleventh}`;
}
