import { CURRENCIES } from './money.js';

/** The sandbox's fixed board rates in TL (per unit, per gram for metals): stable so examples stay true. */
const BOARD: ReadonlyArray<{ fxId: number; buyRate: number; sellRate: number }> = [
  { fxId: 1, buyRate: 41.852, sellRate: 42.311 },
  { fxId: 19, buyRate: 48.3125, sellRate: 48.8402 },
  { fxId: 24, buyRate: 5480.25, sellRate: 5561.9 },
  { fxId: 26, buyRate: 64.12, sellRate: 67.35 },
  { fxId: 27, buyRate: 2011.4, sellRate: 2094.75 },
];

export function fxRates(languageId: 1 | 2) {
  return BOARD.map(({ fxId, buyRate, sellRate }) => {
    const currency = CURRENCIES[fxId]!;
    return { fxCode: currency.code, fxId, fxName: languageId === 2 ? currency.nameEn : currency.name, buyRate, sellRate };
  });
}
