import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashSecret, verifySecretOrDecoy } from '../platform/secrets.js';
import type { ConsoleTables } from './migrations.js';

/** The console's error family: `code` is stable, `status` the HTTP answer. */
export class ConsoleError extends Error {
  constructor(
    readonly code: 'ERR_INVALID_INPUT' | 'ERR_EMAIL_TAKEN' | 'ERR_BAD_CREDENTIALS' | 'ERR_NOT_SIGNED_IN' | 'ERR_NOT_FOUND' | 'ERR_TOO_MANY_ATTEMPTS',
    message: string,
    readonly status: number,
    /** ERR_TOO_MANY_ATTEMPTS: seconds until the next attempt is taken. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export interface Developer {
  id: string;
  email: string;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;
const SESSION_MS = 8 * 60 * 60 * 1000;
/** After this many failed sign-ins within the window, the e-mail is locked for a window. */
const MAX_FAILURES = 5;
const FAILURE_WINDOW_MS = 15 * 60 * 1000;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Developer accounts and their sessions. Passwords are scrypt-hashed; session tokens stored as SHA-256. Failed
 * sign-ins are counted per e-mail in the database, so every process throttles the same guesses.
 */
export class Developers {
  constructor(private readonly db: Kysely<ConsoleTables>) {}

  async signUp(emailInput: string, password: string): Promise<{ developer: Developer; session: string }> {
    const email = emailInput.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new ConsoleError('ERR_INVALID_INPUT', 'a valid e-mail address is required', 400);
    if (password.length < 10 || password.length > 200) throw new ConsoleError('ERR_INVALID_INPUT', 'the password must be 10-200 characters', 400);
    const existing = await this.db.selectFrom('console_developers').select('id').where('email', '=', email).executeTakeFirst();
    if (existing) throw new ConsoleError('ERR_EMAIL_TAKEN', 'an account with this e-mail exists; sign in', 409);
    const developer = { id: randomUUID(), email };
    try {
      await this.db
        .insertInto('console_developers')
        .values({ ...developer, password_hash: await hashSecret(password), created_at: Date.now() })
        .execute();
    } catch (err) {
      // Lost a race on the unique e-mail; anything else is not the caller's fault.
      const now = await this.db.selectFrom('console_developers').select('id').where('email', '=', email).executeTakeFirst();
      if (now) throw new ConsoleError('ERR_EMAIL_TAKEN', 'an account with this e-mail exists; sign in', 409);
      throw err;
    }
    return { developer, session: await this.openSession(developer.id) };
  }

  async signIn(emailInput: string, password: string, now = Date.now()): Promise<{ developer: Developer; session: string }> {
    const email = emailInput.trim().toLowerCase();
    const failures = await this.db.selectFrom('console_signin_failures').selectAll().where('email', '=', email).executeTakeFirst();
    const lockedUntil = Number(failures?.locked_until ?? 0);
    if (lockedUntil > now) {
      const wait = Math.ceil((lockedUntil - now) / 1000);
      throw new ConsoleError('ERR_TOO_MANY_ATTEMPTS', `too many failed sign-ins; try again in ${wait} s`, 429, wait);
    }
    const row = await this.db.selectFrom('console_developers').selectAll().where('email', '=', email).executeTakeFirst();
    const ok = await verifySecretOrDecoy(row?.password_hash, password);
    if (!row || !ok) {
      await this.countFailure(email, failures, now);
      throw new ConsoleError('ERR_BAD_CREDENTIALS', 'wrong e-mail or password', 401);
    }
    if (failures) await this.db.deleteFrom('console_signin_failures').where('email', '=', email).execute();
    return { developer: { id: row.id, email: row.email }, session: await this.openSession(row.id) };
  }

  private async countFailure(email: string, previous: ConsoleTables['console_signin_failures'] | undefined, now: number): Promise<void> {
    const fresh = !previous || Number(previous.window_start) + FAILURE_WINDOW_MS <= now;
    const failures = fresh ? 1 : previous.failures + 1;
    const row = {
      email,
      failures,
      window_start: fresh ? now : Number(previous.window_start),
      locked_until: failures >= MAX_FAILURES ? now + FAILURE_WINDOW_MS : 0,
    };
    await this.db
      .insertInto('console_signin_failures')
      .values(row)
      .onConflict((oc) => oc.column('email').doUpdateSet({ failures: row.failures, window_start: row.window_start, locked_until: row.locked_until }))
      .execute();
  }

  async bySession(token: string | undefined): Promise<Developer | null> {
    if (!token || token.length > 200) return null;
    const row = await this.db
      .selectFrom('console_sessions')
      .innerJoin('console_developers', 'console_developers.id', 'console_sessions.developer_id')
      .select(['console_developers.id', 'console_developers.email', 'console_sessions.expires_at'])
      .where('console_sessions.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row || Number(row.expires_at) <= Date.now()) return null;
    return { id: row.id, email: row.email };
  }

  async signOut(token: string | undefined): Promise<void> {
    if (token) await this.db.deleteFrom('console_sessions').where('token_hash', '=', sha256(token)).execute();
  }

  async own(developerId: string, clientId: string): Promise<void> {
    await this.db.insertInto('console_applications').values({ client_id: clientId, developer_id: developerId, created_at: Date.now() }).execute();
  }

  async owns(developerId: string, clientId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('console_applications')
      .select('client_id')
      .where('developer_id', '=', developerId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async applicationsOf(developerId: string): Promise<string[]> {
    const rows = await this.db.selectFrom('console_applications').select('client_id').where('developer_id', '=', developerId).orderBy('created_at').execute();
    return rows.map((r) => r.client_id);
  }

  private async openSession(developerId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.db.deleteFrom('console_sessions').where('expires_at', '<', Date.now()).execute();
    await this.db.insertInto('console_sessions').values({ token_hash: sha256(token), developer_id: developerId, expires_at: Date.now() + SESSION_MS }).execute();
    return token;
  }
}
