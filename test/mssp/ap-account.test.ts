import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApAccount } from '../../src/mssp/ap-account.js';
import type { MsspTables } from '../../src/mssp/migrations.js';
import { MsspError } from '../../src/mssp/status.js';
import { testSystem } from '../helpers/platform.js';

type System = Awaited<ReturnType<typeof testSystem>>;

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(MsspError);
  return (err as MsspError).code;
}

describe('the AP account an operator simulator accepts', () => {
  let system: System;
  beforeEach(async () => {
    system = await testSystem();
  });
  afterEach(async () => system.cleanup());

  it('is stored on first use as a scrypt hash, follows the environment when it changes, and refuses the old password then', async () => {
    const db = system.platform.database.db.withTables<MsspTables>();
    // Start-up costs no scrypt: nothing is written until a request needs the account.
    expect(await db.selectFrom('mssp_operators').selectAll().execute()).toEqual([]);

    const first = new ApAccount(db, 'TURKCELL', { apId: 'ap-1', apPwd: 'first-password' });
    await first.authenticate('ap-1', 'first-password');
    const row = await db.selectFrom('mssp_operators').selectAll().where('name', '=', 'TURKCELL').executeTakeFirstOrThrow();
    expect(row.ap_pwd_hash).toMatch(/^scrypt\$/);
    expect(row.ap_pwd_hash).not.toContain('first-password');
    expect(await refusal(first.authenticate('ap-1', 'wrong'))).toBe('UNAUTHORIZED_ACCESS');
    expect(await refusal(first.authenticate('ap-2', 'first-password'))).toBe('UNAUTHORIZED_ACCESS');

    // A process started with other credentials brings the stored ones in line before it authenticates anyone.
    const next = new ApAccount(db, 'TURKCELL', { apId: 'ap-1', apPwd: 'second-password' });
    expect(await refusal(next.authenticate('ap-1', 'first-password'))).toBe('UNAUTHORIZED_ACCESS');
    await next.authenticate('ap-1', 'second-password');
    // The first process's remembered password was for the old hash: it no longer passes there either.
    expect(await refusal(first.authenticate('ap-1', 'first-password'))).toBe('UNAUTHORIZED_ACCESS');
  });
});
