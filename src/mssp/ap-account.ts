import { createHash, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashSecret, verifySecret } from '../platform/secrets.js';
import type { MsspTables } from './migrations.js';
import type { OperatorName } from './operators.js';
import { MsspError } from './status.js';

/**
 * The application provider account an operator's simulator accepts. The environment is the source of the AP
 * credentials; the database keeps their scrypt hash, brought in line with the environment once per process,
 * before the first request is authenticated rather than at start-up: each scrypt holds 16 MB that the
 * allocator keeps afterwards, and most processes (the CLI, a server nobody signs through yet) never need it.
 */
export class ApAccount {
  private synced: Promise<void> | undefined;
  /** scrypt on every request would cost more than the rest of it: a verified password's SHA-256, per hash. */
  private verified: { hash: string; digest: Buffer } | undefined;

  constructor(
    private readonly db: Kysely<MsspTables>,
    private readonly operator: OperatorName,
    private readonly configured: { apId: string; apPwd: string },
  ) {}

  async authenticate(apId: string, apPwd: string): Promise<void> {
    this.synced ??= this.sync().catch((err: unknown) => {
      this.synced = undefined;
      throw err;
    });
    await this.synced;
    const row = await this.db.selectFrom('mssp_operators').select(['ap_id', 'ap_pwd_hash']).where('name', '=', this.operator).executeTakeFirst();
    if (!row || row.ap_id !== apId) throw new MsspError('UNAUTHORIZED_ACCESS', 'AP_ID or AP_PWD not accepted');
    const digest = createHash('sha256').update(apPwd).digest();
    if (this.verified?.hash === row.ap_pwd_hash && timingSafeEqual(this.verified.digest, digest)) return;
    if (!(await verifySecret(row.ap_pwd_hash, apPwd))) throw new MsspError('UNAUTHORIZED_ACCESS', 'AP_ID or AP_PWD not accepted');
    this.verified = { hash: row.ap_pwd_hash, digest };
  }

  private async sync(): Promise<void> {
    const { apId, apPwd } = this.configured;
    const row = await this.db.selectFrom('mssp_operators').selectAll().where('name', '=', this.operator).executeTakeFirst();
    if (!row) {
      await this.db
        .insertInto('mssp_operators')
        .values({ name: this.operator, ap_id: apId, ap_pwd_hash: await hashSecret(apPwd), created_at: Date.now() })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    } else if (row.ap_id !== apId || !(await verifySecret(row.ap_pwd_hash, apPwd))) {
      await this.db.updateTable('mssp_operators').set({ ap_id: apId, ap_pwd_hash: await hashSecret(apPwd) }).where('name', '=', this.operator).execute();
    }
  }
}
