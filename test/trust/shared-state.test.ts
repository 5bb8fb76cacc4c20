import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openSystem } from '../../src/app.js';
import { main } from '../../src/cli/main.js';
import type { Config } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { pkijs } from '../../src/trust/crypto.js';
import type { TrustTables } from '../../src/trust/migrations.js';
import { trustServiceOf } from '../../src/trust/part.js';
import { tcknFrom } from '../../src/trust/tckn.js';
import { testConfig } from '../helpers/platform.js';
import { openssl } from './openssl.js';

function run(config: Config, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.resolve('bin/imzala.js'), ...args, '--data', config.dataDir, '--database-url', config.databaseUrl], {
      env: { ...process.env, IMZALA_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function tsaSerial(token: Buffer): Promise<bigint> {
  const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(token)).content });
  return pkijs.TSTInfo.fromBER(signed.encapContentInfo.eContent!.getValue()).serialNumber.toBigInt();
}

describe('one PKI per database, shared by every process', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('creates the PKI once when several processes start at the same moment', async () => {
    const { config, cleanup } = await testConfig();
    cleanups.push(cleanup);
    const results = await Promise.all([1, 2, 3].map(() => run(config, ['pki', 'export-root'])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const roots = new Set(results.map((r) => r.stdout));
    expect(roots.size).toBe(1);
    expect([...roots][0]).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const system = await openSystem(config, createLogger('silent'));
    try {
      const db = system.platform.database.db.withTables<TrustTables>();
      const authorities = await db.selectFrom('trust_authorities').select('name').execute();
      expect(authorities.map((a) => a.name).sort()).toEqual(
        ['avea', 'ocsp-avea', 'ocsp-root', 'ocsp-turkcell', 'ocsp-vodafone', 'root', 'tsa', 'turkcell', 'vodafone'],
      );
      expect(await db.selectFrom('trust_pki').selectAll().execute()).toHaveLength(1);
      expect((await trustServiceOf(system.parts).rootCertificate()).toString('pem').trim()).toBe([...roots][0]!.trim());
      // Private keys are sealed, not stored in the clear.
      const keys = await db.selectFrom('trust_authorities').select('private_key').execute();
      for (const k of keys) expect(k.private_key).not.toMatch(/PRIVATE KEY/);
    } finally {
      await system.close();
    }
  });

  it('lets a second process on the same data use the same root, counters and revocations', async () => {
    const { config, cleanup } = await testConfig();
    cleanups.push(cleanup);
    const first = await openSystem(config, createLogger('silent'));
    const second = await openSystem(config, createLogger('silent'));
    try {
      const a = trustServiceOf(first.parts);
      const b = trustServiceOf(second.parts);
      expect((await b.rootCertificate()).serialNumber).toBe((await a.rootCertificate()).serialNumber);
      const imprint = { hashAlgorithm: 'SHA-256', hash: new Uint8Array(32).fill(7) };
      const s1 = await tsaSerial(await a.timestamp(imprint));
      const s2 = await tsaSerial(await b.timestamp(imprint));
      expect(s2).toBe(s1 + 1n);
      const issued = await a.issueSubscriber({ tckn: tcknFrom('456789123'), givenName: 'Can', surname: 'Aydın', operator: 'AVEA' });
      await b.revoke(issued.serialNumber, 'superseded');
      expect((await a.certificateRecord(issued.serialNumber))?.status).toBe('revoked');
      expect((await b.chainOf(issued.certificate)).length).toBe(2);
    } finally {
      await first.close();
      await second.close();
    }
    // A process with another sealing key cannot use (or silently replace) the PKI.
    const stranger = { ...config, env: { IMZALA_TRUST_KEY: randomBytes(32).toString('hex') } };
    await expect(openSystem(stranger, createLogger('silent'))).rejects.toMatchObject({ code: 'ERR_TRUST_KEY_MISMATCH' });
  });
});

describe('imzala pki', () => {
  it('issues, lists, revokes and exports through the CLI, with usage errors exiting 2', async () => {
    const { config, cleanup } = await testConfig();
    const data = ['--data', config.dataDir, '--database-url', config.databaseUrl];
    let out = '';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString();
      return true;
    });
    const errSpy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const take = (): string => {
      const o = out;
      out = '';
      return o;
    };
    try {
      const keyFile = path.join(config.dataDir, 'sub.key');
      const certFile = path.join(config.dataDir, 'sub.pem');
      const tckn = tcknFrom('567891234');
      expect(await main(['node', 'imzala', 'pki', 'issue', ...data, '--tckn', tckn, '--name', 'Elif Nur Şahin', '--operator', 'turkcell', '--out-key', keyFile, '--out-cert', certFile, '--json'])).toBe(0);
      const issued = JSON.parse(take()) as { serialNumber: string; subject: string; chainPem: string[] };
      expect(issued.subject).toContain(`2.5.4.5=${tckn}`);
      expect(issued.subject).toContain('CN=Elif Nur Şahin');
      expect(fs.readFileSync(keyFile, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);

      expect(await main(['node', 'imzala', 'pki', 'export-root', ...data])).toBe(0);
      const rootFile = path.join(config.dataDir, 'root.pem');
      fs.writeFileSync(rootFile, take());
      expect(await main(['node', 'imzala', 'pki', 'export-ca', 'TURKCELL', ...data])).toBe(0);
      const exported = take();
      expect(exported.trim()).toBe(issued.chainPem[0]!.trim());
      expect(await main(['node', 'imzala', 'pki', 'export-ca', 'nope', ...data])).toBe(2);
      const subFile = path.join(config.dataDir, 'ca.pem');
      fs.writeFileSync(subFile, exported);
      expect((await openssl(['verify', '-CAfile', rootFile, '-untrusted', subFile, certFile])).code).toBe(0);
      // The key written matches the certificate.
      const certKey = await openssl(['x509', '-in', certFile, '-noout', '-pubkey']);
      const fileKey = await openssl(['pkey', '-in', keyFile, '-pubout']);
      expect(certKey.stdout).toBe(fileKey.stdout);

      expect(await main(['node', 'imzala', 'pki', 'revoke', ...data, '--serial', issued.serialNumber, '--reason', 'cessationOfOperation', '--json'])).toBe(0);
      expect(JSON.parse(take())).toMatchObject({ serialNumber: issued.serialNumber, status: 'revoked', revocationReason: 'cessationOfOperation' });
      expect(await main(['node', 'imzala', 'pki', 'list', ...data, '--kind', 'subscriber', '--tckn', tckn, '--json'])).toBe(0);
      expect(JSON.parse(take())).toEqual([expect.objectContaining({ serialNumber: issued.serialNumber, tckn, status: 'revoked' })]);

      expect(await main(['node', 'imzala', 'pki', 'issue', ...data, '--tckn', '12345678901', '--name', 'A B', '--operator', 'AVEA'])).toBe(2);
      expect(await main(['node', 'imzala', 'pki', 'issue', ...data, '--tckn', tckn, '--name', 'A B', '--operator', 'TELSIM'])).toBe(2);
      expect(await main(['node', 'imzala', 'pki', 'revoke', ...data, '--serial', issued.serialNumber, '--reason', 'because'])).toBe(2);
      expect(await main(['node', 'imzala', 'pki', 'revoke', ...data, '--serial', issued.serialNumber])).toBe(1);
      expect(await main(['node', 'imzala', 'pki', 'issue', ...data, '--tckn', tckn])).toBe(2);
      expect(await main(['node', 'imzala', 'pki', 'revoke', '--help'])).toBe(0);
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
      await cleanup();
    }
  });
});
