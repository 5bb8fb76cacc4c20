import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { PhoneError } from './errors.js';
import type { KeyStore } from './keystore.js';
import type { MsspTables } from './migrations.js';
import { nationalNumber, parseOperator, type OperatorName } from './operators.js';
import { parsePolicy, type AutoPolicy } from './policy.js';
import type { SubscriberCertificateIssuer } from './ports.js';
import { hashSecret, verifySecret } from '../platform/secrets.js';
import { isValidTckn } from '../trust/index.js';

export interface Subscriber {
  /** 5XXXXXXXXX */
  phone: string;
  operator: OperatorName;
  tckn: string;
  givenName: string;
  surname: string;
  /** DER, the subscriber's certificate first, then its issuers. */
  certificates: Buffer[];
  wrongPins: number;
  blocked: boolean;
  policy: AutoPolicy;
  createdAt: number;
}

export interface NewSubscriber {
  phone: string;
  operator: string;
  tckn: string;
  givenName?: string;
  surname?: string;
  /** 4–8 digits; default 123456. */
  pin?: string;
  policy?: AutoPolicy;
}

export const DEFAULT_PIN = '123456';
/** certificates of a row claimed by `add` whose certificate is still being issued. */
const UNCERTIFIED = '[]';
export type PinCheck = { ok: true } | { ok: false; blocked: boolean; attemptsLeft: number };

/** The simulated operators' subscriber register: keys, certificates, PINs and auto-policies, in the database. */
export class SubscriberStore {
  constructor(
    private readonly db: Kysely<MsspTables>,
    private readonly keys: KeyStore,
    private readonly issuer: SubscriberCertificateIssuer,
    /** Wrong PINs in a row after which the PIN blocks (402 PIN_NR_BLOCKED). */
    readonly maxPinAttempts = 3,
  ) {}

  /** Generates the subscriber's RSA key, has the trust services certify it, and stores everything. */
  async add(input: NewSubscriber): Promise<Subscriber> {
    const phone = nationalNumber(input.phone);
    if (!phone) throw new PhoneError('ERR_INVALID_INPUT', `phone must be a Turkish mobile number 5XXXXXXXXX, got "${input.phone}"`);
    const operator = parseOperator(input.operator);
    if (!operator) throw new PhoneError('ERR_INVALID_INPUT', `operator must be TURKCELL, VODAFONE or AVEA, got "${input.operator}"`);
    if (!isValidTckn(input.tckn)) throw new PhoneError('ERR_INVALID_INPUT', `"${input.tckn}" is not a valid TCKN`);
    const pin = input.pin ?? DEFAULT_PIN;
    if (!/^\d{4,8}$/.test(pin)) throw new PhoneError('ERR_INVALID_INPUT', 'PIN must be 4 to 8 digits');
    const givenName = (input.givenName ?? 'Test').trim().slice(0, 64) || 'Test';
    const surname = (input.surname ?? `Abone ${phone.slice(-4)}`).trim().slice(0, 64) || 'Abone';
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // The row is claimed before the certificate is issued, so processes racing to add the same phone (two
    // first starts seeding at once) issue one certificate, not one each. Until certified it is invisible.
    const claimed = await this.db
      .insertInto('mssp_subscribers')
      .values({
        phone,
        operator,
        tckn: input.tckn,
        given_name: givenName,
        surname,
        pin_hash: await hashSecret(pin),
        wrong_pins: 0,
        blocked: 0,
        key_enc: this.keys.seal(privateKey),
        certificates: UNCERTIFIED,
        policy: JSON.stringify(input.policy ?? { mode: 'manual' }),
        created_at: Date.now(),
      })
      .onConflict((oc) => oc.column('phone').doNothing())
      .executeTakeFirst();
    if (Number(claimed.numInsertedOrUpdatedRows ?? 0) !== 1) throw new PhoneError('ERR_PHONE_EXISTS', `${phone} is already a subscriber`);
    try {
      const issued = await this.issuer.issue({ operator, tckn: input.tckn, givenName, surname, phone, publicKey });
      if (!new X509Certificate(issued.certificate).checkPrivateKey(privateKey)) throw new Error('issued certificate does not match the subscriber key');
      const certificates = [issued.certificate, ...issued.chain].map((c) => c.toString('base64'));
      await this.db.updateTable('mssp_subscribers').set({ certificates: JSON.stringify(certificates) }).where('phone', '=', phone).execute();
    } catch (err) {
      await this.db.deleteFrom('mssp_subscribers').where('phone', '=', phone).where('certificates', '=', UNCERTIFIED).execute();
      throw err;
    }
    return (await this.get(phone))!;
  }

  async get(phone: string): Promise<Subscriber | undefined> {
    const national = nationalNumber(phone);
    if (!national) return undefined;
    const row = await this.db
      .selectFrom('mssp_subscribers')
      .selectAll()
      .where('phone', '=', national)
      .where('certificates', '!=', UNCERTIFIED)
      .executeTakeFirst();
    return row ? toSubscriber(row) : undefined;
  }

  async require(phone: string): Promise<Subscriber> {
    const s = await this.get(phone);
    if (!s) throw new PhoneError('ERR_UNKNOWN_PHONE', `no subscriber with phone ${phone}`);
    return s;
  }

  async list(operator?: OperatorName): Promise<Subscriber[]> {
    let q = this.db.selectFrom('mssp_subscribers').selectAll().where('certificates', '!=', UNCERTIFIED).orderBy('phone');
    if (operator) q = q.where('operator', '=', operator);
    return (await q.execute()).map(toSubscriber);
  }

  async setPolicy(phone: string, policy: AutoPolicy): Promise<Subscriber> {
    const s = await this.require(phone);
    await this.db.updateTable('mssp_subscribers').set({ policy: JSON.stringify(policy) }).where('phone', '=', s.phone).execute();
    return { ...s, policy };
  }

  /**
   * Checks a PIN the way a SIM does: a wrong one counts, `maxPinAttempts` in a row block the PIN for good
   * (until `unblock`), a right one resets the count. The counter moves in one UPDATE so racing phones agree.
   */
  async checkPin(phone: string, pin: string): Promise<PinCheck> {
    const row = await this.db.selectFrom('mssp_subscribers').select(['pin_hash', 'blocked']).where('phone', '=', phone).executeTakeFirst();
    if (!row) throw new PhoneError('ERR_UNKNOWN_PHONE', `no subscriber with phone ${phone}`);
    if (row.blocked) return { ok: false, blocked: true, attemptsLeft: 0 };
    if (await verifySecret(row.pin_hash, pin)) {
      await this.db.updateTable('mssp_subscribers').set({ wrong_pins: 0 }).where('phone', '=', phone).execute();
      return { ok: true };
    }
    await this.db
      .updateTable('mssp_subscribers')
      .set((eb) => ({ wrong_pins: eb('wrong_pins', '+', 1) }))
      .where('phone', '=', phone)
      .execute();
    await this.db
      .updateTable('mssp_subscribers')
      .set({ blocked: 1 })
      .where('phone', '=', phone)
      .where('wrong_pins', '>=', this.maxPinAttempts)
      .execute();
    const after = await this.db.selectFrom('mssp_subscribers').select(['wrong_pins', 'blocked']).where('phone', '=', phone).executeTakeFirstOrThrow();
    return { ok: false, blocked: after.blocked === 1, attemptsLeft: Math.max(0, this.maxPinAttempts - after.wrong_pins) };
  }

  /** The operator's PUK service: clears the block and optionally sets a new PIN. */
  async unblock(phone: string, newPin?: string): Promise<void> {
    const s = await this.require(phone);
    if (newPin !== undefined && !/^\d{4,8}$/.test(newPin)) throw new PhoneError('ERR_INVALID_INPUT', 'PIN must be 4 to 8 digits');
    await this.db
      .updateTable('mssp_subscribers')
      .set({ blocked: 0, wrong_pins: 0, ...(newPin === undefined ? {} : { pin_hash: await hashSecret(newPin) }) })
      .where('phone', '=', s.phone)
      .execute();
  }

  async privateKey(phone: string): Promise<KeyObject> {
    const row = await this.db.selectFrom('mssp_subscribers').select('key_enc').where('phone', '=', phone).executeTakeFirst();
    if (!row) throw new PhoneError('ERR_UNKNOWN_PHONE', `no subscriber with phone ${phone}`);
    return this.keys.open(row.key_enc);
  }
}

function toSubscriber(row: MsspTables['mssp_subscribers']): Subscriber {
  return {
    phone: row.phone,
    operator: row.operator as OperatorName,
    tckn: row.tckn,
    givenName: row.given_name,
    surname: row.surname,
    certificates: (JSON.parse(row.certificates) as string[]).map((c) => Buffer.from(c, 'base64')),
    wrongPins: row.wrong_pins,
    blocked: row.blocked === 1,
    policy: parsePolicy(JSON.parse(row.policy)),
    createdAt: row.created_at,
  };
}
