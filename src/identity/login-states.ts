import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { IdentityTables } from './migrations.js';
import { hashSecret, verifySecret } from '../platform/secrets.js';

export const OTP_TTL_MS = 3 * 60 * 1000;
export const OTP_ATTEMPTS = 3;
export const OTP_SENDS = 3;
export const PASSWORD_ATTEMPTS = 5;

export type LoginState = IdentityTables['identity_logins'];

export type OtpCheck = 'ok' | 'wrong' | 'used_up';

/**
 * Where a customer's sign-in stands within one authorization interaction: the form's CSRF token, whether the
 * password has passed, and the pending one-time code (hashed; single use, expiring, limited attempts).
 */
export class LoginStates {
  constructor(private readonly db: Kysely<IdentityTables>) {}

  /** The interaction's state, created on first sight. */
  async open(uid: string): Promise<LoginState> {
    const fresh: LoginState = {
      uid,
      csrf: randomBytes(24).toString('base64url'),
      customer_no: null,
      otp_hash: null,
      otp_expires_at: null,
      otp_attempts: 0,
      otp_sends: 0,
      password_attempts: 0,
      created_at: Date.now(),
    };
    await this.db.insertInto('identity_logins').values(fresh).onConflict((oc) => oc.column('uid').doNothing()).execute();
    return (await this.get(uid)) ?? fresh;
  }

  async get(uid: string): Promise<LoginState | null> {
    return (await this.db.selectFrom('identity_logins').selectAll().where('uid', '=', uid).executeTakeFirst()) ?? null;
  }

  csrfMatches(state: LoginState, presented: unknown): boolean {
    if (typeof presented !== 'string') return false;
    const a = Buffer.from(state.csrf);
    const b = Buffer.from(presented);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Counts a wrong password; false once the interaction has used up its attempts. */
  async passwordFailed(uid: string): Promise<boolean> {
    await this.db.updateTable('identity_logins').set((eb) => ({ password_attempts: eb('password_attempts', '+', 1) })).where('uid', '=', uid).execute();
    const state = await this.get(uid);
    return (state?.password_attempts ?? PASSWORD_ATTEMPTS) < PASSWORD_ATTEMPTS;
  }

  /** A new code for the customer (the password has passed); null once the sends are used up. */
  async sendCode(uid: string, customerNo: string): Promise<string | null> {
    const state = await this.get(uid);
    if (!state || state.otp_sends >= OTP_SENDS) return null;
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.db
      .updateTable('identity_logins')
      .set({
        customer_no: customerNo,
        otp_hash: await hashSecret(code),
        otp_expires_at: Date.now() + OTP_TTL_MS,
        otp_attempts: 0,
        otp_sends: state.otp_sends + 1,
      })
      .where('uid', '=', uid)
      .execute();
    return code;
  }

  async checkCode(state: LoginState, code: string): Promise<{ result: OtpCheck; attemptsLeft: number }> {
    if (!state.otp_hash || !state.otp_expires_at || Number(state.otp_expires_at) < Date.now() || state.otp_attempts >= OTP_ATTEMPTS) {
      return { result: 'used_up', attemptsLeft: 0 };
    }
    // Count the attempt before checking, so parallel guesses cannot exceed the limit.
    await this.db.updateTable('identity_logins').set((eb) => ({ otp_attempts: eb('otp_attempts', '+', 1) })).where('uid', '=', state.uid).execute();
    const attempts = (await this.get(state.uid))?.otp_attempts ?? OTP_ATTEMPTS + 1;
    if (attempts > OTP_ATTEMPTS) return { result: 'used_up', attemptsLeft: 0 };
    if (await verifySecret(state.otp_hash, code)) {
      // Single use: the code is gone the moment it works.
      const burnt = await this.db.updateTable('identity_logins').set({ otp_hash: null, otp_expires_at: null }).where('uid', '=', state.uid).where('otp_hash', '=', state.otp_hash).executeTakeFirst();
      if (Number(burnt.numUpdatedRows) === 1) return { result: 'ok', attemptsLeft: 0 };
      return { result: 'used_up', attemptsLeft: 0 };
    }
    const left = OTP_ATTEMPTS - attempts;
    return { result: left > 0 ? 'wrong' : 'used_up', attemptsLeft: left };
  }

  async close(uid: string): Promise<void> {
    await this.db.deleteFrom('identity_logins').where('uid', '=', uid).execute();
  }

  /** Drops states of interactions long gone (interactions live 30 minutes). */
  async sweep(): Promise<void> {
    await this.db.deleteFrom('identity_logins').where('created_at', '<', Date.now() - 2 * 3600 * 1000).execute();
  }
}
