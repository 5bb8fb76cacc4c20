import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSystem } from '../../src/app.js';
import { main } from '../../src/cli/main.js';
import { ApplicationError } from '../../src/identity/errors.js';
import { parsePublicKey } from '../../src/identity/public-keys.js';
import { createLogger } from '../../src/platform/logger.js';
import { testConfig, testSystem } from '../helpers/platform.js';
import { identityOf, rsaPublicKeyPem } from './helpers.js';

describe('public keys', () => {
  it('accepts SPKI and PKCS#1 RSA keys, stores SPKI, warns under 2048 bits', () => {
    const spki = parsePublicKey(rsaPublicKeyPem(2048, 'spki'));
    expect(spki.bits).toBe(2048);
    expect(spki.warning).toBeUndefined();
    const pkcs1 = parsePublicKey(rsaPublicKeyPem(2048, 'pkcs1'));
    expect(pkcs1.pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const weak = parsePublicKey(rsaPublicKeyPem(1024));
    expect(weak.warning).toMatch(/1024/);
  });

  it('refuses private keys, EC keys, tiny keys and garbage with ERR_PUBLIC_KEY', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const tiny = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const bad of [
      privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ec,
      tiny,
      'hello',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----',
    ]) {
      expect(() => parsePublicKey(bad)).toThrow(expect.objectContaining({ code: 'ERR_PUBLIC_KEY' }) as unknown as Error);
    }
  });
});

describe('applications and the keyring', () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  beforeAll(async () => {
    system = await testSystem();
  });
  afterAll(async () => system.cleanup());

  it('keysOf gives the current key, previous keys after rotation, and sibling applications\' keys', async () => {
    const apps = identityOf(system).applications;
    const first = rsaPublicKeyPem();
    const second = rsaPublicKeyPem();
    const sibling = rsaPublicKeyPem();
    const created = await apps.create({ name: 'keys', publicKey: first, scopes: 'accounts', customerNo: '400512' });
    await apps.create({ name: 'sibling', publicKey: sibling, scopes: 'public', customerNo: '400512' });
    await apps.create({ name: 'stranger', publicKey: rsaPublicKeyPem(), scopes: 'public', customerNo: '400777' });
    const id = created.application.clientId;
    const before = await identityOf(system).keyring.keysOf(id);
    expect(before!.current.export({ type: 'spki', format: 'pem' })).toBe(first);
    expect(before!.others.map((k) => k.export({ type: 'spki', format: 'pem' }))).toEqual([sibling]);

    await apps.rotateKey(id, second);
    const after = await identityOf(system).keyring.keysOf(id);
    expect(after!.current.export({ type: 'spki', format: 'pem' })).toBe(second);
    expect(after!.others.map((k) => k.export({ type: 'spki', format: 'pem' }))).toEqual([first, sibling]);
    expect(await identityOf(system).keyring.keysOf('00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await identityOf(system).keyring.keysOf('not-a-uuid')).toBeNull();
  });

  it('refuses unknown scopes, bad redirect URIs, unknown customers and empty names', async () => {
    const apps = identityOf(system).applications;
    const key = rsaPublicKeyPem();
    const codeOf = async (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ApplicationError ? e.code : String(e)));
    expect(await codeOf(apps.create({ name: 'x', publicKey: key, scopes: 'public admin' }))).toBe('ERR_INVALID_SCOPE');
    expect(await codeOf(apps.create({ name: 'x', publicKey: key, scopes: '' }))).toBe('ERR_INVALID_SCOPE');
    expect(await codeOf(apps.create({ name: 'x', publicKey: key, scopes: 'public', redirectUris: ['javascript:alert(1)'] }))).toBe('ERR_INVALID_REDIRECT_URI');
    expect(await codeOf(apps.create({ name: 'x', publicKey: key, scopes: 'public', redirectUris: ['https://a.test/cb#frag'] }))).toBe('ERR_INVALID_REDIRECT_URI');
    expect(await codeOf(apps.create({ name: 'x', publicKey: key, scopes: 'public', customerNo: '999999' }))).toBe('ERR_CUSTOMER_NOT_FOUND');
    expect(await codeOf(apps.create({ name: '  ', publicKey: key, scopes: 'public' }))).toBe('ERR_INVALID_NAME');
  });

  it('the demo application exists once, its files are private, its credentials work', async () => {
    const dir = path.join(system.config.dataDir, 'demo-app');
    const creds = JSON.parse(fs.readFileSync(path.join(dir, 'credentials.json'), 'utf8')) as { clientId: string; clientSecret: string };
    expect(fs.statSync(path.join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'private-key.pem')).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'private-key.pkcs8.pem')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(dir, 'private-key.pem'), 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(fs.readFileSync(path.join(dir, 'private-key.pkcs8.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const apps = identityOf(system).applications;
    const demo = await apps.authenticate(creds.clientId, creds.clientSecret);
    expect(demo?.scopes).not.toContain('offline_access');
    expect(demo?.scopes).toContain('intrabank_money_transfers');
    expect(demo?.customerNo).toBe('400368');
    const count = (await apps.list()).length;
    // A second start (seed again) keeps the same demo application.
    const again = await openSystem(system.config, createLogger('silent'));
    const lines = await identityOf(again).banner!();
    await again.close();
    expect((await apps.list()).length).toBe(count);
    expect(lines.join('\n')).toContain(creds.clientId);
    expect(lines.join('\n')).toContain(creds.clientSecret);
  });
});

describe('imzala apps', () => {
  let env: Awaited<ReturnType<typeof testConfig>>;
  let keyFile: string;
  let dataArgs: string[];
  beforeAll(async () => {
    env = await testConfig();
    keyFile = path.join(env.config.dataDir, 'key.pem');
    fs.writeFileSync(keyFile, rsaPublicKeyPem(2048, 'pkcs1'));
    dataArgs = ['--data', env.config.dataDir, '--database-url', env.config.databaseUrl];
  });
  afterAll(async () => env.cleanup());

  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    try {
      const code = await main(['node', 'imzala', ...args]);
      return { code, stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  }

  it('create --json prints only the client id and secret; list shows it without the secret', async () => {
    const created = await run(['apps', 'create', '--name', 'CLI app', '--public-key', keyFile, '--scopes', 'public accounts', '--redirect-uri', 'https://cli.test/cb', '--customer', '500101', '--json', ...dataArgs]);
    expect(created.code).toBe(0);
    const body = JSON.parse(created.stdout) as Record<string, string>;
    expect(Object.keys(body)).toEqual(['clientId', 'clientSecret']);

    const listed = await run(['apps', 'list', '--json', ...dataArgs]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(body.clientSecret!);
    const mine = (JSON.parse(listed.stdout) as Array<Record<string, unknown>>).find((a) => a.clientId === body.clientId);
    expect(mine).toMatchObject({ name: 'CLI app', customerNo: '500101', scopes: ['public', 'accounts'], redirectUris: ['https://cli.test/cb'], previousKeys: 0 });

    // The secret works against the database the CLI wrote to.
    const system = await openSystem(env.config, createLogger('silent'));
    try {
      expect(await identityOf(system).applications.authenticate(body.clientId!, body.clientSecret!)).not.toBeNull();
    } finally {
      await system.close();
    }

    const newKey = path.join(env.config.dataDir, 'new.pem');
    fs.writeFileSync(newKey, rsaPublicKeyPem());
    const rotated = await run(['apps', 'rotate-key', '--client-id', body.clientId!, '--public-key', newKey, '--json', ...dataArgs]);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ clientId: body.clientId, previousKeys: 1 });

    const secret = await run(['apps', 'rotate-secret', '--client-id', body.clientId!, '--json', ...dataArgs]);
    expect(secret.code).toBe(0);
    expect((JSON.parse(secret.stdout) as { clientSecret: string }).clientSecret).not.toBe(body.clientSecret);
  });

  it('warns on a 1024-bit key; refuses bad keys and scopes with exit 2; an unknown application exits 1', async () => {
    const weak = path.join(env.config.dataDir, 'weak.pem');
    fs.writeFileSync(weak, rsaPublicKeyPem(1024));
    const weakRun = await run(['apps', 'create', '--name', 'old', '--public-key', weak, '--scopes', 'public', '--json', ...dataArgs]);
    expect(weakRun.code).toBe(0);
    expect(weakRun.stderr).toMatch(/warning: .*1024/);

    const ec = path.join(env.config.dataDir, 'ec.pem');
    fs.writeFileSync(ec, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const ecRun = await run(['apps', 'create', '--name', 'ec', '--public-key', ec, '--scopes', 'public', ...dataArgs]);
    expect(ecRun.code).toBe(2);
    expect(ecRun.stderr).toMatch(/RSA/);
    expect((await run(['apps', 'create', '--name', 'x', '--public-key', path.join(env.config.dataDir, 'missing.pem'), '--scopes', 'public', ...dataArgs])).code).toBe(2);
    expect((await run(['apps', 'create', '--name', 'x', '--public-key', keyFile, '--scopes', 'public nope', ...dataArgs])).code).toBe(2);
    expect((await run(['apps', 'create', '--name', 'x', '--public-key', keyFile, ...dataArgs])).code).toBe(2);
    const unknown = await run(['apps', 'rotate-secret', '--client-id', '00000000-0000-4000-8000-000000000000', ...dataArgs]);
    expect(unknown.code).toBe(1);
    expect((await run(['apps', 'create', '--help'])).code).toBe(0);
  });
});
