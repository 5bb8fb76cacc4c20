import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EsignPart } from '../../src/esign/part.js';
import { msspServicesOf, type MsspServices } from '../../src/mssp/part.js';
import { testDialect } from '../helpers/platform.js';
import { INVOICE, xmlsec1Accepts } from '../mobile/harness.js';
import { waitForPending } from '../mssp/harness.js';
import { ESignRecorder } from '../sdk/helpers/esign-recorder.js';
import { liveServer, type LiveServer } from '../sdk/helpers/live.js';
import { runCli, runInTerminal } from './helpers/run.js';

// The wire contract (every flag on the wire, the vendor's refusal text) against the recording server that answers
// the vendor contract from memory (test/sdk/helpers/esign-recorder.ts); end to end against a live server below.
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

// Each CLI run starts a Node process (seconds on a loaded machine): the tests get room for a dozen of them.
describe(`imzala esign against a live server (${testDialect})`, { timeout: 180_000 }, () => {
  let live: LiveServer;
  let mssp: MsspServices;
  let liveEnv: Record<string, string>;
  beforeAll(async () => {
    live = await liveServer();
    mssp = msspServicesOf(live.system.parts);
    const esignPart = live.system.parts.find((p) => p.name === 'esign') as EsignPart;
    liveEnv = { IMZALA_BASE_URL: live.url, IMZALA_API_KEY: (await esignPart.services.tenants.create('cli tests')).apiKey };
  });
  afterAll(async () => live?.stop());

  async function upload(name: string): Promise<string> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, INVOICE);
    const up = await runCli(['esign', 'upload', file, '--json'], liveEnv);
    expect(up.code).toBe(0);
    return (JSON.parse(up.stdout) as { operationId: string }).operationId;
  }

  it('sign --json with an auto-approving phone exits 0 with the signed id and the phone\'s fingerprint; download --signed passes xmlsec1', async () => {
    const operationId = await upload('otomatik.xml');
    const signed = await runCli(['esign', 'sign', operationId, '--phone', '5309999999', '--operator', 'TURKCELL', '--json'], liveEnv);
    expect(signed.stderr).toBe('');
    expect(signed.code).toBe(0);
    const out = JSON.parse(signed.stdout) as { operationId: string; signedFrom: string; fingerPrint: string | null };
    const [tx] = await mssp.transactions.recent('5309999999', 1);
    expect(out).toEqual({ operationId: expect.stringMatching(/^[0-9a-f-]{36}$/), signedFrom: operationId, fingerPrint: tx!.fingerprint });
    expect(JSON.parse((await runCli(['esign', 'status', operationId, '--json'], liveEnv)).stdout)).toMatchObject({
      state: 'signed',
      serverState: 'uploaded',
      signedOperationId: out.operationId,
    });
    expect(JSON.parse((await runCli(['esign', 'status', out.operationId, '--json'], liveEnv)).stdout)).toMatchObject({ state: 'signed', parentOperationId: operationId });
    const file = path.join(dir, 'otomatik.signed.xml');
    expect((await runCli(['esign', 'download', operationId, '--signed', '-o', file], liveEnv)).code).toBe(0);
    expect(await xmlsec1Accepts(live.system, fs.readFileSync(file))).toBe(1);
  });

  it("while the phone waits: status <upload> says waiting and fingerprint <upload> is the phone's; then SERIAL on the signed id", async () => {
    const operationId = await upload('bekleyen.xml');
    const signing = runCli(['esign', 'sign', operationId, '--phone', '5301234567', '--operator', 'TURKCELL', '--citizenship-no', '12345678950', '--json'], liveEnv);
    const tx = await waitForPending(mssp, '5301234567', 30_000);
    expect(JSON.parse((await runCli(['esign', 'status', operationId, '--json'], liveEnv)).stdout)).toMatchObject({ state: 'waiting', serverState: 'uploaded', signingState: 'waiting' });
    const fp = await runCli(['esign', 'fingerprint', operationId], liveEnv);
    expect(fp.stdout.trim()).toBe(tx.fingerprint);
    await mssp.phone.approve('5301234567', { pin: '123456' });
    const signed = await signing;
    expect(signed.code).toBe(0);
    const first = JSON.parse(signed.stdout) as { operationId: string; fingerPrint: string };
    expect(first.fingerPrint).toBe(tx.fingerprint);

    const counter = await runCli(['esign', 'sign', first.operationId, '--phone', '5309999999', '--operator', 'TURKCELL', '--serial-path', 'S0', '--json'], liveEnv);
    expect(counter.code).toBe(0);
    const file = path.join(dir, 'bekleyen.signed.xml');
    // From the upload's id, download follows the chain to the counter-signed document.
    const dl = await runCli(['esign', 'download', operationId, '--json', '-o', file], liveEnv);
    expect(JSON.parse(dl.stdout)).toMatchObject({ operationId: (JSON.parse(counter.stdout) as { operationId: string }).operationId });
    expect(await xmlsec1Accepts(live.system, fs.readFileSync(file))).toBe(2);
  });

  it('a refusal exits 1 with the server\'s message; status says refused', async () => {
    await mssp.subscribers.setPolicy('5051234567', { mode: 'reject', afterSeconds: 0 });
    const operationId = await upload('ret.xml');
    const refused = await runCli(['esign', 'sign', operationId, '--phone', '5051234567', '--operator', 'AVEA', '--json'], liveEnv);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('Kullanıcı imzayı reddetti.');
    const status = JSON.parse((await runCli(['esign', 'status', operationId, '--json'], liveEnv)).stdout) as { state: string; signingOperationId: string };
    expect(status.state).toBe('refused');
    expect(JSON.parse((await runCli(['esign', 'status', status.signingOperationId, '--json'], liveEnv)).stdout)).toMatchObject({ state: 'refused', serverState: 'refused' });
  });

  it('on a terminal: the live status line shows the wait and the fingerprint until the phone approves', async () => {
    const operationId = await upload('terminal.xml');
    await mssp.subscribers.setPolicy('5421234567', { mode: 'approve', afterSeconds: 2 });
    const signed = await runInTerminal(['esign', 'sign', operationId, '--phone', '5421234567', '--operator', 'VODAFONE'], liveEnv);
    expect(signed.code).toBe(0);
    const [tx] = await mssp.transactions.recent('5421234567', 1);
    expect(signed.stdout).toMatch(/waiting for 5421234567 \(VODAFONE\) \d+s/);
    expect(signed.stdout).toContain(`fingerprint ${tx!.fingerprint}`);
    expect(signed.stdout).toMatch(/signed: [0-9a-f-]{36}/);
  });
});
