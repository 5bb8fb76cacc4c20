import { randomUUID } from 'node:crypto';
import { extractSignature, type HashName } from './pkcs7.js';
import {
  buildRequest,
  envelope,
  MAX_DISPLAY_CHARS,
  MSS_FORMAT_PKCS7,
  parseResponse,
  soapAction,
  soapContentType,
  type MessagingMode,
  type MssRequest,
  type MssResponse,
  type SignatureResp,
  type SoapVersion,
} from './protocol.js';
import { MsspError, STATUS, statusName } from './status.js';
import { nationalNumber, type OperatorName } from './operators.js';

/** How the e-signature service reaches one operator: a real operator is just another one of these. */
export interface MsspClientConfig {
  operator: OperatorName;
  /** The operator's SOAP endpoint. */
  url: string;
  apId: string;
  apPwd: string;
  /** SignatureProfile URI the operator expects. */
  signatureProfile: string;
  /** MSSP_ID written in MSSP_Info. Default: the URL. */
  msspId?: string;
  soapVersion?: SoapVersion;
  /** Default messaging mode of `sign()`. Default `synch`, as MA3 uses with all three operators. */
  mode?: MessagingMode;
  /** Seconds the subscriber has to answer (the request's TimeOut). Default 120. */
  signatureTimeoutSeconds?: number;
  /** Per-HTTP-call limit for non-blocking calls (status and profile queries, asynch requests). Default 15 s. */
  requestTimeoutMs?: number;
  /** Asynch mode: interval between MSS_StatusQuery calls. Default 1 s. */
  pollIntervalMs?: number;
}

export interface SignRequest {
  /** 5XXXXXXXXX, 05XXXXXXXXX, 905XXXXXXXXX or +905XXXXXXXXX. */
  msisdn: string;
  /** The hash to sign (SHA-256/384/512 by length). */
  digest: Uint8Array;
  /** Shown on the phone, at most 255 characters. */
  display: string;
  mode?: MessagingMode;
  signal?: AbortSignal;
}

/** A completed mobile signature, checked: the signature verifies over the digest with the signer certificate. */
export interface MobileSignature {
  msspTransId: string;
  apTransId: string;
  /** 500 SIGNATURE or 502 VALID_SIGNATURE. */
  statusCode: number;
  /** DER of the operator's CMS SignedData. */
  pkcs7: Buffer;
  /** RSASSA-PKCS1-v1_5 over the digest: the XAdES ds:SignatureValue. */
  signatureValue: Buffer;
  hash: HashName;
  /** DER of the signer's certificate and of every certificate the operator included (signer first). */
  signerCertificate: Buffer;
  certificates: Buffer[];
}

export interface PendingSignature {
  msspTransId: string;
  apTransId: string;
}

export type StatusQueryResult = { state: 'outstanding'; msspTransId: string } | ({ state: 'signed' } & MobileSignature);

/** The international form the operators use on the wire: +905XXXXXXXXX. */
export function toMsisdn(phone: string): string {
  const national = nationalNumber(phone);
  if (!national) throw new MsspError('WRONG_PARAM', `not a Turkish mobile number: ${phone}`);
  return `+90${national}`;
}

/**
 * A client of the ETSI TS 102 204 SOAP interface of one operator. Every failure is an MsspError whose `code`
 * is the operator's status name (USER_CANCEL, EXPIRED_TRANSACTION, UNKNOWN_CLIENT, PIN_NR_BLOCKED, …) or
 * ERR_MSSP_TRANSPORT / ERR_MSSP_RESPONSE / ERR_MSSP_TIMEOUT.
 */
export class MsspClient {
  readonly config: Required<Omit<MsspClientConfig, 'msspId'>> & { msspId: string };

  constructor(config: MsspClientConfig) {
    this.config = {
      soapVersion: '1.1',
      mode: 'synch',
      signatureTimeoutSeconds: 120,
      requestTimeoutMs: 15_000,
      pollIntervalMs: 1_000,
      msspId: config.url,
      ...config,
    };
  }

  get operator(): OperatorName {
    return this.config.operator;
  }

  /** MSS_ProfileQuery: the subscriber's certificates (DER, the signing certificate first). */
  async getCertificates(phone: string, signal?: AbortSignal): Promise<Buffer[]> {
    const resp = await this.call({ kind: 'profile', ap: this.apInfo(), msisdn: toMsisdn(phone) }, this.config.requestTimeoutMs, signal);
    if (resp.kind !== 'profile') throw new MsspError('ERR_MSSP_RESPONSE', 'expected a profile response');
    if (resp.status.code !== STATUS.REQUEST_OK) throw MsspError.fromStatus(resp.status.code, resp.status.message);
    if (resp.certificates.length === 0) throw new MsspError('NO_CERT_FOUND', 'operator returned no certificate');
    return resp.certificates;
  }

  /** Signs and waits for the subscriber: synch holds one request; asynch starts and polls MSS_StatusQuery. */
  async sign(request: SignRequest): Promise<MobileSignature> {
    const mode = request.mode ?? this.config.mode;
    const digest = Buffer.from(request.digest);
    if (mode === 'synch') {
      const resp = await this.call(this.signatureReq(request, 'synch'), this.blockingTimeoutMs(), request.signal);
      return this.completed(resp as SignatureResp, digest);
    }
    const pending = await this.startSignature(request);
    const deadline = Date.now() + this.blockingTimeoutMs();
    for (;;) {
      const result = await this.statusQuery(pending.msspTransId, digest, request.signal);
      if (result.state === 'signed') return result;
      if (Date.now() > deadline) throw new MsspError('ERR_MSSP_TIMEOUT', `no answer for ${pending.msspTransId} in time`);
      await sleep(this.config.pollIntervalMs, request.signal);
    }
  }

  /** Asynch MSS_Signature: the operator accepts (100 REQUEST_OK) and the caller polls `statusQuery`. */
  async startSignature(request: Omit<SignRequest, 'mode'>): Promise<PendingSignature> {
    const resp = (await this.call(this.signatureReq(request, 'asynchClientServer'), this.config.requestTimeoutMs, request.signal)) as SignatureResp;
    if (resp.status.code !== STATUS.REQUEST_OK) throw MsspError.fromStatus(resp.status.code, resp.status.message);
    if (!resp.msspTransId) throw new MsspError('ERR_MSSP_RESPONSE', 'accepted request has no MSSP_TransID');
    return { msspTransId: resp.msspTransId, apTransId: resp.apTransId };
  }

  /** MSS_StatusQuery: outstanding, or the checked signature; refusals and expiry throw their MsspError. */
  async statusQuery(msspTransId: string, digest: Uint8Array, signal?: AbortSignal): Promise<StatusQueryResult> {
    const resp = (await this.call({ kind: 'status', ap: this.apInfo(), msspTransId }, this.config.requestTimeoutMs, signal)) as SignatureResp;
    if (resp.status.code === STATUS.OUTSTANDING_TRANSACTION) return { state: 'outstanding', msspTransId };
    return { state: 'signed', ...this.completed(resp, Buffer.from(digest)) };
  }

  private completed(resp: SignatureResp, digest: Buffer): MobileSignature {
    const { code, message } = resp.status;
    if (code !== STATUS.SIGNATURE && code !== STATUS.VALID_SIGNATURE) throw MsspError.fromStatus(code, message);
    if (!resp.signature) throw new MsspError('ERR_MSSP_RESPONSE', `status ${statusName(code)} without MSS_Signature`);
    const extracted = extractSignature(resp.signature, digest);
    return { msspTransId: resp.msspTransId, apTransId: resp.apTransId, statusCode: code, pkcs7: resp.signature, ...extracted };
  }

  private signatureReq(request: Omit<SignRequest, 'mode'>, mode: MessagingMode): MssRequest {
    if ([...request.display].length > MAX_DISPLAY_CHARS) throw new MsspError('WRONG_DATA_LENGTH', `display text longer than ${MAX_DISPLAY_CHARS} characters`);
    return {
      kind: 'signature',
      ap: this.apInfo(),
      msisdn: toMsisdn(request.msisdn),
      dataToBeSigned: Buffer.from(request.digest),
      dataToBeSignedMimeType: 'application/octet-stream',
      dataToBeDisplayed: request.display,
      signatureProfile: this.config.signatureProfile,
      mssFormat: MSS_FORMAT_PKCS7,
      mode,
      timeoutSeconds: this.config.signatureTimeoutSeconds,
    };
  }

  private apInfo(): MssRequest['ap'] {
    return { apId: this.config.apId, apPwd: this.config.apPwd, apTransId: `_${randomUUID()}`, instant: new Date().toISOString() };
  }

  /** The subscriber's time plus a margin for the network and the operator's own bookkeeping. */
  private blockingTimeoutMs(): number {
    return this.config.signatureTimeoutSeconds * 1000 + this.config.requestTimeoutMs;
  }

  private async call(request: MssRequest, timeoutMs: number, signal?: AbortSignal): Promise<MssResponse> {
    const version = this.config.soapVersion;
    const body = envelope(version, buildRequest(request, this.config.msspId));
    const timeout = AbortSignal.timeout(timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': soapContentType(version), ...(version === '1.1' ? { soapaction: soapAction(request.kind) } : {}) },
        body,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      text = await res.text();
    } catch (err) {
      if (timeout.aborted) throw new MsspError('ERR_MSSP_TIMEOUT', `operator did not answer within ${timeoutMs} ms`, { cause: err });
      throw new MsspError('ERR_MSSP_TRANSPORT', `cannot reach operator at ${this.config.url}: ${(err as Error).message}`, { cause: err });
    }
    // Faults arrive with HTTP 500 (or 400 for SOAP 1.2 Sender faults): the body, not the status, says what happened.
    if (!/xml/i.test(res.headers.get('content-type') ?? '')) {
      throw new MsspError('ERR_MSSP_RESPONSE', `operator answered HTTP ${res.status} without XML`);
    }
    return parseResponse(text, request.kind);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new MsspError('ERR_MSSP_TIMEOUT', 'aborted', { cause: signal.reason }));
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new MsspError('ERR_MSSP_TIMEOUT', 'aborted', { cause: signal.reason }));
    }, { once: true });
  });
}
