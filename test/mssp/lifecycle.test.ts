import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer, openSystem } from '../../src/app.js';
import { main } from '../../src/cli/main.js';
import { MsspClient } from '../../src/mssp/client.js';
import type { MsspTables } from '../../src/mssp/migrations.js';
import { operatorClientConfig } from '../../src/mssp/operators.js';
import { msspServicesOf } from '../../src/mssp/part.js';
import { groupFingerprint } from '../../src/mssp/phone-view.js';
import { MsspError } from '../../src/mssp/status.js';
import { createLogger } from '../../src/platform/logger.js';
import { trustServiceOf } from '../../src/trust/index.js';
import { testConfig } from '../helpers/platform.js';
import { msspHarness, waitForPending, type Harness } from './harness.js';

const AYSE = '5301234567';
const MEHMET = '5421234567';
const ZEYNEP = '5051234567';
const digestOf = (s: string | Buffer) => createHash('sha256').update(s).digest();

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MsspError);
  return (err as MsspError).code;
}

describe('durable transactions across a restart', () => {
  it('a pending request survives the server going away; approvals from two processes store exactly one signature', async () => {
    const { config, cleanup } = await testConfig({ IMZALA_MSSP_POLL_MS: '50' });
    const log = createLogger('silent');
    let system = await openSystem(config, log);
    let app = await buildServer(system);
    let address = await app.listen({ port: 0, host: '127.0.0.1' });
    const clientAt = (a: string) => new MsspClient({ ...operatorClientConfig(config, 'TURKCELL'), url: `${a}/mssp/turkcell/soap` });
    const digest = digestOf('survives');
    const started = await clientAt(address).startSignature({ msisdn: AYSE, digest, display: 'restart' });
    await app.close();
    await system.close();

    // Two processes on the same database, both up after the restart.
    system = await openSystem(config, log);
    const other = await openSystem(config, log);
    app = await buildServer(system);
    address = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      expect((await msspServicesOf(system.parts).phone.pending(AYSE)).pending.map((t) => t.id)).toEqual([started.msspTransId]);
      const [a, b] = await Promise.all([
        msspServicesOf(system.parts).phone.approve(AYSE, { transactionId: started.msspTransId, pin: '123456' }),
        msspServicesOf(other.parts).phone.approve(AYSE, { transactionId: started.msspTransId }),
      ]);
      expect(a.signature).toBeDefined();
      expect(a.signature!.equals(b.signature!)).toBe(true);
      const done = await clientAt(address).statusQuery(started.msspTransId, digest);
      expect(done.state).toBe('signed');
      if (done.state === 'signed') expect(done.pkcs7.equals(a.signature!)).toBe(true);
      const rows = await system.platform.database.db
        .withTables<MsspTables>()
        .selectFrom('mssp_transactions')
        .select(['state', 'signature'])
        .where('id', '=', started.msspTransId)
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.state).toBe('signed');
      // Approving once more is a no-op returning the same signature; refusing now is an error.
      expect((await msspServicesOf(other.parts).phone.approve(AYSE, { transactionId: started.msspTransId })).signature!.equals(a.signature!)).toBe(true);
      await expect(msspServicesOf(other.parts).phone.reject(AYSE, { transactionId: started.msspTransId })).rejects.toMatchObject({ code: 'ERR_ALREADY_FINISHED' });
    } finally {
      await app.close();
      await other.close();
      await system.close();
      await cleanup();
    }
  });
});

describe('automatic policies', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await msspHarness();
  });
  afterAll(async () => h.close());

  const setPolicy = async (phone: string, body: object) => {
    const res = await fetch(`${h.address}/phone/${phone}/policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  };

  it('approve after N seconds: a synch request completes with nobody at the phone', async () => {
    await setPolicy(AYSE, { mode: 'approve', afterSeconds: 1 });
    const t0 = Date.now();
    const sig = await h.client('TURKCELL').sign({ msisdn: AYSE, digest: digestOf('auto'), display: 'auto' });
    expect(sig.statusCode).toBe(500);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('the banner lists the operators and the seeded phones with their URLs', async () => {
    const lines = (await h.system.parts.find((p) => p.name === 'mssp')!.banner!()).join('\n');
    for (const phone of [AYSE, MEHMET, ZEYNEP, '5309999999']) expect(lines).toContain(`/phone/${phone}`);
    expect(lines).toContain('/mssp/avea/soap');
  });

  it('the seeded auto-approving subscriber signs by itself', async () => {
    const sig = await h.client('TURKCELL', { mode: 'asynchClientServer' }).sign({ msisdn: '5309999999', digest: digestOf('seeded'), display: 'seeded' });
    expect(sig.statusCode).toBe(502);
  });

  it('reject → 401, ignore → 208, wrong-pin → 402 and the PIN is blocked', async () => {
    await setPolicy(MEHMET, { mode: 'reject' });
    expect(await code(h.client('VODAFONE').sign({ msisdn: MEHMET, digest: digestOf('r'), display: 'r' }))).toBe('USER_CANCEL');
    await setPolicy(MEHMET, { mode: 'ignore' });
    expect(await code(h.client('VODAFONE', { signatureTimeoutSeconds: 1 }).sign({ msisdn: MEHMET, digest: digestOf('i'), display: 'i' }))).toBe('EXPIRED_TRANSACTION');
    await setPolicy(ZEYNEP, { mode: 'wrong-pin', afterSeconds: 0 });
    expect(await code(h.client('AVEA').sign({ msisdn: ZEYNEP, digest: digestOf('w'), display: 'w' }))).toBe('PIN_NR_BLOCKED');
    expect((await h.mssp.subscribers.get(ZEYNEP))!.blocked).toBe(true);
  });

  it('the background loop (part.start) answers asynch requests nobody polls', async () => {
    await setPolicy(MEHMET, { mode: 'approve', afterSeconds: 0 });
    const client = h.client('VODAFONE');
    const digest = digestOf('background');
    const started = await client.startSignature({ msisdn: MEHMET, digest, display: 'bg' });
    const part = h.system.parts.find((p) => p.name === 'mssp')!;
    const stop = await part.start!();
    try {
      const deadline = Date.now() + 10_000;
      while ((await h.mssp.transactions.get(started.msspTransId))!.state === 'pending' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect((await h.mssp.transactions.get(started.msspTransId))!.state).toBe('signed');
    } finally {
      await stop();
    }
    expect((await client.statusQuery(started.msspTransId, digest)).state).toBe('signed');
  });
});

describe('virtual phone page and CLI', () => {
  let h: Harness;
  let out: string[];
  const cli = async (...args: string[]): Promise<{ exit: number; out: string }> => {
    out = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const exit = await main(['node', 'imzala', ...args, '--data', h.system.config.dataDir, '--database-url', h.system.config.databaseUrl]);
      return { exit, out: out.join('') };
    } finally {
      spy.mockRestore();
      err.mockRestore();
    }
  };
  beforeAll(async () => {
    h = await msspHarness();
  });
  afterAll(async () => h.close());

  it('the page shows the prompt (escaped) and the grouped fingerprint, in Turkish or English, under a strict CSP', async () => {
    const digest = digestOf(randomBytes(8));
    const signing = h.client('TURKCELL', { mode: 'asynchClientServer' }).startSignature({ msisdn: AYSE, digest, display: '<script>alert(1)</script> İmzala' });
    await signing;
    const res = await fetch(`${h.address}/phone/${AYSE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await res.text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; İmzala');
    expect(html).toContain(groupFingerprint(digest.toString('hex').toUpperCase()));
    expect(html).toContain('Onayla');
    expect(html).toContain('<label for="pin">');
    const en = await (await fetch(`${h.address}/phone/${AYSE}?lang=en`)).text();
    expect(en).toContain('Approve');
    const pending = await (await fetch(`${h.address}/phone/${AYSE}/pending`)).json();
    expect(pending).toMatchObject({ phone: AYSE, operator: 'TURKCELL', attemptsLeft: 3, pending: [{ fingerprint: digest.toString('hex').toUpperCase() }] });
    await h.mssp.phone.reject(AYSE);
  });

  it('imzala phone pending / approve / reject act on the database and the AP sees the outcome', async () => {
    const client = h.client('VODAFONE');
    const digest = digestOf('cli');
    const started = await client.startSignature({ msisdn: MEHMET, digest, display: 'CLI onayı' });
    let r = await cli('phone', 'pending', '--phone', MEHMET, '--json');
    expect(r.exit).toBe(0);
    const view = JSON.parse(r.out) as { pending: Array<{ transactionId: string; fingerprint: string; userPrompt: string }> };
    expect(view.pending[0]).toMatchObject({ transactionId: started.msspTransId, fingerprint: digest.toString('hex').toUpperCase(), userPrompt: 'CLI onayı' });
    r = await cli('phone', 'approve', '--phone', MEHMET, '--pin', '000000', '--json');
    expect(r.exit).toBe(1);
    r = await cli('phone', 'approve', '--phone', MEHMET, '--pin', '123456', '--json');
    expect(r.exit).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ transactionId: started.msspTransId, state: 'signed' });
    expect((await client.statusQuery(started.msspTransId, digest)).state).toBe('signed');

    const second = await client.startSignature({ msisdn: MEHMET, digest, display: 'reddet' });
    r = await cli('phone', 'reject', '--phone', MEHMET);
    expect(r.exit).toBe(0);
    expect(r.out).toContain(second.msspTransId);
    expect(await code(client.statusQuery(second.msspTransId, digest))).toBe('USER_CANCEL');
    r = await cli('phone', 'approve', '--phone', MEHMET);
    expect(r.exit).toBe(1);
  });

  it('two processes adding the same phone: one wins, one certificate is issued', async () => {
    const other = await openSystem(h.system.config, createLogger('silent'));
    try {
      const input = { phone: '5441112233', operator: 'VODAFONE', tckn: '12345678950' };
      const results = await Promise.allSettled([h.mssp.subscribers.add(input), msspServicesOf(other.parts).subscribers.add(input)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'ERR_PHONE_EXISTS' } });
      const certs = await trustServiceOf(h.system.parts).list({ tckn: '12345678950', kind: 'subscriber' });
      // The seeded Turkcell subscriber has the same TCKN; the new phone adds exactly one more.
      expect(certs.filter((c) => c.operator === 'VODAFONE')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('imzala phone add / list / policy', async () => {
    let r = await cli('phone', 'add', '--phone', '05551234567', '--operator', 'avea', '--tckn', '40000000464', '--pin', '2468', '--surname', 'Çelik', '--json');
    expect(r.exit).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ phone: '5551234567', operator: 'AVEA', tckn: '40000000464' });
    expect((await cli('phone', 'add', '--phone', '5551234567', '--operator', 'AVEA', '--tckn', '40000000464')).exit).toBe(1);
    expect((await cli('phone', 'add', '--phone', '5551234568', '--operator', 'AVEA', '--tckn', '40000000465')).exit).toBe(2);
    expect((await cli('phone', 'add', '--phone', '5551234568', '--operator', 'NOKIA', '--tckn', '40000000464')).exit).toBe(2);
    r = await cli('phone', 'list', '--operator', 'AVEA', '--json');
    expect((JSON.parse(r.out) as Array<{ phone: string }>).map((s) => s.phone)).toEqual([ZEYNEP, '5551234567']);
    r = await cli('phone', 'policy', '--phone', '5551234567', '--mode', 'approve', '--after', '0', '--json');
    expect(JSON.parse(r.out)).toEqual({ phone: '5551234567', policy: { mode: 'approve', afterSeconds: 0 } });
    expect((await cli('phone', 'policy', '--phone', '5551234567', '--mode', 'sometimes')).exit).toBe(2);
    // The new subscriber signs through its operator, certificate from the AVEA sub-CA.
    const sig = await h.client('AVEA').sign({ msisdn: '5551234567', digest: digestOf('new'), display: 'new' });
    expect(sig.certificates).toHaveLength(3);
    expect((await cli('phone', '--help')).exit).toBe(0);
  });
});
