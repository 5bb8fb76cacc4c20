import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ESignRecorder } from '../sdk/helpers/esign-recorder.js';
import { runCli, runInTerminal } from './helpers/run.js';

// Against the recording server that answers the vendor contract from memory (test/sdk/helpers/esign-recorder.ts).
let esign: ESignRecorder;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imzala-cli-esign-'));
beforeAll(async () => {
  esign = await new ESignRecorder().start();
});
afterAll(async () => {
  await esign.server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});
const env = () => ({ IMZALA_BASE_URL: esign.url, IMZALA_API_KEY: esign.apiKey });

describe('imzala esign (scriptable contract)', () => {
  it('upload → sign (waits for the phone) → fingerprint → status → download, all with --json', async () => {
    const doc = path.join(dir, 'sözleşme.xml');
    fs.writeFileSync(doc, '<sözleşme>imza</sözleşme>');
    const up = await runCli(['esign', 'upload', doc, '--json'], env());
    expect(up.code).toBe(0);
    const { operationId } = JSON.parse(up.stdout) as { operationId: string };
    expect(esign.documents.get(operationId)!.name).toBe('sözleşme.xml');

    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    esign.phone = async () => {
      await released;
      return 'approve';
    };
    const signing = runCli(['esign', 'sign', operationId, '--phone', '5321234567', '--operator', 'turkcell', '--level', 'T', '--profile', 'P2', '--serial-path', 'S0', '--mode', 'ENVELOPING', '--json'], env());
    // While signing waits: the upload's id gives the fingerprint and the status says waiting.
    const fp = await runCli(['esign', 'fingerprint', operationId], env());
    expect(fp.code).toBe(0);
    expect(fp.stdout.trim()).toBe(createHash('sha256').update('<sözleşme>imza</sözleşme>').digest('hex').toUpperCase());
    const waiting = await runCli(['esign', 'status', operationId, '--json'], env());
    expect(JSON.parse(waiting.stdout).state).toBe('waiting');
    release();
    const signed = await signing;
    expect(signed.code).toBe(0);
    const out = JSON.parse(signed.stdout) as { operationId: string; signedFrom: string; fingerPrint: string | null };
    expect(out.operationId).not.toBe(operationId);
    expect(out.signedFrom).toBe(operationId);
    const sent = JSON.parse(esign.server.on('/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore')[0]!.body.toString());
    expect(sent).toMatchObject({ operator: 'TURKCELL', signatureLevel: 'T', signatureTurkishProfile: 'P2', serialOrParallel: 'SERIAL', signaturePath: 'S0', envelopingOrEnveloped: 'ENVELOPING' });

    expect(JSON.parse((await runCli(['esign', 'status', operationId, '--json'], env())).stdout)).toMatchObject({ state: 'signed', signedOperationId: out.operationId });

    const signedFile = path.join(dir, 'signed.xml');
    const dl = await runCli(['esign', 'download', operationId, '--signed', '-o', signedFile], env());
    expect(dl.code).toBe(0);
    expect(fs.readFileSync(signedFile, 'utf8')).toBe('<signed><sözleşme>imza</sözleşme>');
    const originalFile = path.join(dir, 'original.xml');
    expect((await runCli(['esign', 'download', operationId, '--original', '-o', originalFile], env())).code).toBe(0);
    expect(fs.readFileSync(originalFile, 'utf8')).toBe('<sözleşme>imza</sözleşme>');
  });

  it('uploads in chunks with --chunk-size, and a refused signature exits 1 with the operator\'s message', async () => {
    const big = path.join(dir, 'big.bin');
    const data = randomBytes(10_000);
    fs.writeFileSync(big, data);
    const up = await runCli(['esign', 'upload', big, '--chunk-size', '4096', '--json'], env());
    const result = JSON.parse(up.stdout) as { operationId: string; chunked: boolean };
    expect(result.chunked).toBe(true);
    expect(esign.documents.get(result.operationId)!.data.equals(data)).toBe(true);

    esign.phone = async () => 'refuse';
    const refused = await runCli(['esign', 'sign', result.operationId, '--phone', '5321234567', '--operator', 'AVEA', '--json'], env());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/iptal/);
    expect(JSON.parse((await runCli(['esign', 'status', result.operationId, '--json'], env())).stdout).state).toBe('refused');
  });

  it('on a terminal: a progress bar while uploading, a live status line with the fingerprint while the phone is asked', async () => {
    const doc = path.join(dir, 'terminal.xml');
    fs.writeFileSync(doc, '<belge>terminal</belge>');
    const up = await runInTerminal(['esign', 'upload', doc], env());
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/\[#{30}\] 100%/);
    const operationId = /([0-9a-f-]{36})\s*$/.exec(up.stdout)![1]!;

    esign.phone = () => new Promise((resolve) => setTimeout(() => resolve('approve'), 2500));
    const signed = await runInTerminal(['esign', 'sign', operationId, '--phone', '5321234567', '--operator', 'VODAFONE'], env());
    expect(signed.code).toBe(0);
    const fingerprint = createHash('sha256').update('<belge>terminal</belge>').digest('hex').toUpperCase();
    expect(signed.stdout).toMatch(/waiting for 5321234567 \(VODAFONE\) \d+s/);
    expect(signed.stdout).toContain(`fingerprint ${fingerprint}`);
    expect(signed.stdout).toMatch(/signed: [0-9a-f-]{36}/);
  });

  it('usage errors exit 2 (no base URL, bad operator, --serial-path with --parallel); a bad key exits 1', async () => {
    expect((await runCli(['esign', 'status', 'x', '--api-key', 'k'])).code).toBe(2);
    expect((await runCli(['esign', 'sign', 'x', '--phone', '1', '--operator', 'NOKIA'], env())).code).toBe(2);
    expect((await runCli(['esign', 'sign', 'x', '--phone', '1', '--operator', 'AVEA', '--serial-path', 'S0', '--parallel'], env())).code).toBe(2);
    const bad = await runCli(['esign', 'status', 'x', '--json'], { IMZALA_BASE_URL: esign.url, IMZALA_API_KEY: 'wrong' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid API key/);
  });
});
