import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { opensslSign, opensslVerifies, RecordingServer, testKeys } from '../sdk/helpers/recorder.js';
import { runCli } from './helpers/run.js';

const keys = testKeys();
const token = 'eyJ0b2tlbiI6InRlc3QifQ.Ş+/=';
let server: RecordingServer;
beforeAll(async () => {
  server = await new RecordingServer((req) => {
    if (req.path === '/connect/token') return { json: { access_token: 'cli-token', expires_in: 3600, token_type: 'Bearer', scope: 'accounts' } };
    if (req.path === '/v3/accounts') {
      return { json: { value: { accountList: [{ suffix: 1, iban: 'TR320020500000040036800001', fxId: 0, balance: 2686, availableBalance: 2686, productType: 'Cari Hesap', branchName: 'Talatpaşa Şube' }] }, success: true, results: [], errors: [], executionReferenceId: 'e1' } };
    }
    if (req.path === '/v1/moneytransfer/outgoingmoneytransfer') return { json: { value: null, success: false, results: [{ errorCode: '99', errorMessage: 'Yetersiz bakiye' }], errors: [], executionReferenceId: 'e2' } };
    return { status: 404, text: 'Path not found' };
  }).start();
});
afterAll(async () => {
  await server.stop();
  fs.rmSync(keys.dir, { recursive: true, force: true });
});

describe('imzala kt sign', () => {
  it.each([
    ['PKCS#1', () => keys.pkcs1File],
    ['PKCS#8', () => keys.pkcs8File],
  ])('prints exactly what openssl dgst -sha256 -sign gives over token + body file bytes (%s)', async (_f, keyFile) => {
    const body = path.join(keys.dir, 'body.json');
    fs.writeFileSync(body, '{\n  "açıklama": "Şubat kirası — İğdır",\n  "tutar": 150\n}\n');
    const res = await runCli(['kt', 'sign', '--token', token, '--method', 'POST', '--body-file', body, '--private-key', keyFile()]);
    expect(res.code).toBe(0);
    const bytes = Buffer.concat([Buffer.from(token), fs.readFileSync(body)]);
    // openssl run as its own process, over the same bytes on disk
    const data = path.join(keys.dir, 'signed-bytes');
    fs.writeFileSync(data, bytes);
    const expected = execFileSync('openssl', ['dgst', '-sha256', '-sign', keyFile(), data]).toString('base64');
    expect(res.stdout).toBe(`${expected}\n`);
  });

  it('signs "?" + the query as given for a GET (encoded characters, repeated keys), and the token alone without one', async () => {
    const query = '?b=%C5%9F&a=1&a=2';
    const res = await runCli(['kt', 'sign', '--token', token, '--method', 'GET', '--query', query, '--private-key', keys.pkcs1File]);
    expect(res.stdout.trim()).toBe(opensslSign(keys.pkcs1File, Buffer.from(token + query)));
    const bare = await runCli(['kt', 'sign', '--token', token, '--method', 'get', '--private-key', keys.pkcs8File]);
    expect(bare.stdout.trim()).toBe(opensslSign(keys.pkcs8File, Buffer.from(token)));
  });

  it('usage errors exit 2: missing flags, a body on a GET, a public key for a private one', async () => {
    expect((await runCli(['kt', 'sign', '--method', 'GET', '--private-key', keys.pkcs1File])).code).toBe(2);
    const body = path.join(keys.dir, 'b.json');
    fs.writeFileSync(body, '{}');
    expect((await runCli(['kt', 'sign', '--token', 't', '--method', 'GET', '--body-file', body, '--private-key', keys.pkcs1File])).code).toBe(2);
    const wrongKey = await runCli(['kt', 'sign', '--token', 't', '--method', 'GET', '--private-key', keys.publicFile]);
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/cannot sign/);
  });
});

describe('imzala kt against a recording server', () => {
  const env = () => ({ IMZALA_KT_CLIENT_ID: 'cid', IMZALA_KT_CLIENT_SECRET: 'sec', IMZALA_KT_PRIVATE_KEY: keys.pkcs8File, IMZALA_KT_BASE_URL: server.url });

  it('token and accounts read IMZALA_KT_*; accounts print a table or JSON; the call is signed as sent', async () => {
    const tok = await runCli(['kt', 'token', '--scope', 'accounts', '--json'], env());
    expect(tok.code).toBe(0);
    expect(JSON.parse(tok.stdout)).toMatchObject({ accessToken: 'cli-token', scopes: ['accounts'] });
    const table = await runCli(['kt', 'accounts'], env());
    expect(table.stdout).toMatch(/suffix\s+iban/);
    expect(table.stdout).toMatch(/TR320020500000040036800001/);
    const json = await runCli(['kt', 'accounts', '--json'], env());
    expect(JSON.parse(json.stdout)[0].branchName).toBe('Talatpaşa Şube');
    const req = server.on('/v3/accounts').at(-1)!;
    expect(opensslVerifies(keys, Buffer.from('cli-token'), String(req.headers.signature))).toBe(true);
  });

  it('a refused transfer exits 1 with the bank\'s message; missing credentials exit 2', async () => {
    const res = await runCli(['kt', 'transfer', '--from-suffix', '1', '--iban', 'TR32 0020 5000 0004 0036 8000 01', '--amount', '10', '--description', 'kira', '--user', 'u'], env());
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Yetersiz bakiye/);
    expect(JSON.parse(server.on('/v1/moneytransfer/outgoingmoneytransfer')[0]!.body.toString()).receiverIban).toBe('TR320020500000040036800001');
    const missing = await runCli(['kt', 'accounts'], { IMZALA_KT_BASE_URL: server.url });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/IMZALA_KT_CLIENT_ID/);
  });

  it('reads a profile file when neither flags nor environment say', async () => {
    const config = path.join(keys.dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify({ profiles: { work: { kt: { clientId: 'cid', clientSecret: 'sec', privateKey: keys.pkcs1File, baseUrl: server.url } } } }));
    const res = await runCli(['kt', 'token', '--config', config, '--config-profile', 'work']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe('cli-token');
    expect((await runCli(['kt', 'token', '--config', config, '--config-profile', 'home'])).code).toBe(2);
  });
});

describe('imzala keygen', () => {
  it('writes a 2048-bit pair in both PEM forms that openssl reads, private files 0600; refuses to overwrite', async () => {
    const prefix = path.join(keys.dir, 'gen', 'app');
    const res = await runCli(['keygen', '-o', prefix, '--json']);
    expect(res.code).toBe(0);
    const files = JSON.parse(res.stdout) as Record<string, string>;
    expect(fs.readFileSync(files.privateKeyPkcs8!, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(fs.readFileSync(files.privateKeyPkcs1!, 'utf8')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(fs.readFileSync(files.publicKeySpki!, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(fs.readFileSync(files.publicKeyPkcs1!, 'utf8')).toMatch(/^-----BEGIN RSA PUBLIC KEY-----/);
    expect(fs.statSync(files.privateKeyPkcs8!).mode & 0o777).toBe(0o600);
    expect(execFileSync('openssl', ['rsa', '-in', files.privateKeyPkcs1!, '-noout', '-text']).toString()).toMatch(/Private-Key: \(2048 bit/);
    // Both private forms are the same key: signatures agree.
    expect(opensslSign(files.privateKeyPkcs1!, Buffer.from('x'))).toBe(opensslSign(files.privateKeyPkcs8!, Buffer.from('x')));
    expect((await runCli(['keygen', '-o', prefix])).code).toBe(2);
  });
});
