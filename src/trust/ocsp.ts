import * as asn1js from 'asn1js';
import { bytes, HASHES, hashOid, pkijs, sha } from './crypto.js';
import { TrustError } from './errors.js';
import { canonicalSerial, ocspSignerOf, pkijsCertificateOf, type Authority } from './hierarchy.js';
import type { Pki } from './pki.js';
import type { RevocationReason } from './service.js';

/** A certificate's state as the issuing CA's records have it; null = never issued by that CA. */
export interface CertificateStatus {
  status: 'good' | 'revoked';
  revokedAt: Date | null;
  reason: RevocationReason | null;
}

const OIDS = { basic: '1.3.6.1.5.5.7.48.1.1', nonce: '1.3.6.1.5.5.7.48.1.2' };
const STATUS = { successful: 0, malformedRequest: 1, internalError: 2, unauthorized: 6 } as const;
const REASON_CODES: Record<RevocationReason, number> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  privilegeWithdrawn: 9,
  aACompromise: 10,
};
/** One request may ask about several certificates; more than this is abuse, not a client. */
const MAX_REQUESTS = 32;
/** How long an answer may be cached by relying parties. */
const VALIDITY_MS = 24 * 3600 * 1000;

/** Times in OCSP and CRLs carry no fractional seconds (RFC 5280 §4.1.2.5.2). */
function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function status(code: number): Buffer {
  return Buffer.from(new pkijs.OCSPResponse({ responseStatus: new asn1js.Enumerated({ value: code }) }).toSchema().toBER());
}

function certStatus(state: CertificateStatus | null): asn1js.BaseBlock {
  if (!state) return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
  if (state.status === 'good') return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
  const revokedInfo: asn1js.BaseBlock[] = [new asn1js.GeneralizedTime({ valueDate: wholeSeconds(state.revokedAt ?? new Date(0)) })];
  if (state.reason) {
    revokedInfo.push(
      new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Enumerated({ value: REASON_CODES[state.reason] })] }),
    );
  }
  return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value: revokedInfo });
}

/**
 * RFC 6960 responder for every CA of the PKI. Each answer is signed by the delegated OCSP signer of the CA
 * that issued the certificates asked about (EKU OCSPSigning, id-pkix-ocsp-nocheck); the nonce is echoed.
 */
export class OcspResponder {
  constructor(
    private readonly pki: () => Promise<Pki>,
    private readonly statusOf: (ca: string, serial: string) => Promise<CertificateStatus | null>,
  ) {}

  /** Answers a DER OCSPRequest with a DER OCSPResponse; malformed input gets malformedRequest, never a throw. */
  async respond(requestDer: Uint8Array): Promise<Buffer> {
    let request: pkijs.OCSPRequest;
    try {
      request = pkijs.OCSPRequest.fromBER(bytes(requestDer));
    } catch {
      return status(STATUS.malformedRequest);
    }
    const certIds = request.tbsRequest.requestList.map((r) => r.reqCert);
    if (certIds.length === 0 || certIds.length > MAX_REQUESTS) return status(STATUS.malformedRequest);
    const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === OIDS.nonce);
    return this.answer(certIds, nonce);
  }

  /** An OCSP response for one certificate of ours, as the XAdES engine embeds in -XL/-A signatures. */
  async responseFor(certificate: pkijs.Certificate, hashAlgorithm = 'SHA-1'): Promise<Buffer> {
    const oid = hashOid(hashAlgorithm);
    const issuer = await this.issuerOf(certificate);
    const node = HASHES[oid]!.node;
    const certId = new pkijs.CertID({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.Null() }),
      issuerNameHash: new asn1js.OctetString({ valueHex: bytes(sha(node, new Uint8Array(issuer.subject.toSchema().toBER()))) }),
      issuerKeyHash: new asn1js.OctetString({ valueHex: bytes(sha(node, issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)) }),
      serialNumber: certificate.serialNumber,
    });
    return this.answer([certId], undefined);
  }

  private async issuerOf(certificate: pkijs.Certificate): Promise<pkijs.Certificate> {
    const found = (await this.cas()).find((c) => c.cert.subject.isEqual(certificate.issuer));
    if (!found) throw new TrustError('ERR_TRUST_NOT_OUR_CERTIFICATE', 'the certificate was not issued by this PKI');
    return found.cert;
  }

  /** Our CAs parsed once (the hierarchy never changes once loaded), with CertID hashes per algorithm. */
  private casCache: Promise<Array<{ ca: Authority; cert: pkijs.Certificate; hashes: Map<string, { name: Buffer; key: Buffer }> }>> | undefined;

  private cas(): NonNullable<OcspResponder['casCache']> {
    this.casCache ??= this.pki().then((pki) =>
      [...pki.authorities.values()]
        .filter((a) => a.kind === 'root' || a.kind === 'sub-ca')
        .map((ca) => {
          const cert = pkijsCertificateOf(ca);
          const name = new Uint8Array(cert.subject.toSchema().toBER());
          const key = cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
          const hashes = new Map(Object.entries(HASHES).map(([oid, h]) => [oid, { name: sha(h.node, name), key: sha(h.node, key) }]));
          return { ca, cert, hashes };
        }),
    );
    this.casCache.catch(() => (this.casCache = undefined));
    return this.casCache;
  }

  /** Finds which of our CAs a CertID names, comparing its issuer name and key hashes. */
  private async caFor(certId: pkijs.CertID): Promise<{ ca: Authority; cert: pkijs.Certificate } | null> {
    const nameHash = Buffer.from(certId.issuerNameHash.valueBlock.valueHexView);
    const keyHash = Buffer.from(certId.issuerKeyHash.valueBlock.valueHexView);
    for (const entry of await this.cas()) {
      const h = entry.hashes.get(certId.hashAlgorithm.algorithmId);
      if (h && h.name.equals(nameHash) && h.key.equals(keyHash)) return entry;
    }
    return null;
  }

  private async answer(certIds: pkijs.CertID[], nonce: pkijs.Extension | undefined): Promise<Buffer> {
    // One signer per response: the first CertID's CA answers; CertIDs of other CAs get "unknown".
    const first = certIds[0] ? await this.caFor(certIds[0]) : null;
    if (!first) return status(STATUS.unauthorized);
    const signer = (await this.pki()).authorities.get(ocspSignerOf(first.ca.name));
    if (!signer) return status(STATUS.internalError);
    const now = wholeSeconds(new Date());
    const responses: pkijs.SingleResponse[] = [];
    for (const certId of certIds) {
      const issuer = certId === certIds[0] ? first : await this.caFor(certId);
      let state: CertificateStatus | null = null;
      if (issuer && issuer.ca.name === first.ca.name) {
        const serial = Buffer.from(certId.serialNumber.valueBlock.valueHexView).toString('hex');
        state = serial && serial.length <= 64 ? await this.statusOf(first.ca.name, canonicalSerial(serial)) : null;
      }
      responses.push(new pkijs.SingleResponse({ certID: certId, certStatus: certStatus(state), thisUpdate: now, nextUpdate: new Date(now.getTime() + VALIDITY_MS) }));
    }
    const signerCert = pkijsCertificateOf(signer);
    const basic = new pkijs.BasicOCSPResponse({
      tbsResponseData: new pkijs.ResponseData({
        responderID: new asn1js.OctetString({ valueHex: bytes(sha('sha1', signerCert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)) }),
        producedAt: now,
        responses,
        ...(nonce ? { responseExtensions: [nonce] } : {}),
      }),
      certs: [signerCert],
    });
    await basic.sign(signer.privateKey, 'SHA-256');
    return Buffer.from(
      new pkijs.OCSPResponse({
        responseStatus: new asn1js.Enumerated({ value: STATUS.successful }),
        responseBytes: new pkijs.ResponseBytes({ responseType: OIDS.basic, response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER() }) }),
      })
        .toSchema()
        .toBER(),
    );
  }
}
