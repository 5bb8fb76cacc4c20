import * as asn1js from 'asn1js';
import { x509 } from './crypto.js';

/** OIDs of the qualified-certificate profile (ETSI EN 319 412-5) and the Turkish NES policy. */
export const OID = {
  qcStatements: '1.3.6.1.5.5.7.1.3',
  qcCompliance: '0.4.0.1862.1.1',
  qcSSCD: '0.4.0.1862.1.4',
  qcType: '0.4.0.1862.1.6',
  qcTypeESign: '0.4.0.1862.1.6.1',
  /** Turkish qualified electronic certificate (NES) policy. */
  turkishQualifiedPolicy: '2.16.792.1.2.1.1.5.7.1.9',
  /** ETSI QCP-n-qscd: qualified certificate for a natural person, key in a QSCD. */
  etsiQcpNQscd: '0.4.0.194112.1.2',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  /** Our time-stamping policy (under the private-enterprise arc of no one; a sandbox value). */
  tsaPolicy: '1.3.6.1.4.1.99999.1.1',
  subjectSerialNumber: '2.5.4.5',
  givenName: '2.5.4.42',
  surname: '2.5.4.4',
} as const;

/** qcStatements: QcCompliance, QcSSCD and QcType esign; @peculiar/x509 has no class for it, so asn1js builds it. */
export function qcStatementsExtension(): x509.Extension {
  const statement = (id: string, info?: asn1js.AsnType): asn1js.Sequence =>
    new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: id }), ...(info ? [info] : [])] });
  const value = new asn1js.Sequence({
    value: [
      statement(OID.qcCompliance),
      statement(OID.qcSSCD),
      statement(OID.qcType, new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.qcTypeESign })] })),
    ],
  });
  return new x509.Extension(OID.qcStatements, false, value.toBER());
}

/** The statement ids a certificate's qcStatements extension carries (QcType ids appended as `qcType:<oid>`). */
export function parseQcStatements(cert: x509.X509Certificate): string[] {
  const ext = cert.getExtension(OID.qcStatements);
  if (!ext) return [];
  const parsed = asn1js.fromBER(ext.value);
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) return [];
  const ids: string[] = [];
  for (const statement of parsed.result.valueBlock.value) {
    if (!(statement instanceof asn1js.Sequence)) continue;
    const [id, info] = statement.valueBlock.value;
    if (!(id instanceof asn1js.ObjectIdentifier)) continue;
    ids.push(id.valueBlock.toString());
    if (info instanceof asn1js.Sequence) {
      for (const t of info.valueBlock.value) if (t instanceof asn1js.ObjectIdentifier) ids.push(`qcType:${t.valueBlock.toString()}`);
    }
  }
  return ids;
}

/** id-pkix-ocsp-nocheck: clients need not check the OCSP signer's own revocation status. */
export function ocspNoCheckExtension(): x509.Extension {
  return new x509.Extension(OID.ocspNoCheck, false, new asn1js.Null().toBER());
}
