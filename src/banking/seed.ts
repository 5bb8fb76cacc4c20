import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { bankTime } from './clock.js';
import { ibanFor } from './iban.js';
import type { BankingTables } from './migrations.js';
import { hashSecret } from '../platform/secrets.js';

/**
 * The sandbox bank's fixed population. Every fresh database gets exactly these rows (a fixed PRNG seed, fixed
 * dates, password salts derived from the seed), so documentation, tests and screenshots agree everywhere.
 */

/** Public by design: every seeded customer logs in to the sandbox with this password. */
export const SANDBOX_PASSWORD = 'Imzala.2026';

const PRNG_SEED = 0x1d2a1a;
/** The history window: six months of activity before the sandbox's fixed "today". */
const HISTORY_FROM = Date.UTC(2026, 4, 1) - 3 * 3600_000;
const HISTORY_TO = Date.UTC(2026, 10, 1) - 3 * 3600_000;

/** mulberry32: tiny, fast, and the same sequence on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const SEED_BRANCHES = [
  { id: 1, name: 'Merkez Şube', city: 'İstanbul' },
  { id: 12, name: 'Kadıköy Şube', city: 'İstanbul' },
  { id: 45, name: 'Çankaya Şube', city: 'Ankara' },
  { id: 77, name: 'Konak Şube', city: 'İzmir' },
  { id: 103, name: 'Osmangazi Şube', city: 'Bursa' },
  { id: 368, name: 'Talatpaşa Şube', city: 'Ankara' },
] as const;

type AccountKind = 'tl' | 'usd' | 'eur' | 'gold' | 'participation';
interface AccountSpec {
  kind: AccountKind;
  name?: string;
  multiSignature?: boolean;
  /** Emptied by its last transaction: the onlyWithNoBalance filter has something to find. */
  empty?: boolean;
  /** Closed (isActive 0), and therefore empty too. */
  closed?: boolean;
  /** Part of the balance blocked, so availableBalance < balance. */
  blocked?: boolean;
}

export interface SeedCustomer {
  customerNo: string;
  name: string;
  corporate: boolean;
  corporateWebUserName: string | null;
  phoneNumber: string;
  branchId: number;
  accounts: readonly AccountSpec[];
}

export const SEED_CUSTOMERS: readonly SeedCustomer[] = [
  {
    customerNo: '400368', name: 'Anadolu Tekstil Sanayi ve Ticaret A.Ş.', corporate: true,
    // The vendor PDF's own sample transfer names customer 400368 and user "gokcul": it runs here verbatim.
    corporateWebUserName: 'gokcul', phoneNumber: '+905321000001', branchId: 368,
    accounts: [
      { kind: 'tl', name: 'Ana Hesap' }, { kind: 'usd' }, { kind: 'eur' }, { kind: 'gold' },
      { kind: 'participation' }, { kind: 'tl', name: 'Ortak İmzalı', multiSignature: true },
      { kind: 'tl', empty: true }, { kind: 'usd', closed: true },
    ],
  },
  {
    customerNo: '400512', name: 'Boğaziçi Lojistik Ltd. Şti.', corporate: true,
    corporateWebUserName: 'bogazicilojistik', phoneNumber: '+905321000002', branchId: 12,
    accounts: [{ kind: 'tl', blocked: true }, { kind: 'eur' }, { kind: 'usd', empty: true }, { kind: 'participation' }, { kind: 'tl', multiSignature: true }],
  },
  {
    customerNo: '400777', name: 'Ege Zeytincilik A.Ş.', corporate: true,
    corporateWebUserName: 'egezeytin', phoneNumber: '+905321000003', branchId: 77,
    accounts: [{ kind: 'tl' }, { kind: 'usd' }, { kind: 'gold' }],
  },
  {
    customerNo: '500101', name: 'Ziyaettin Yılmaz', corporate: false, corporateWebUserName: null,
    phoneNumber: '+905321000004', branchId: 368,
    accounts: [{ kind: 'tl', name: 'Maaş Hesabı' }, { kind: 'usd' }, { kind: 'eur' }, { kind: 'gold' }],
  },
  {
    customerNo: '500202', name: 'Şükran Öztürk', corporate: false, corporateWebUserName: null,
    phoneNumber: '+905321000005', branchId: 45,
    accounts: [{ kind: 'tl' }, { kind: 'gold' }, { kind: 'participation', blocked: true }, { kind: 'eur', closed: true }],
  },
  {
    customerNo: '500303', name: 'İsmail Çağlar', corporate: false, corporateWebUserName: null,
    phoneNumber: '+905321000006', branchId: 103,
    accounts: [{ kind: 'tl' }, { kind: 'usd' }],
  },
];

const KINDS: Record<AccountKind, { fxId: number; productType: string; isCurrent: boolean; unit: number }> = {
  tl: { fxId: 0, productType: 'Cari Hesap', isCurrent: true, unit: 100_000 },
  usd: { fxId: 1, productType: 'Döviz Cari Hesap', isCurrent: true, unit: 4_000 },
  eur: { fxId: 19, productType: 'Döviz Cari Hesap', isCurrent: true, unit: 3_500 },
  gold: { fxId: 24, productType: 'Altın Hesabı', isCurrent: true, unit: 300 },
  participation: { fxId: 0, productType: 'Katılma Hesabı', isCurrent: false, unit: 150_000 },
};

const CREDITS = [
  ['EFT', 'Gelen EFT - {c}'], ['HVL', 'Gelen havale - {c}'], ['MAS', 'Maaş ödemesi'], ['TAH', 'Tahsilat - {c}'],
] as const;
const DEBITS = [
  ['EFT', 'Giden EFT - {c}'], ['HVL', 'Giden havale - {c}'], ['POS', 'POS harcaması - {c}'],
  ['FTR', 'Fatura ödemesi - {c}'], ['KRA', 'Kira ödemesi'], ['VRG', 'Vergi ödemesi'],
] as const;
const COUNTERPARTIES = [
  'Marmara Gıda', 'Karadeniz Nakliyat', 'Doğu Enerji', 'Türk Telekom', 'İGDAŞ', 'Başkent Elektrik', 'Çınar Market',
  'Güneş Kırtasiye', 'Ağaoğlu İnşaat', 'Öz Bayrak Ticaret',
] as const;

type Rows = {
  [K in keyof BankingTables]: BankingTables[K][];
};

function pick<T>(rnd: () => number, list: readonly T[]): T {
  return list[Math.floor(rnd() * list.length)] as T;
}

/** Builds every row, without touching a database: pure, so a test can check its arithmetic. */
export async function buildSeedRows(): Promise<Rows> {
  const rnd = prng(PRNG_SEED);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789ABCDEF'[int(0, 15)]).join('');
  const rows: Rows = {
    banking_branches: SEED_BRANCHES.map((b) => ({ ...b })),
    banking_customers: [],
    banking_accounts: [],
    banking_transactions: [],
    banking_transfers: [],
    banking_sequences: [{ name: 'transfer', value: 700_000_000 }],
  };
  let accountId = 0;
  for (const c of SEED_CUSTOMERS) {
    const salt = createHash('sha256').update(`imzala-seed:${PRNG_SEED}:${c.customerNo}`).digest().subarray(0, 16);
    rows.banking_customers.push({
      customer_no: c.customerNo,
      name: c.name,
      corporate: c.corporate ? 1 : 0,
      corporate_web_user_name: c.corporateWebUserName,
      password_hash: await hashSecret(SANDBOX_PASSWORD, salt),
      phone_number: c.phoneNumber,
      branch_id: c.branchId,
    });
    let suffix = 0;
    for (const spec of c.accounts) {
      accountId++;
      suffix++;
      const kind = KINDS[spec.kind];
      const scale = c.corporate ? 5 : 1;
      const count = spec.kind === 'tl' && !spec.empty && !spec.closed ? int(50, 110) : int(15, 35);
      const times = Array.from({ length: count }, () => int(HISTORY_FROM, HISTORY_TO - 1)).sort((a, b) => a - b);
      let balance = 0;
      let seq = 0;
      const push = (at: number, amount: number, code: string, description: string): void => {
        balance += amount;
        seq++;
        rows.banking_transactions.push({
          account_id: accountId,
          seq_num: seq,
          booked_at: bankTime(at),
          description,
          amount,
          balance,
          transaction_code: code,
          transaction_reference: `KT${String(int(0, 9_999_999_999)).padStart(10, '0')}`,
          business_key: `${bankTime(at).slice(0, 10).replaceAll('-', '')}${hex(12)}`,
        });
      };
      times.forEach((at, i) => {
        if (i === 0) return push(at, int(kind.unit, kind.unit * 5) * scale, 'DEV', 'Devir bakiyesi');
        const amount = int(Math.ceil(kind.unit / 50), kind.unit) * scale;
        const counterparty = pick(rnd, COUNTERPARTIES);
        if (rnd() < 0.45 || amount > balance) {
          const [code, text] = pick(rnd, CREDITS);
          push(at, amount, code, text.replace('{c}', counterparty));
        } else {
          const [code, text] = pick(rnd, DEBITS);
          push(at, -amount, code, text.replace('{c}', counterparty));
        }
      });
      if ((spec.empty || spec.closed) && balance > 0) push(HISTORY_TO - 3600_000, -balance, 'HVL', 'Hesap kapama virmanı');
      const blocked = spec.blocked ? Math.floor(balance / 4) : 0;
      rows.banking_accounts.push({
        id: accountId,
        customer_no: c.customerNo,
        suffix,
        fx_id: kind.fxId,
        product_type: kind.productType,
        is_current: kind.isCurrent ? 1 : 0,
        balance,
        available_balance: balance - blocked,
        iban: ibanFor(c.customerNo, suffix),
        open_date: `${int(1998, 2020)}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}T00:00:00`,
        branch_id: c.branchId,
        is_active: spec.closed ? 0 : 1,
        multi_signature: spec.multiSignature ? 1 : 0,
        name: spec.name ?? '',
        last_seq: seq,
      });
    }
  }
  return rows;
}

/** Inserts the population once; a database that already has customers is left as it is. */
export async function seedBank(db: Kysely<BankingTables>): Promise<boolean> {
  const seeded = async (): Promise<boolean> =>
    (await db.selectFrom('banking_customers').select('customer_no').limit(1).executeTakeFirst()) !== undefined;
  if (await seeded()) return false;
  const rows = await buildSeedRows();
  try {
    await db.transaction().execute(async (trx) => {
      for (const table of ['banking_branches', 'banking_customers', 'banking_accounts', 'banking_transactions', 'banking_sequences'] as const) {
        const list = rows[table] as Record<string, unknown>[];
        for (let i = 0; i < list.length; i += 500) {
          await trx.insertInto(table).values(list.slice(i, i + 500) as never).execute();
        }
      }
    });
  } catch (err) {
    // Several processes starting on one PostgreSQL database race to seed: the loser's inserts collide and roll back.
    if (await seeded()) return false;
    throw err;
  }
  return true;
}
