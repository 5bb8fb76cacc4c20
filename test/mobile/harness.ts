import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildServer, type System } from '../../src/app.js';
import type { EsignPart } from '../../src/esign/part.js';
import { allSignatures } from '../../src/esign/xades/paths.js';
import { parseXml } from '../../src/esign/xades/xml.js';
import { msspServicesOf } from '../../src/mssp/part.js';
import type { Transaction } from '../../src/mssp/transactions.js';
import { trustServiceOf } from '../../src/trust/part.js';
import { testSystem } from '../helpers/platform.js';
import { waitForPending } from '../mssp/harness.js';
import { xmlsec1VerifyAll } from '../xades/tools.js';

export type MobileHarness = Awaited<ReturnType<typeof mobileHarness>>;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The answer of a CoreApi call: HTTP status and the ApiResult body. */
export interface Answer<T = Record<string, unknown>> {
  status: number;
  result: T | null;
  error: string | null;
}

/**
 * The whole system on a real socket whose public URL is its own address, so the e-signature side reaches the
 * operator simulators over HTTP exactly as it would reach a real operator.
 */
export async function mobileHarness(env: NodeJS.ProcessEnv = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const system = await testSystem({
    IMZALA_PUBLIC_URL: url,
    IMZALA_MSSP_POLL_MS: '50',
    IMZALA_ESIGN_MOBILE_POLL_MS: '100',
    IMZALA_ESIGN_FINGERPRINT_WAIT_MS: '3000',
    ...env,
  });
  const esign = system.parts.find((p) => p.name === 'esign') as EsignPart;
  const mssp = msspServicesOf(system.parts);
  const trust = trustServiceOf(system.parts);
  let app: FastifyInstance = await buildServer(system);
  await app.listen({ port, host: '127.0.0.1' });
  const apiKey = (await esign.services.tenants.create('mobile tests')).apiKey;
  let n = 0;

  async function call<T = Record<string, unknown>>(path: string, body: unknown, key = apiKey): Promise<Answer<T>> {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { result: T | null; error: string | null };
    return { status: res.status, result: json.result, error: json.error };
  }

  return {
    system,
    esign,
    mssp,
    trust,
    url,
    apiKey,
    call,
    requestId(): string {
      n++;
      return `mob${String(n).padStart(5, '0')}${Math.random().toString(36).slice(2)}xxxxxxxxxxxxx`.slice(0, 21);
    },
    async upload(data: Buffer | string, fileName = 'belge.xml', key = apiKey): Promise<string> {
      const form = new FormData();
      form.append('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)]), fileName);
      const res = await fetch(`${url}/v2/CoreApiFile/UploadFile`, { method: 'POST', headers: { 'x-api-key': key }, body: form });
      const json = (await res.json()) as { result: { operationId: string } };
      if (res.status !== 200) throw new Error(`upload: ${res.status} ${JSON.stringify(json)}`);
      return json.result.operationId;
    },
    async download(operationId: string): Promise<Buffer> {
      const res = await call<{ fileData: string }>('/v2/CoreApiFile/DownloadCore', { operationId });
      if (res.status !== 200 || !res.result) throw new Error(`download: ${res.status} ${res.error}`);
      return Buffer.from(res.result.fileData, 'base64');
    },
    /** Starts SignStepOne (v2) without awaiting it: it answers when the phone has. */
    sign(body: Record<string, unknown>, path = '/v2/CoreApiXadesMobile/SignStepOneXadesMobileCore'): Promise<Answer<{ isSuccess: boolean; operationId: string }>> {
      return call(path, { userPrompt: 'Sözleşmeyi imzalıyor musunuz?', requestId: this.requestId(), displayLanguage: 'en', ...body });
    },
    pending: (phone: string): Promise<Transaction> => waitForPending(mssp, phone),
    approve: (phone: string) => mssp.phone.approve(phone, { pin: '123456' }),
    xmlsec1: (xml: Buffer): Promise<number> => xmlsec1Accepts(system, xml),
    /** Closes the server (in-flight signings stop; their leases lapse) and serves the same data again. */
    async restartServer(): Promise<void> {
      await app.close();
      app = await buildServer(system);
      await app.listen({ port, host: '127.0.0.1' });
    },
    async close(): Promise<void> {
      await app.close();
      await system.cleanup();
    },
  };
}

/** xmlsec1 verifies every signature against the system's test root; returns how many there are, or throws. */
export async function xmlsec1Accepts(system: System, xml: Buffer): Promise<number> {
  const trust = trustServiceOf(system.parts);
  const rootPem = (await trust.rootCertificate()).toString('pem');
  const caPems = await Promise.all((await trust.caNames()).filter((n) => n !== 'root').map(async (n) => (await trust.caCertificate(n)).toString('pem')));
  const results = await xmlsec1VerifyAll(xml, rootPem, caPems);
  const expected = allSignatures(parseXml(xml.toString('utf8'))).length;
  if (results.length !== expected || results.some((r) => r.code !== 0)) {
    throw new Error(`xmlsec1 rejected: ${results.map((r) => `${r.id}: ${r.code} ${r.out}`).join('\n')}`);
  }
  return results.length;
}

export const INVOICE = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8"?>\n<Fatura xmlns="urn:imzala:test:fatura"><No>2026-0042</No><Tutar para="TRY">1250.00</Tutar><Alici>Ayşe Yılmaz</Alici></Fatura>\n',
);
