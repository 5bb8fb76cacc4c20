import type { OperatorName } from './operators.js';
import type { AutoPolicy } from './policy.js';

export interface SeedSubscriber {
  phone: string;
  operator: OperatorName;
  tckn: string;
  givenName: string;
  surname: string;
  pin: string;
  policy: AutoPolicy;
}

/** The sandbox's subscribers: one per operator answered by hand, and one that approves by itself. */
export const SEED_SUBSCRIBERS: readonly SeedSubscriber[] = [
  { phone: '5301234567', operator: 'TURKCELL', tckn: '12345678950', givenName: 'Ayşe', surname: 'Yılmaz', pin: '123456', policy: { mode: 'manual' } },
  { phone: '5421234567', operator: 'VODAFONE', tckn: '10000000146', givenName: 'Mehmet', surname: 'Demir', pin: '123456', policy: { mode: 'manual' } },
  { phone: '5051234567', operator: 'AVEA', tckn: '20000000282', givenName: 'Zeynep', surname: 'Kaya', pin: '123456', policy: { mode: 'manual' } },
  { phone: '5309999999', operator: 'TURKCELL', tckn: '30000000328', givenName: 'Otomatik', surname: 'Onay', pin: '123456', policy: { mode: 'approve', afterSeconds: 2 } },
];
