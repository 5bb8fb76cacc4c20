import * as asn1js from 'asn1js';
import { bytes, HASHES, hashOid, pkijs, sha } from './crypto.js';
import { TrustError } from './errors.js';
import { OID } from './extensions.js';
import { pkijsCertificateOf, type Authority } from './hierarchy.js';

/** What a time-stamp covers: a hash algorithm (name like 'SHA-256' or an OID) and the digest. */
export interface MessageImprint {
  hashAlgorithm: string;
  hash: Uint8Array;
}

export interface TimestampOptions {
  /** Echoed in the TSTInfo. */
  nonce?: bigint;
  /** Include the TSA certificate in the token (default true). */
  certReq?: boolean;
}

const OIDS = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};

/** PKIFailureInfo bits (RFC 3161 §2.4.2). */
const FAIL = { badAlg: 0, badRequest: 2, badDataFormat: 5, unacceptedPolicy: 15, unacceptedExtension: 16, systemFailure: 25 } as const;
type FailReason = keyof typeof FAIL;

class Rejection extends Error {
  constructor(
    readonly reason: FailReason,
    message: string,
  ) {
    super(message);
  }
}

/** Named-bit BIT STRING with only `bit` set, DER-minimal (trailing unused bits counted). */
function failInfo(bit: number): asn1js.BitString {
  const octets = new Uint8Array(Math.floor(bit / 8) + 1);
  octets[octets.length - 1] = 0x80 >> bit % 8;
  return new asn1js.BitString({ valueHex: octets, unusedBits: 7 - (bit % 8) });
}

/**
 * RFC 3161 time-stamping unit: TSTInfo in a CMS SignedData, signed attributes contentType, messageDigest,
 * signingTime and signingCertificateV2 (ESSCertIDv2 over the TSA certificate, as RFC 5816 asks).
 */
export class TimeStampAuthority {
  constructor(
    private readonly signer: () => Promise<Authority>,
    private readonly nextSerial: () => Promise<number>,
  ) {}

  /** A TimeStampToken (ContentInfo DER) over the imprint. Throws ERR_TRUST_BAD_INPUT on a bad imprint. */
  async token(imprint: MessageImprint, options: TimestampOptions = {}): Promise<Buffer> {
    const oid = hashOid(imprint.hashAlgorithm);
    if (imprint.hash.length !== HASHES[oid]?.length) throw new TrustError('ERR_TRUST_BAD_INPUT', `a ${imprint.hashAlgorithm} digest has ${HASHES[oid]?.length} bytes, got ${imprint.hash.length}`);
    const messageImprint = new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: bytes(imprint.hash) }),
    });
    const nonce = options.nonce === undefined ? undefined : asn1js.Integer.fromBigInt(options.nonce);
    const info = await this.sign(messageImprint, nonce, options.certReq ?? true);
    return Buffer.from(info.toSchema().toBER());
  }

  /** Answers a DER TimeStampReq with a DER TimeStampResp; bad requests get a rejection, never an exception. */
  async respond(requestDer: Uint8Array): Promise<Buffer> {
    let request: pkijs.TimeStampReq;
    try {
      request = this.check(requestDer);
    } catch (err) {
      if (!(err instanceof Rejection)) throw err;
      return rejection(err.reason, err.message);
    }
    const token = await this.sign(request.messageImprint, request.nonce, request.certReq ?? false);
    const response = new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: pkijs.PKIStatus.granted }), timeStampToken: token });
    return Buffer.from(response.toSchema().toBER());
  }

  private check(der: Uint8Array): pkijs.TimeStampReq {
    let request: pkijs.TimeStampReq;
    try {
      request = pkijs.TimeStampReq.fromBER(bytes(der));
    } catch {
      throw new Rejection('badDataFormat', 'body is not a DER TimeStampReq');
    }
    if (request.version !== 1) throw new Rejection('badRequest', `unsupported version ${request.version}`);
    const oid = request.messageImprint.hashAlgorithm.algorithmId;
    const hash = HASHES[oid];
    if (!hash) throw new Rejection('badAlg', `unsupported hash algorithm ${oid}`);
    if (request.messageImprint.hashedMessage.valueBlock.valueHexView.byteLength !== hash.length) {
      throw new Rejection('badDataFormat', `message imprint is not a ${hash.webName} digest`);
    }
    if (request.reqPolicy && request.reqPolicy !== OID.tsaPolicy) throw new Rejection('unacceptedPolicy', `this TSA only issues under policy ${OID.tsaPolicy}`);
    if (request.extensions?.length) throw new Rejection('unacceptedExtension', 'request extensions are not supported');
    return request;
  }

  private async sign(messageImprint: pkijs.MessageImprint, nonce: asn1js.Integer | undefined, certReq: boolean): Promise<pkijs.ContentInfo> {
    const tsa = await this.signer();
    const tsaCert = pkijsCertificateOf(tsa);
    const genTime = new Date();
    const tstInfo = new pkijs.TSTInfo({
      version: 1,
      policy: OID.tsaPolicy,
      messageImprint,
      serialNumber: asn1js.Integer.fromBigInt(BigInt(await this.nextSerial())),
      genTime,
      accuracy: new pkijs.Accuracy({ seconds: 1 }),
      ...(nonce ? { nonce } : {}),
      tsa: new pkijs.GeneralName({ type: 4, value: tsaCert.subject }),
    });
    const content = tstInfo.toSchema().toBER();
    const attribute = (type: string, value: asn1js.AsnType): pkijs.Attribute => new pkijs.Attribute({ type, values: [value] });
    const essCertIdV2 = new asn1js.Sequence({
      value: [
        // hashAlgorithm omitted: SHA-256 is the DEFAULT, and DER leaves defaults out.
        new asn1js.OctetString({ valueHex: bytes(sha('sha256', new Uint8Array(tsa.certificate.rawData))) }),
        new asn1js.Sequence({
          value: [
            new asn1js.Sequence({ value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [tsaCert.issuer.toSchema()] })] }),
            tsaCert.serialNumber,
          ],
        }),
      ],
    });
    const signedData = new pkijs.SignedData({
      version: 3,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OIDS.tstInfo, eContent: new asn1js.OctetString({ valueHex: content }) }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: tsaCert.issuer, serialNumber: tsaCert.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              attribute(OIDS.contentType, new asn1js.ObjectIdentifier({ value: OIDS.tstInfo })),
              attribute(OIDS.signingTime, new asn1js.UTCTime({ valueDate: genTime })),
              attribute(OIDS.messageDigest, new asn1js.OctetString({ valueHex: bytes(sha('sha256', new Uint8Array(content))) })),
              attribute(OIDS.signingCertificateV2, new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] })),
            ],
          }),
        }),
      ],
      ...(certReq ? { certificates: [tsaCert] } : {}),
    });
    await signedData.sign(tsa.privateKey, 0, 'SHA-256');
    const schema = signedData.toSchema(true);
    primitiveEContent(schema, content);
    return new pkijs.ContentInfo({ contentType: OIDS.signedData, content: schema });
  }
}

/**
 * pkijs writes eContent as a constructed OCTET STRING in 64 kB pieces, which is BER; tokens are expected in DER,
 * and stricter readers (pkijs's own SignedData.verify among them) cannot read the TSTInfo out of the constructed
 * form. Puts it back as one primitive OCTET STRING inside the [0] of the encapContentInfo.
 */
function primitiveEContent(signedDataSchema: asn1js.Sequence, content: ArrayBuffer): void {
  const encapContentInfo = signedDataSchema.valueBlock.value[2] as asn1js.Sequence;
  const explicit = encapContentInfo.valueBlock.value[1] as asn1js.Constructed;
  explicit.valueBlock.value = [new asn1js.OctetString({ valueHex: content })];
}

function rejection(reason: FailReason, message: string): Buffer {
  const status = new pkijs.PKIStatusInfo({
    status: pkijs.PKIStatus.rejection,
    statusStrings: [new asn1js.Utf8String({ value: message })],
    failInfo: failInfo(FAIL[reason]),
  });
  return Buffer.from(new pkijs.TimeStampResp({ status }).toSchema().toBER());
}
