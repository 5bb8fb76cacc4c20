import { PhoneError } from './errors.js';

/**
 * What a subscriber's phone does by itself, for tests and demos: nothing (a person answers), approve or
 * refuse after a delay, never answer (the transaction expires), or type wrong PINs until the PIN blocks.
 */
export type AutoPolicy =
  | { mode: 'manual' }
  | { mode: 'approve'; afterSeconds: number }
  | { mode: 'reject'; afterSeconds: number }
  | { mode: 'ignore' }
  | { mode: 'wrong-pin'; afterSeconds: number };

export const POLICY_MODES = ['manual', 'approve', 'reject', 'ignore', 'wrong-pin'] as const;

export function parsePolicy(input: unknown): AutoPolicy {
  const o = (typeof input === 'object' && input !== null ? input : {}) as { mode?: unknown; afterSeconds?: unknown };
  const after = o.afterSeconds === undefined ? 0 : o.afterSeconds;
  if (typeof after !== 'number' || !Number.isFinite(after) || after < 0 || after > 3600) {
    throw new PhoneError('ERR_INVALID_INPUT', 'afterSeconds must be a number from 0 to 3600');
  }
  switch (o.mode) {
    case 'manual':
    case 'ignore':
      return { mode: o.mode };
    case 'approve':
    case 'reject':
    case 'wrong-pin':
      return { mode: o.mode, afterSeconds: after };
    default:
      throw new PhoneError('ERR_INVALID_INPUT', `policy mode must be one of ${POLICY_MODES.join(', ')}`);
  }
}

export function describePolicy(p: AutoPolicy): string {
  return 'afterSeconds' in p ? `${p.mode} after ${p.afterSeconds}s` : p.mode;
}
