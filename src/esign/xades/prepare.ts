import { randomBytes } from 'node:crypto';
import { certDigest, certificateBytes, issuerSerialV2, parseCertificate } from './certs.js';
import { XadesError } from './errors.js';
import { PROFILE_RULES, POLICY_SHA256_HEX, POLICY_URI, resolveOptions, type XadesOptions, type XadesRequest } from './model.js';
import { resolvePath, topLevelSignatures } from './paths.js';
import { envelopedDigest } from './references.js';
import { ALG, NS, XML_DECLARATION, XPATH_NO_SIGNATURES, child, decodeXml, escapeAttr, escapeText, excC14n, findById, looksLikeXml, parseXml, serialize, sha256 } from './xml.js';

/** Where complete puts the finished signature. */
export type Placement =
  | { kind: 'enveloped' }
  | { kind: 'enveloping-xml' }
  | { kind: 'enveloping-binary'; objectId: string }
  | { kind: 'serial'; path: string; signatureValueId: string; addId: boolean };

/**
 * How complete recognises the document it is handed again: by its SHA-256, or, when the enveloped reference's
 * canonical form is one stretch of the document's bytes (the common case), by the bytes around that stretch and
 * the stretch's SHA-256, which is the reference digest prepare computed anyway: one hash of the document fewer.
 */
export type DocumentCheck =
  | { size: number; sha256: string }
  | { size: number; slice: { start: number; end: number; sha256: string; head: string; tail: string } };

/** Bytes around the canonical stretch above this are not kept in the state; the document's own hash is. */
const SLICE_CONTEXT_LIMIT = 16 * 1024;

/**
 * Everything `complete` needs, JSON-serialisable so it can be stored while the operator's subscriber decides.
 * The document itself is not inside (it may be 50 MB): complete is handed it again and checks it is the same.
 */
export interface PendingState {
  version: 1;
  signatureId: string;
  options: XadesOptions;
  /** base64 DER */
  signerCertificate: string;
  signingTime: string;
  document: DocumentCheck;
  placement: Placement;
  /** The ds:Signature element with an empty SignatureValue (and, for binary ENVELOPING, an empty ds:Object). */
  signatureXml: string;
  /** Canonical SignedInfo: the octets the signature value is over. */
  signedInfo: string;
  /** base64 SHA-256 of signedInfo: the operator's DataToBeSigned. */
  digest: string;
  fingerprint: string;
  createdAt: string;
}

export interface Prepared {
  state: PendingState;
  /** SHA-256 of canonical SignedInfo: what an RSASSA-PKCS1-v1_5 signer (the operator) signs. */
  digest: Buffer;
  /** Uppercase hex of digest: what the application and the phone show. */
  fingerprint: string;
}

const XML_MIME = 'text/xml';

/** A ds:Transform, canonical inside SignedInfo. */
function transform(algorithm: string): string {
  return `<ds:Transform Algorithm="${algorithm}"></ds:Transform>`;
}

/** A ds:Reference with SHA-256, canonical inside SignedInfo; `attributes` in canonical order. */
function reference(attributes: string, transforms: string, digest: Buffer): string {
  return `<ds:Reference ${attributes}><ds:Transforms>${transforms}</ds:Transforms><ds:DigestMethod Algorithm="${ALG.sha256}"></ds:DigestMethod><ds:DigestValue>${digest.toString('base64')}</ds:DigestValue></ds:Reference>`;
}

/** DigestMethod (SHA-256) and DigestValue inside SignedProperties, each declaring ds as c14n renders it there. */
function digestAlgAndValue(digest: Buffer): string {
  return `<ds:DigestMethod xmlns:ds="${NS.ds}" Algorithm="${ALG.sha256}"></ds:DigestMethod><ds:DigestValue xmlns:ds="${NS.ds}">${digest.toString('base64')}</ds:DigestValue>`;
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Phase one: builds the complete SignedInfo (document reference and SignedProperties reference) and returns its
 * digest with the state phase two needs. Pure: no I/O, no clock other than `request.signingTime ?? now`.
 */
export function prepare(document: Buffer, request: XadesRequest, signerCertificate: Buffer | string): Prepared {
  const options = resolveOptions(request);
  const cert = parseCertificate(certificateBytes(signerCertificate), 'signer certificate');
  if (cert.x509.publicKey.asymmetricKeyType !== 'rsa') {
    throw new XadesError('ERR_XADES_CERTIFICATE', 'only RSA signer certificates are supported (RSASSA-PKCS1-v1_5 with SHA-256)');
  }
  const id = randomBytes(6).toString('hex');
  const sigId = `Signature-${id}`;
  const spId = `SignedProperties-${id}`;
  const refId = `Reference-${id}`;
  const objId = `Object-${id}`;
  const signingTime = request.signingTime ?? new Date();

  let placement: Placement;
  let check: DocumentCheck | null = null;
  let dataRef = '';
  let objectXml = '';
  let mime = XML_MIME;

  // The SignedInfo children and SignedProperties are written as their own exclusive canonical form (start and end
  // tags, attributes in order, text escaped as c14n does, a namespace declared on each element c14n renders it
  // on), so their digests are over the text itself: no parse of the signature, no canonicaliser.
  if (options.placement.kind === 'SERIAL') {
    const doc = parseXml(decodeXml(document));
    const target = resolvePath(doc, options.placement.path);
    const sv = child(target, NS.ds, 'SignatureValue');
    if (!sv) throw new XadesError('ERR_XADES_DOCUMENT', `signature ${options.placement.path} has no SignatureValue`);
    let svId = sv.getAttribute('Id');
    const addId = !svId;
    if (!svId) {
      // The parent's SignatureValue is not covered by its own signature, so giving it an Id breaks nothing.
      svId = `SignatureValue-${id}-parent`;
      sv.setAttribute('Id', svId);
    }
    placement = { kind: 'serial', path: options.placement.path, signatureValueId: svId, addId };
    dataRef = reference(`Id="${refId}" Type="${ALG.counterSigned}" URI="#${escapeAttr(svId)}"`, transform(ALG.excC14n), sha256(excC14n(sv)));
  } else if (options.mode === 'ENVELOPED') {
    const enveloped = envelopedDigest(document);
    if (enveloped.rootIsSignature) {
      throw new XadesError('ERR_XADES_DOCUMENT', 'the document is an ENVELOPING signature; add a SERIAL signature to it, or sign it ENVELOPED as new content');
    }
    placement = { kind: 'enveloped' };
    const slice = enveloped.slice;
    if (slice && document.length - (slice.end - slice.start) <= SLICE_CONTEXT_LIMIT) {
      const around = { head: document.toString('base64', 0, slice.start), tail: document.toString('base64', slice.end) };
      check = { size: document.length, slice: { start: slice.start, end: slice.end, sha256: enveloped.digest.toString('hex'), ...around } };
    }
    dataRef = reference(`Id="${refId}" URI=""`, `<ds:Transform Algorithm="${ALG.xpath}"><ds:XPath>${XPATH_NO_SIGNATURES}</ds:XPath></ds:Transform>${transform(ALG.excC14n)}`, enveloped.digest);
  } else if (looksLikeXml(document) && !options.envelopingXmlAsBase64) {
    const content = parseXml(decodeXml(document, 'an ENVELOPING XML document'), 'an ENVELOPING XML document');
    if (topLevelSignatures(content).length > 0) {
      throw new XadesError('ERR_XADES_DOCUMENT', 'the document is already signed; a PARALLEL signature beside an ENVELOPING one is not supported: add a SERIAL signature, or sign ENVELOPED');
    }
    placement = { kind: 'enveloping-xml' };
    objectXml = `<ds:Object Id="${objId}" MimeType="${XML_MIME}">${serialize(content.documentElement)}</ds:Object>`;
    // The object's canonical form depends on the bindings in scope, which inside ds:Signature are ds's alone.
    const inSignature = parseXml(`<ds:Signature xmlns:ds="${NS.ds}">${objectXml}</ds:Signature>`, 'prepared signature');
    if (findById(inSignature, spId).length !== 0) throw new XadesError('ERR_XADES_DOCUMENT', 'SignedProperties Id collides with the document');
    dataRef = reference(`Id="${refId}" URI="#${objId}"`, transform(ALG.excC14n), sha256(excC14n(inSignature.documentElement.firstChild as Element)));
  } else {
    placement = { kind: 'enveloping-binary', objectId: objId };
    mime = options.envelopingObjectMimeType;
    objectXml = `<ds:Object Id="${objId}" MimeType="${escapeAttr(mime)}" Encoding="${ALG.base64}"/>`;
    const digest = sha256(document);
    check = { size: document.length, sha256: digest.toString('hex') };
    dataRef = reference(`Id="${refId}" URI="#${objId}"`, transform(ALG.base64), digest);
  }
  check ??= { size: document.length, sha256: sha256(document).toString('hex') };

  const rule = options.profile ? PROFILE_RULES[options.profile] : null;
  const policy = rule?.policyOid
    ? `<xades:SignaturePolicyIdentifier><xades:SignaturePolicyId><xades:SigPolicyId><xades:Identifier Qualifier="OIDAsURN">urn:oid:${rule.policyOid}</xades:Identifier></xades:SigPolicyId><xades:SigPolicyHash>${digestAlgAndValue(Buffer.from(POLICY_SHA256_HEX, 'hex'))}</xades:SigPolicyHash><xades:SigPolicyQualifiers><xades:SigPolicyQualifier><xades:SPURI>${POLICY_URI}</xades:SPURI></xades:SigPolicyQualifier></xades:SigPolicyQualifiers></xades:SignaturePolicyId></xades:SignaturePolicyIdentifier>`
    : '';
  const dataObjectFormat =
    placement.kind === 'serial'
      ? ''
      : `<xades:SignedDataObjectProperties><xades:DataObjectFormat ObjectReference="#${refId}"><xades:MimeType>${escapeText(mime)}</xades:MimeType></xades:DataObjectFormat></xades:SignedDataObjectProperties>`;
  const signedProperties =
    `<xades:SignedProperties xmlns:xades="${NS.xades}" Id="${spId}"><xades:SignedSignatureProperties>` +
    `<xades:SigningTime>${isoSeconds(signingTime)}</xades:SigningTime>` +
    `<xades:SigningCertificateV2><xades:Cert><xades:CertDigest>${digestAlgAndValue(certDigest(cert))}</xades:CertDigest><xades:IssuerSerialV2>${issuerSerialV2(cert)}</xades:IssuerSerialV2></xades:Cert></xades:SigningCertificateV2>` +
    policy +
    `</xades:SignedSignatureProperties>${dataObjectFormat}</xades:SignedProperties>`;

  const signedInfoContent =
    `<ds:CanonicalizationMethod Algorithm="${ALG.excC14n}"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm="${ALG.rsaSha256}"></ds:SignatureMethod>` +
    dataRef +
    reference(`Type="${ALG.signedProperties}" URI="#${spId}"`, transform(ALG.excC14n), sha256(signedProperties));
  const signedInfo = `<ds:SignedInfo xmlns:ds="${NS.ds}">${signedInfoContent}</ds:SignedInfo>`;
  // As serialize writes a document, with the SignatureValue empty-element tag complete fills.
  const signatureXml =
    XML_DECLARATION +
    `<ds:Signature xmlns:ds="${NS.ds}" Id="${sigId}">` +
    `<ds:SignedInfo>${signedInfoContent}</ds:SignedInfo>` +
    `<ds:SignatureValue Id="SignatureValue-${id}"/>` +
    `<ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert.der.toString('base64')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>` +
    objectXml +
    `<ds:Object><xades:QualifyingProperties xmlns:xades="${NS.xades}" Target="#${sigId}">${signedProperties}</xades:QualifyingProperties></ds:Object>` +
    `</ds:Signature>`;
  const digest = sha256(signedInfo);
  const fingerprint = digest.toString('hex').toUpperCase();
  return {
    digest,
    fingerprint,
    state: {
      version: 1,
      signatureId: sigId,
      options,
      signerCertificate: cert.der.toString('base64'),
      signingTime: isoSeconds(signingTime),
      document: check,
      placement,
      signatureXml,
      signedInfo,
      digest: digest.toString('base64'),
      fingerprint,
      createdAt: new Date().toISOString(),
    },
  };
}
