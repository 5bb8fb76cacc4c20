import type { Platform } from '../platform/platform.js';
import { importPkcs8Pem, x509 } from './crypto.js';
import { generateHierarchy, ROOT, type Authority, type AuthorityKind } from './hierarchy.js';
import type { KeySealer } from './sealing.js';
import { trustDb } from './store.js';

/** The loaded hierarchy: every authority by name, with its private key ready to sign. */
export interface Pki {
  authorities: ReadonlyMap<string, Authority>;
  root: Authority;
}

const PKI_ROW = 'pki';

class LostRace extends Error {}

/**
 * Loads the PKI, creating it on first start. Creation is race-safe across processes: each generates a
 * hierarchy in memory, then one transaction inserts the fixed `trust_pki` row first; a process whose insert
 * finds the row already there rolls back and reads the winner's hierarchy.
 */
export async function loadOrCreatePki(platform: Platform, sealer: KeySealer): Promise<Pki> {
  const db = trustDb(platform);
  const existing = await db.selectFrom('trust_pki').select('id').where('id', '=', PKI_ROW).executeTakeFirst();
  if (!existing) {
    const generated = await generateHierarchy(platform.config.publicUrl);
    const now = Date.now();
    try {
      await db.transaction().execute(async (trx) => {
        const claimed = await trx
          .insertInto('trust_pki')
          .values({ id: PKI_ROW, created_at: now })
          .onConflict((oc) => oc.column('id').doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0n) === 0) throw new LostRace();
        for (const a of generated) {
          await trx
            .insertInto('trust_authorities')
            .values({ name: a.name, kind: a.kind, issuer: a.issuer, certificate_pem: a.certificate.toString('pem'), private_key: sealer.seal(a.privateKeyPem), created_at: now })
            .execute();
          // Every certificate but the root's has an issuer that answers for its status (OCSP, CRL).
          if (a.issuer) {
            await trx
              .insertInto('trust_certificates')
              .values({
                serial: a.certificate.serialNumber.toLowerCase(),
                ca: a.issuer,
                kind: a.kind,
                subject: a.certificate.subject,
                tckn: null,
                operator: null,
                certificate_pem: a.certificate.toString('pem'),
                not_before: a.certificate.notBefore.getTime(),
                not_after: a.certificate.notAfter.getTime(),
                status: 'good',
                revoked_at: null,
                revocation_reason: null,
                private_key: null,
                created_at: now,
              })
              .execute();
          }
        }
        platform.log.info({ authorities: generated.map((a) => a.name) }, 'trust: created the test PKI');
      });
    } catch (err) {
      if (!(err instanceof LostRace)) throw err;
    }
  }
  const rows = await db.selectFrom('trust_authorities').selectAll().execute();
  const authorities = new Map<string, Authority>();
  for (const row of rows) {
    authorities.set(row.name, {
      name: row.name,
      kind: row.kind as AuthorityKind,
      issuer: row.issuer,
      certificate: new x509.X509Certificate(row.certificate_pem),
      privateKey: await importPkcs8Pem(sealer.unseal(row.private_key)),
    });
  }
  const root = authorities.get(ROOT);
  if (!root) throw new Error('trust: PKI row present but no root authority stored');
  return { authorities, root };
}
