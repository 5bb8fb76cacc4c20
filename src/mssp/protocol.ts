import { isSenderFault, MsspError, statusName } from './status.js';
import { child, childElements, descendant, esc, parseXml, text, XmlError, type XmlElement } from './xml.js';

/**
 * The ETSI TS 102 204 v1.1.2 SOAP binding, both directions: what the client writes and the simulator reads,
 * and back. Requests are document/literal: Body > MSS_Signature > MSS_SignatureReq, answered by
 * Body > MSS_SignatureResponse > MSS_SignatureResp (likewise StatusQuery and ProfileQuery).
 */
export const MSS_NS = 'http://uri.etsi.org/TS102204/v1.1.2#';
export const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_NS = 'http://www.w3.org/2003/05/soap-envelope';
export const XMLDSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const MSS_FORMAT_PKCS7 = `${MSS_NS}PKCS7`;

export type SoapVersion = '1.1' | '1.2';
export type MessagingMode = 'synch' | 'asynchClientServer';
export const MAX_DISPLAY_CHARS = 255;

export interface ApInfo {
  apId: string;
  apPwd: string;
  apTransId: string;
  /** ISO 8601 time the AP sent the request. */
  instant: string;
}

export interface SignatureReq {
  kind: 'signature';
  ap: ApInfo;
  msisdn: string;
  /** The bytes the user's key signs: here always a hash (Base64 on the wire). */
  dataToBeSigned: Buffer;
  dataToBeSignedMimeType: string;
  dataToBeDisplayed: string;
  signatureProfile: string;
  mssFormat: string;
  mode: MessagingMode;
  /** Seconds the AP is willing to wait; the MSSP may cap it. */
  timeoutSeconds: number | undefined;
}

export interface StatusReq {
  kind: 'status';
  ap: ApInfo;
  msspTransId: string;
}

export interface ProfileReq {
  kind: 'profile';
  ap: ApInfo;
  msisdn: string;
}

export type MssRequest = SignatureReq | StatusReq | ProfileReq;

export interface Status {
  code: number;
  message: string;
}

export interface SignatureResp {
  kind: 'signature' | 'status';
  msspTransId: string;
  apTransId: string;
  msisdn: string;
  status: Status;
  /** DER of the CMS SignedData, present with 500 SIGNATURE / 502 VALID_SIGNATURE. */
  signature: Buffer | undefined;
  signatureProfile: string | undefined;
}

export interface ProfileResp {
  kind: 'profile';
  apTransId: string;
  msisdn: string;
  status: Status;
  signatureProfiles: string[];
  /** DER certificates, the subscriber's first. */
  certificates: Buffer[];
}

export type MssResponse = SignatureResp | ProfileResp;

const OPS = {
  signature: { wrapper: 'MSS_Signature', req: 'MSS_SignatureReq', respWrapper: 'MSS_SignatureResponse', resp: 'MSS_SignatureResp' },
  status: { wrapper: 'MSS_StatusQuery', req: 'MSS_StatusReq', respWrapper: 'MSS_StatusQueryResponse', resp: 'MSS_StatusResp' },
  profile: { wrapper: 'MSS_ProfileQuery', req: 'MSS_ProfileReq', respWrapper: 'MSS_ProfileQueryResponse', resp: 'MSS_ProfileResp' },
} as const;

/** SOAPAction of an operation, as the ETSI WSDL names it (sent with SOAP 1.1). */
export function soapAction(kind: MssRequest['kind']): string {
  return `"#${OPS[kind].wrapper}"`;
}

export function soapContentType(version: SoapVersion): string {
  return version === '1.2' ? 'application/soap+xml; charset=utf-8' : 'text/xml; charset=utf-8';
}

export function envelope(version: SoapVersion, body: string): string {
  const ns = version === '1.2' ? SOAP12_NS : SOAP11_NS;
  return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="${ns}" xmlns:mss="${MSS_NS}"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

function apInfoXml(ap: ApInfo): string {
  return `<mss:AP_Info AP_ID="${esc(ap.apId)}" AP_TransID="${esc(ap.apTransId)}" AP_PWD="${esc(ap.apPwd)}" Instant="${esc(ap.instant)}"/>`;
}

function msspInfoXml(msspId: string, instant: string): string {
  return `<mss:MSSP_Info Instant="${esc(instant)}"><mss:MSSP_ID><mss:URI>${esc(msspId)}</mss:URI></mss:MSSP_ID></mss:MSSP_Info>`;
}

const VERSION_ATTRS = 'MajorVersion="1" MinorVersion="1"';

// ---- requests (written by the client) ----

export function buildRequest(req: MssRequest, msspId: string): string {
  const op = OPS[req.kind];
  const head = `${apInfoXml(req.ap)}${msspInfoXml(msspId, req.ap.instant)}`;
  let inner: string;
  let attrs = VERSION_ATTRS;
  if (req.kind === 'signature') {
    attrs += ` MessagingMode="${esc(req.mode)}"${req.timeoutSeconds === undefined ? '' : ` TimeOut="${esc(req.timeoutSeconds)}"`}`;
    inner =
      `${head}<mss:MobileUser><mss:MSISDN>${esc(req.msisdn)}</mss:MSISDN></mss:MobileUser>` +
      `<mss:DataToBeSigned MimeType="${esc(req.dataToBeSignedMimeType)}" Encoding="base64">${req.dataToBeSigned.toString('base64')}</mss:DataToBeSigned>` +
      `<mss:DataToBeDisplayed MimeType="text/plain" Encoding="UTF-8">${esc(req.dataToBeDisplayed)}</mss:DataToBeDisplayed>` +
      `<mss:SignatureProfile><mss:mssURI>${esc(req.signatureProfile)}</mss:mssURI></mss:SignatureProfile>` +
      `<mss:MSS_Format><mss:mssURI>${esc(req.mssFormat)}</mss:mssURI></mss:MSS_Format>`;
  } else if (req.kind === 'status') {
    attrs += ` MSSP_TransID="${esc(req.msspTransId)}"`;
    inner = head;
  } else {
    inner = `${head}<mss:MobileUser><mss:MSISDN>${esc(req.msisdn)}</mss:MSISDN></mss:MobileUser>`;
  }
  return `<mss:${op.wrapper}><mss:${op.req} ${attrs}>${inner}</mss:${op.req}></mss:${op.wrapper}>`;
}

// ---- responses (written by the simulator) ----

function statusXml(status: Status, detail = ''): string {
  return `<mss:Status><mss:StatusCode Value="${status.code}"/><mss:StatusMessage>${esc(status.message)}</mss:StatusMessage>${detail}</mss:Status>`;
}

export function buildResponse(resp: MssResponse, msspId: string, instant: string): string {
  const op = OPS[resp.kind];
  const ap = `<mss:AP_Info AP_ID="" AP_TransID="${esc(resp.apTransId)}" Instant="${esc(instant)}"/>`;
  const user = `<mss:MobileUser><mss:MSISDN>${esc(resp.msisdn)}</mss:MSISDN></mss:MobileUser>`;
  let attrs = VERSION_ATTRS;
  let inner: string;
  if (resp.kind === 'profile') {
    const certs = resp.certificates.map((c) => `<mss:X509Certificate>${c.toString('base64')}</mss:X509Certificate>`).join('');
    const detail = certs ? `<mss:StatusDetail><mss:MobileUserCertificate>${certs}</mss:MobileUserCertificate></mss:StatusDetail>` : '';
    inner =
      `${ap}${msspInfoXml(msspId, instant)}` +
      resp.signatureProfiles.map((p) => `<mss:SignatureProfile><mss:mssURI>${esc(p)}</mss:mssURI></mss:SignatureProfile>`).join('') +
      statusXml(resp.status, detail);
  } else {
    attrs += ` MSSP_TransID="${esc(resp.msspTransId)}"`;
    inner =
      `${ap}${msspInfoXml(msspId, instant)}${user}` +
      (resp.signature ? `<mss:MSS_Signature><mss:Base64Signature>${resp.signature.toString('base64')}</mss:Base64Signature></mss:MSS_Signature>` : '') +
      (resp.signatureProfile ? `<mss:SignatureProfile><mss:mssURI>${esc(resp.signatureProfile)}</mss:mssURI></mss:SignatureProfile>` : '') +
      statusXml(resp.status);
  }
  return `<mss:${op.respWrapper}><mss:${op.resp} ${attrs}>${inner}</mss:${op.resp}></mss:${op.respWrapper}>`;
}

/**
 * A fault as ETSI TS 102 204 §8.2 writes it: SOAP 1.2 Code Sender|Receiver with Subcode mss:_NNN; SOAP 1.1
 * faultcode mss:_NNN. HTTP status: 500, except SOAP 1.2 Sender faults, which its HTTP binding sends as 400.
 */
export function buildFault(version: SoapVersion, code: number, message: string): { body: string; httpStatus: number } {
  const detail = `<mss:Detail>${esc(statusName(code) ?? String(code))}</mss:Detail>`;
  if (version === '1.2') {
    const sender = isSenderFault(code);
    return {
      httpStatus: sender ? 400 : 500,
      body: envelope(
        version,
        `<soap:Fault><soap:Code><soap:Value>soap:${sender ? 'Sender' : 'Receiver'}</soap:Value><soap:Subcode><soap:Value>mss:_${code}</soap:Value></soap:Subcode></soap:Code>` +
          `<soap:Reason><soap:Text xml:lang="en">${esc(message)}</soap:Text></soap:Reason><soap:Detail>${detail}</soap:Detail></soap:Fault>`,
      ),
    };
  }
  return {
    httpStatus: 500,
    body: envelope(version, `<soap:Fault><faultcode>mss:_${code}</faultcode><faultstring>${esc(message)}</faultstring><detail>${detail}</detail></soap:Fault>`),
  };
}

// ---- parsing ----

function soapBody(xml: string): { version: SoapVersion; body: XmlElement } {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (err) {
    throw new MsspError('WRONG_PARAM', err instanceof XmlError ? err.message : 'malformed XML', { cause: err });
  }
  const version: SoapVersion | undefined =
    root.namespaceURI === SOAP11_NS ? '1.1' : root.namespaceURI === SOAP12_NS ? '1.2' : undefined;
  if (root.localName !== 'Envelope' || !version) throw new MsspError('INCOMPATIBLE_INTERFACE', 'not a SOAP 1.1 or 1.2 envelope');
  const body = child(root, 'Body', root.namespaceURI ?? undefined);
  if (!body) throw new MsspError('MISSING_PARAM', 'SOAP Body missing');
  return { version, body };
}

/** The SOAP version of an envelope, when it is one, so a fault can answer in kind even if parsing fails later. */
export function sniffSoapVersion(xml: string): SoapVersion {
  return xml.includes(SOAP12_NS) ? '1.2' : '1.1';
}

function attr(el: XmlElement, name: string): string | undefined {
  return el.hasAttribute(name) ? el.getAttribute(name) ?? undefined : undefined;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new MsspError('MISSING_PARAM', `${what} missing`);
  return value;
}

function parseApInfo(req: XmlElement): ApInfo {
  const ap = child(req, 'AP_Info', MSS_NS);
  if (!ap) throw new MsspError('MISSING_PARAM', 'AP_Info missing');
  return {
    apId: required(attr(ap, 'AP_ID'), 'AP_Info/@AP_ID'),
    apPwd: attr(ap, 'AP_PWD') ?? '',
    apTransId: required(attr(ap, 'AP_TransID'), 'AP_Info/@AP_TransID'),
    instant: required(attr(ap, 'Instant'), 'AP_Info/@Instant'),
  };
}

function mssUri(parent: XmlElement, name: string): string | undefined {
  const el = child(parent, name, MSS_NS);
  return el ? text(child(el, 'mssURI', MSS_NS)) ?? text(el) : undefined;
}

const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** The simulator's reading of a request; protocol problems come out as MsspError with the ETSI status. */
export function parseRequest(xml: string): { version: SoapVersion; request: MssRequest } {
  const { version, body } = soapBody(xml);
  const wrapper = childElements(body)[0];
  const kind = (Object.keys(OPS) as Array<keyof typeof OPS>).find(
    (k) => wrapper?.namespaceURI === MSS_NS && (wrapper.localName === OPS[k].wrapper || wrapper.localName === OPS[k].req),
  );
  if (!wrapper || !kind) throw new MsspError('INCOMPATIBLE_INTERFACE', 'unknown operation: expected MSS_Signature, MSS_StatusQuery or MSS_ProfileQuery');
  const req = wrapper.localName === OPS[kind].req ? wrapper : child(wrapper, OPS[kind].req, MSS_NS);
  if (!req) throw new MsspError('MISSING_PARAM', `${OPS[kind].req} missing`);
  const ap = parseApInfo(req);
  if (kind === 'status') {
    return { version, request: { kind, ap, msspTransId: required(attr(req, 'MSSP_TransID'), 'MSSP_TransID') } };
  }
  const msisdn = required(text(descendant(req, 'MSISDN', MSS_NS)), 'MobileUser/MSISDN');
  if (kind === 'profile') return { version, request: { kind, ap, msisdn } };

  const dtbs = child(req, 'DataToBeSigned', MSS_NS);
  const raw = required(text(dtbs), 'DataToBeSigned');
  if (!BASE64.test(raw)) throw new MsspError('WRONG_PARAM', 'DataToBeSigned is not Base64');
  const display = child(req, 'DataToBeDisplayed', MSS_NS)?.textContent ?? '';
  if ([...display].length > MAX_DISPLAY_CHARS) throw new MsspError('WRONG_DATA_LENGTH', `DataToBeDisplayed longer than ${MAX_DISPLAY_CHARS} characters`);
  const mode = attr(req, 'MessagingMode') ?? 'synch';
  if (mode !== 'synch' && mode !== 'asynchClientServer') throw new MsspError('WRONG_PARAM', `MessagingMode ${mode} not supported`);
  const timeoutRaw = attr(req, 'TimeOut');
  const timeoutSeconds = timeoutRaw === undefined ? undefined : Number(timeoutRaw);
  if (timeoutSeconds !== undefined && !(Number.isInteger(timeoutSeconds) && timeoutSeconds > 0)) throw new MsspError('WRONG_PARAM', 'TimeOut must be a positive integer');
  return {
    version,
    request: {
      kind,
      ap,
      msisdn,
      dataToBeSigned: Buffer.from(raw, 'base64'),
      dataToBeSignedMimeType: dtbs?.getAttribute('MimeType') || 'application/octet-stream',
      dataToBeDisplayed: display,
      signatureProfile: required(mssUri(req, 'SignatureProfile'), 'SignatureProfile'),
      mssFormat: mssUri(req, 'MSS_Format') ?? MSS_FORMAT_PKCS7,
      mode,
      timeoutSeconds,
    },
  };
}

function parseStatus(resp: XmlElement): Status {
  const status = child(resp, 'Status', MSS_NS);
  const code = Number(child(status ?? resp, 'StatusCode', MSS_NS)?.getAttribute('Value'));
  if (!status || !Number.isInteger(code)) throw new MsspError('ERR_MSSP_RESPONSE', 'response has no Status/StatusCode');
  return { code, message: text(child(status, 'StatusMessage', MSS_NS)) ?? statusName(code) ?? '' };
}

/** Turns a SOAP Fault (1.1 or 1.2) into the MsspError it stands for. */
function faultError(fault: XmlElement): MsspError {
  const codes = [
    text(descendant(fault, 'faultcode')),
    ...Array.from(fault.getElementsByTagNameNS('*', 'Value')).map((v) => text(v)),
  ];
  const message = text(descendant(fault, 'faultstring')) ?? text(descendant(fault, 'Text')) ?? 'SOAP fault';
  for (const c of codes) {
    const m = c ? /_(\d{3})$/.exec(c) : null;
    if (m?.[1]) return MsspError.fromStatus(Number(m[1]), message);
  }
  return new MsspError('ERR_MSSP_RESPONSE', `SOAP fault without an MSS status: ${message}`);
}

/** The client's reading of a response; a fault becomes the MsspError it carries. */
export function parseResponse(xml: string, kind: MssRequest['kind']): MssResponse {
  let parsed: { body: XmlElement };
  try {
    parsed = soapBody(xml);
  } catch (err) {
    throw new MsspError('ERR_MSSP_RESPONSE', `unreadable operator response: ${(err as Error).message}`, { cause: err });
  }
  const first = childElements(parsed.body)[0];
  if (first?.localName === 'Fault') throw faultError(first);
  const op = OPS[kind];
  const resp = first?.localName === op.resp ? first : first ? child(first, op.resp, MSS_NS) : undefined;
  if (!resp) throw new MsspError('ERR_MSSP_RESPONSE', `response has no ${op.resp}`);
  const ap = child(resp, 'AP_Info', MSS_NS);
  const apTransId = ap?.getAttribute('AP_TransID') ?? '';
  const msisdn = text(descendant(resp, 'MSISDN', MSS_NS)) ?? '';
  const status = parseStatus(resp);
  if (kind === 'profile') {
    const certs = Array.from(resp.getElementsByTagNameNS(MSS_NS, 'X509Certificate')).map((c) => Buffer.from(text(c) ?? '', 'base64'));
    const profiles = childElements(resp)
      .filter((e) => e.localName === 'SignatureProfile')
      .map((e) => text(child(e, 'mssURI', MSS_NS)) ?? text(e) ?? '');
    return { kind, apTransId, msisdn, status, signatureProfiles: profiles, certificates: certs };
  }
  const b64 = text(descendant(resp, 'Base64Signature', MSS_NS));
  return {
    kind,
    msspTransId: resp.getAttribute('MSSP_TransID') ?? '',
    apTransId,
    msisdn,
    status,
    signature: b64 ? Buffer.from(b64, 'base64') : undefined,
    signatureProfile: mssUri(resp, 'SignatureProfile'),
  };
}
