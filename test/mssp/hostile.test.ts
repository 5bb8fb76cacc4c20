import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRequest, envelope, MSS_NS, parseResponse, SOAP12_NS } from '../../src/mssp/protocol.js';
import { MsspError } from '../../src/mssp/status.js';
import { msspHarness, type Harness } from './harness.js';

/** Raw posts to the SOAP endpoint, the way a broken or hostile AP would send them. */
describe('SOAP endpoint under malformed and hostile input', () => {
  let h: Harness;
  const post = (body: string, type = 'text/xml; charset=utf-8') =>
    fetch(`${h.address}/mssp/turkcell/soap`, { method: 'POST', headers: { 'content-type': type }, body });
  const statusOf = (xml: string): MsspError => {
    try {
      parseResponse(xml, 'signature');
    } catch (err) {
      return err as MsspError;
    }
    throw new Error('expected a fault');
  };

  beforeAll(async () => {
    h = await msspHarness();
  });
  afterAll(async () => h.close());

  it('an XXE attempt is refused as a fault, with no file content in it', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><x>&e;</x></soap:Body></soap:Envelope>`;
    const res = await post(xxe);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toContain('root:');
    expect(statusOf(body).code).toBe('WRONG_PARAM');
    expect(body).toContain('_101');
  });

  it('a billion-laughs DTD is refused at once', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>`;
    expect(statusOf(await (await post(bomb)).text()).code).toBe('WRONG_PARAM');
  });

  it('garbage, a non-SOAP document, an unknown operation and missing fields are faults with their ETSI status', async () => {
    expect(statusOf(await (await post('<<<not xml')).text()).code).toBe('WRONG_PARAM');
    expect(statusOf(await (await post('<a/>')).text()).code).toBe('INCOMPATIBLE_INTERFACE');
    expect(statusOf(await (await post(envelope('1.1', `<mss:MSS_Nope xmlns:mss="${MSS_NS}"/>`))).text()).code).toBe('INCOMPATIBLE_INTERFACE');
    expect(statusOf(await (await post(envelope('1.1', `<mss:MSS_Signature><mss:MSS_SignatureReq/></mss:MSS_Signature>`))).text()).code).toBe('MISSING_PARAM');
    const res = await post('');
    expect(res.status).toBe(400);
    expect(statusOf(await res.text()).code).toBe('MISSING_PARAM');
  });

  it('bad field values: non-Base64 data, unknown messaging mode, bad TimeOut', async () => {
    const good = buildRequest(
      {
        kind: 'signature',
        ap: { apId: 'imzala-ap-turkcell', apPwd: 'turkcell-sandbox-pwd', apTransId: 't1', instant: new Date().toISOString() },
        msisdn: '+905301234567',
        dataToBeSigned: Buffer.alloc(32, 1),
        dataToBeSignedMimeType: 'application/octet-stream',
        dataToBeDisplayed: 'x',
        signatureProfile: 'urn:imzala:mssp:turkcell:sha2-rsa',
        mssFormat: `${MSS_NS}PKCS7`,
        mode: 'synch',
        timeoutSeconds: 1,
      },
      'x',
    );
    const b64 = Buffer.alloc(32, 1).toString('base64');
    expect(statusOf(await (await post(envelope('1.1', good.replace(b64, '!!!notbase64!!!')))).text()).code).toBe('WRONG_PARAM');
    expect(statusOf(await (await post(envelope('1.1', good.replace('MessagingMode="synch"', 'MessagingMode="asynchServerServer"')))).text()).code).toBe('WRONG_PARAM');
    expect(statusOf(await (await post(envelope('1.1', good.replace('TimeOut="1"', 'TimeOut="-5"')))).text()).code).toBe('WRONG_PARAM');
  });

  it('SOAP 1.2 faults carry Sender/Receiver codes and the mss subcode; Sender faults are HTTP 400', async () => {
    const res = await post(`<e:Envelope xmlns:e="${SOAP12_NS}"><e:Body><x/></e:Body></e:Envelope>`, 'application/soap+xml');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/soap+xml');
    const body = await res.text();
    expect(body).toContain('soap:Sender');
    expect(body).toContain('mss:_108');
  });

  it('oversized bodies and wrong media types are refused with a fault and a 4xx', async () => {
    const big = await post(`<a>${'x'.repeat(300 * 1024)}</a>`);
    expect(big.status).toBe(413);
    expect(statusOf(await big.text()).code).toBe('WRONG_PARAM');
    const json = await post('{"a":1}', 'application/json');
    expect(json.status).toBe(415);
    expect(await json.text()).toContain('_101');
  });

  it('the server is still well after all that', async () => {
    const certs = await h.client('TURKCELL').getCertificates('5301234567');
    expect(certs.length).toBeGreaterThan(0);
  });
});

describe('phone HTTP API under bad input', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await msspHarness();
  });
  afterAll(async () => h.close());

  it('answers with {error, message} and a 4xx', async () => {
    const unknown = await fetch(`${h.address}/phone/5550000000/pending`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'ERR_UNKNOWN_PHONE' });
    const nothing = await fetch(`${h.address}/phone/5301234567/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pin":"123456"}' });
    expect(nothing.status).toBe(409);
    expect(await nothing.json()).toMatchObject({ error: 'ERR_NO_PENDING' });
    const noPin = await fetch(`${h.address}/phone/5301234567/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noPin.status).toBe(400);
    const broken = await fetch(`${h.address}/phone/5301234567/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"pin":' });
    expect(broken.status).toBe(400);
    const policy = await fetch(`${h.address}/phone/5301234567/policy`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"mode":"explode"}' });
    expect(policy.status).toBe(400);
    const notFound = await fetch(`${h.address}/mssp/nokia/soap`, { method: 'POST' });
    expect(notFound.status).toBe(404);
  });
});
