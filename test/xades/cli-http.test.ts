import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../../src/app.js';
import { main } from '../../src/cli/main.js';
import { xadesTestEnv, type XadesTestEnv } from './setup.js';

let env: XadesTestEnv;
let data: string[];
let dir: string;
beforeAll(async () => {
  env = await xadesTestEnv();
  data = ['--data', env.system.config.dataDir, '--database-url', env.system.config.databaseUrl];
  dir = fs.mkdtempSync(path.join(env.system.config.dataDir, 'cli-'));
});
afterAll(() => env.cleanup());

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(['node', 'imzala', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('imzala xades', () => {
  it('signs (enveloped, then serial and parallel) and verifies; xmlsec1 agrees', async () => {
    const input = path.join(dir, 'in.xml');
    fs.writeFileSync(input, '<rapor><satir>1</satir></rapor>');
    const s0 = path.join(dir, 's0.xml');
    const signed = await cli('xades', 'sign', ...data, '--in', input, '--out', s0, '--profile', 'P4', '--json');
    expect(signed.code).toBe(0);
    expect(JSON.parse(signed.stdout)).toMatchObject({ out: s0, fingerprint: expect.stringMatching(/^[0-9A-F]{64}$/) });
    const s1 = path.join(dir, 's1.xml');
    expect((await cli('xades', 'sign', ...data, '--in', s0, '--out', s1, '--serial-path', 'S0', '--level', 'T')).code).toBe(0);
    const s2 = path.join(dir, 's2.xml');
    expect((await cli('xades', 'sign', ...data, '--in', s1, '--out', s2, '--parallel', '--level', 'A')).code).toBe(0);
    await env.xmlsec1(fs.readFileSync(s2));
    const verified = await cli('xades', 'verify', ...data, s2);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^ALL_VALID: 3 signature\(s\)/);
    expect(verified.stdout).toMatch(/S0 +TOTAL_PASSED +aslXL +P4 /);
    expect(verified.stdout).toMatch(/S0:S0 +TOTAL_PASSED +aslT /);
    expect(verified.stdout).toMatch(/S1 +TOTAL_PASSED +aslA /);
    const json = await cli('xades', 'verify', ...data, '--json', s2);
    expect(JSON.parse(json.stdout).signatureList.map((i: { entityLabel: string }) => i.entityLabel)).toEqual(['S0', 'S0:S0', 'S1']);

    const tampered = path.join(dir, 'tampered.xml');
    fs.writeFileSync(tampered, fs.readFileSync(s2, 'utf8').replace('<satir>1</satir>', '<satir>2</satir>'));
    const bad = await cli('xades', 'verify', ...data, tampered);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/digest mismatch/);
    expect(bad.stderr).toMatch(/CONTAINS_INVALID: 2 of 3 signature\(s\) not valid/);
  });

  it('enveloping binary, and clear usage errors', async () => {
    const input = path.join(dir, 'doc.pdf');
    fs.writeFileSync(input, Buffer.from('%PDF-1.7 binary \x00\xff', 'latin1'));
    const out = path.join(dir, 'doc.xml');
    expect((await cli('xades', 'sign', ...data, '--in', input, '--out', out, '--mode', 'ENVELOPING', '--level', 'XL')).code).toBe(0);
    expect((await cli('xades', 'verify', ...data, out)).code).toBe(0);
    expect((await cli('xades', 'sign', ...data, '--in', input, '--out', out, '--profile', 'P1', '--level', 'T')).stderr).toMatch(/contradicts/);
    expect((await cli('xades', 'sign', ...data, '--in', input, '--out', out, '--profile', 'P1', '--level', 'T')).code).toBe(2);
    expect((await cli('xades', 'sign', ...data, '--in', out, '--out', out, '--serial-path', 'S9')).code).toBe(2);
    expect((await cli('xades', 'sign', ...data, '--in', out, '--out', out, '--serial-path', 'S0', '--parallel')).code).toBe(2);
    expect((await cli('xades', 'sign', ...data, '--in', path.join(dir, 'missing'), '--out', out)).code).toBe(2);
    expect((await cli('xades', 'sign', ...data, '--in', input, '--out', out, '--signer', '99999999990')).code).toBe(2);
    expect((await cli('xades', 'verify', ...data, input)).code).toBe(1); // not XML
    expect((await cli('xades', 'sign', '--help')).stdout).toMatch(/--serial-path/);
  });
});

describe('POST /xades/verify', () => {
  it('reports per signature, through inject and a real socket; hostile input gets 4xx', async () => {
    const signed = await env.sign(Buffer.from('<a>1</a>'), { level: 'aslT' }, await env.subscriber());
    const app = await buildServer(env.system);
    try {
      const ok = await app.inject({ method: 'POST', url: '/xades/verify', headers: { 'content-type': 'application/xml' }, payload: signed });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toMatchObject({ valid: true, summary: 'ALL_VALID', signatures: [{ path: 'S0', level: 'aslT', indication: 'TOTAL_PASSED' }] });
      const malformed = await app.inject({ method: 'POST', url: '/XADES/verify', headers: { 'content-type': 'text/xml' }, payload: '<a><b></a>' });
      expect([malformed.statusCode, malformed.json().error]).toEqual([400, 'ERR_XADES_DOCUMENT']);
      const entity = await app.inject({ method: 'POST', url: '/xades/verify', headers: { 'content-type': 'application/xml' }, payload: '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>' });
      expect(entity.statusCode).toBe(400);
      const json = await app.inject({ method: 'POST', url: '/xades/verify', headers: { 'content-type': 'application/json' }, payload: '{}' });
      expect(json.statusCode).toBe(415);
      const empty = await app.inject({ method: 'POST', url: '/xades/verify', headers: { 'content-type': 'application/xml' }, payload: '' });
      expect(empty.statusCode).toBeGreaterThanOrEqual(400);
      expect(empty.statusCode).toBeLessThan(500);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${address.port}/xades/verify`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: new Uint8Array(signed) });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { signatureList: unknown[] }).signatureList).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});
