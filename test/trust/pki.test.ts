import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustError } from '../../src/trust/errors.js';
import { OID, parseQcStatements } from '../../src/trust/extensions.js';
import { trustServiceOf } from '../../src/trust/part.js';
import type { TrustService } from '../../src/trust/service.js';
import { isValidTckn, tcknFrom } from '../../src/trust/tckn.js';
import { testSystem } from '../helpers/platform.js';
import { openssl, scratch } from './openssl.js';

describe('TCKN', () => {
  it('accepts numbers whose check digits hold and rejects the rest', () => {
    expect(isValidTckn('10000000146')).toBe(true);
    expect(isValidTckn('10000000147')).toBe(false); // 11th digit wrong
    expect(isValidTckn('10000000156')).toBe(false); // 10th digit wrong
    expect(isValidTckn('01000000146')).toBe(false); // leading zero
    expect(isValidTckn('1000000014')).toBe(false);
    expect(isValidTckn('1000000014a')).toBe(false);
    for (const nine of ['123456789', '987654321', '555555555', '100000001']) {
      const tckn = tcknFrom(nine);
      expect(isValidTckn(tckn)).toBe(true);
      // Changing any single digit breaks it.
      const bumped = tckn.slice(0, 10) + String((Number(tckn[10]) + 1) % 10);
      expect(isValidTckn(bumped)).toBe(false);
    }
  });
});

describe('test PKI and subscriber certificates', () => {
  let system: Awaited<ReturnType<typeof testSystem>>;
  let trust: TrustService;
  const files = scratch();
  beforeAll(async () => {
    system = await testSystem();
    trust = trustServiceOf(system.parts);
  });
  afterAll(async () => {
    files.remove();
    await system.cleanup();
  });

  it('issues a subscriber certificate whose chain openssl verifies against the root', async () => {
    const issued = await trust.issueSubscriber({ tckn: '10000000146', givenName: 'Ayşe', surname: 'Yılmaz', operator: 'TURKCELL' });
    expect(issued.ca).toBe('turkcell');
    expect(issued.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    const root = await trust.rootCertificate();
    expect(issued.chain.map((c) => c.subject)).toEqual([(await trust.operatorCaCertificate('TURKCELL')).subject, root.subject]);
    expect((await trust.chainOf(issued.pem)).map((c) => c.serialNumber)).toEqual(issued.chain.map((c) => c.serialNumber));

    const rootPem = files.file('root.pem', root.toString('pem'));
    const subPem = files.file('sub.pem', issued.chain[0]!.toString('pem'));
    const leafPem = files.file('leaf.pem', issued.pem);
    const ok = await openssl(['verify', '-CAfile', rootPem, '-untrusted', subPem, leafPem]);
    expect(ok.stdout + ok.stderr).toContain('leaf.pem: OK');
    expect(ok.code).toBe(0);
    // Without the sub-CA the chain cannot be built: openssl is really checking.
    const broken = await openssl(['verify', '-CAfile', rootPem, leafPem]);
    expect(broken.code).not.toBe(0);

    const text = (await openssl(['x509', '-in', leafPem, '-noout', '-text', '-nameopt', 'RFC2253,-esc_msb'])).stdout;
    expect(text).toContain('serialNumber=10000000146');
    expect(text).toContain('C=TR');
    expect(text).toMatch(/Key Usage: critical\s+Non Repudiation/);
    expect(text).toContain(OID.turkishQualifiedPolicy);
    expect(text).toContain('/ocsp');
    expect(text).toContain('/crl/turkcell.crl');
  });

  it('writes qcStatements (QcCompliance, QcSSCD, QcType esign) that parse back', async () => {
    const issued = await trust.issueSubscriber({ tckn: tcknFrom('234567891'), givenName: 'Mehmet', surname: 'Öz', operator: 'vodafone' });
    expect(parseQcStatements(issued.certificate)).toEqual([OID.qcCompliance, OID.qcSSCD, OID.qcType, `qcType:${OID.qcTypeESign}`]);
    const ca = await trust.caCertificate('root');
    expect(parseQcStatements(ca)).toEqual([]);
  });

  it('certifies a key the caller brings and keeps no private key for it', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await trust.issueSubscriber({ tckn: tcknFrom('345678912'), givenName: 'Zeynep', surname: 'Kaya', operator: 'AVEA', publicKey });
    expect(issued.privateKey).toBeUndefined();
    expect(Buffer.from(issued.certificate.publicKey.rawData)).toEqual(publicKey.export({ type: 'spki', format: 'der' }));
    expect(await trust.subscriberKey(issued.serialNumber)).toBeNull();
    const stored = await trust.issueSubscriber({ tckn: tcknFrom('345678912'), givenName: 'Zeynep', surname: 'Kaya', operator: 'AVEA', storeKey: true });
    const key = await trust.subscriberKey(stored.serialNumber);
    expect(key?.export({ type: 'pkcs8', format: 'pem' })).toBe(stored.privateKeyPem);
  });

  it('rejects bad input with stable codes', async () => {
    const code = async (p: Promise<unknown>): Promise<string> => p.then(() => 'resolved', (e: unknown) => (e instanceof TrustError ? e.code : String(e)));
    expect(await code(trust.issueSubscriber({ tckn: '12345678901', givenName: 'A', surname: 'B', operator: 'TURKCELL' }))).toBe('ERR_TRUST_TCKN_INVALID');
    expect(await code(trust.issueSubscriber({ tckn: '10000000146', givenName: 'A', surname: 'B', operator: 'TELSIM' }))).toBe('ERR_TRUST_UNKNOWN_OPERATOR');
    expect(await code(trust.issueSubscriber({ tckn: '10000000146', givenName: '', surname: 'B', operator: 'AVEA' }))).toBe('ERR_TRUST_BAD_INPUT');
    expect(await code(trust.revoke('zz'))).toBe('ERR_TRUST_BAD_SERIAL');
    expect(await code(trust.revoke('0102'))).toBe('ERR_TRUST_UNKNOWN_CERTIFICATE');
    expect(await code(trust.chainOf('not a certificate'))).toBe('ERR_TRUST_BAD_INPUT');
  });

  it('revokes once, with time and reason, and lists the state', async () => {
    const issued = await trust.issueSubscriber({ tckn: '10000000146', givenName: 'Ali', surname: 'Veli', operator: 'TURKCELL' });
    const withColons = issued.serialNumber.toUpperCase().replace(/(..)(?!$)/g, '$1:');
    const record = await trust.revoke(withColons, 'keyCompromise');
    expect(record).toMatchObject({ serialNumber: issued.serialNumber, status: 'revoked', revocationReason: 'keyCompromise' });
    await expect(trust.revoke(issued.serialNumber)).rejects.toMatchObject({ code: 'ERR_TRUST_ALREADY_REVOKED' });
    const revoked = await trust.list({ status: 'revoked' });
    expect(revoked.map((r) => r.serialNumber)).toEqual([issued.serialNumber]);
  });
});
