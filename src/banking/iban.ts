/** Turkish IBANs (ISO 13616): TR, two mod-97 check digits, bank code, a reserve digit, a 16-digit account. */
export const KUVEYT_TURK_BANK_CODE = '00205';

/** ISO 7064 mod 97-10 over the rearranged IBAN (country and check digits moved to the end, letters as 10..35). */
function mod97(rearranged: string): number {
  let remainder = 0;
  for (const ch of rearranged) {
    const digits = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder;
}

export function ibanCheckDigits(country: string, bban: string): string {
  return String(98 - mod97(`${bban}${country}00`)).padStart(2, '0');
}

/** Kuveyt Türk's layout, as the PDF's TR320020500000040036800001 shows: customer number (11) + suffix (5). */
export function ibanFor(customerNo: string, suffix: number): string {
  const bban = `${KUVEYT_TURK_BANK_CODE}0${customerNo.padStart(11, '0')}${String(suffix).padStart(5, '0')}`;
  return `TR${ibanCheckDigits('TR', bban)}${bban}`;
}

export function isValidTurkishIban(iban: string): boolean {
  if (!/^TR\d{24}$/.test(iban)) return false;
  return mod97(`${iban.slice(4)}${iban.slice(0, 4)}`) === 1;
}

/** Spaces and lower case are how people paste IBANs; the bank compares the compact upper-case form. */
export function normaliseIban(input: string): string {
  return input.replace(/\s+/g, '').toUpperCase();
}
