import type { Kysely } from 'kysely';
import type { Logger } from '../platform/logger.js';
import type { ApAccount } from './ap-account.js';
import type { MsspTables } from './migrations.js';
import { OPERATOR_INFO, nationalNumber, type OperatorName } from './operators.js';
import { hashOfLength } from './pkcs7.js';
import type { VirtualPhone } from './phone.js';
import {
  buildFault,
  buildResponse,
  envelope,
  MSS_FORMAT_PKCS7,
  parseRequest,
  sniffSoapVersion,
  soapContentType,
  type MssResponse,
  type ProfileReq,
  type SignatureReq,
  type SoapVersion,
  type StatusReq,
} from './protocol.js';
import { MsspError, STATUS, statusName } from './status.js';
import type { Transaction } from './transactions.js';

export interface SoapReply {
  httpStatus: number;
  contentType: string;
  body: string;
}

export interface SimulatorOptions {
  /** Longest a subscriber may take; a request's TimeOut can only shorten it. */
  timeoutSeconds: number;
  /** How often a held synch request looks at the database for the answer. */
  pollMs: number;
}

/**
 * One operator's MSSP: authenticates the AP, records each signature request as a durable transaction for the
 * subscriber's virtual phone, and answers synch requests when the phone does (or time runs out), asynch ones
 * at once with MSSP_TransID for MSS_StatusQuery.
 */
export class OperatorSimulator {
  readonly msspId: string;

  constructor(
    readonly operator: OperatorName,
    private readonly db: Kysely<MsspTables>,
    private readonly phone: VirtualPhone,
    private readonly options: SimulatorOptions,
    private readonly log: Logger,
    publicUrl: string,
    private readonly account: ApAccount,
  ) {
    this.msspId = `${publicUrl}/mssp/${OPERATOR_INFO[operator].slug}`;
  }

  async handle(xml: string, signal?: AbortSignal): Promise<SoapReply> {
    let version: SoapVersion = sniffSoapVersion(xml);
    try {
      const parsed = parseRequest(xml);
      version = parsed.version;
      const { request } = parsed;
      await this.account.authenticate(request.ap.apId, request.ap.apPwd);
      const response =
        request.kind === 'signature' ? await this.signature(request, signal) : request.kind === 'status' ? await this.status(request) : await this.profile(request);
      return { httpStatus: 200, contentType: soapContentType(version), body: envelope(version, buildResponse(response, this.msspId, new Date().toISOString())) };
    } catch (err) {
      if (!(err instanceof MsspError) || err.statusCode === undefined) {
        this.log.error({ err, operator: this.operator }, 'MSSP simulator failed');
        return this.fault(version, STATUS.INTERNAL_ERROR, 'internal error');
      }
      return this.fault(version, err.statusCode, err.message);
    }
  }

  fault(version: SoapVersion, code: number, message: string): SoapReply {
    const { body, httpStatus } = buildFault(version, code, message);
    return { httpStatus, contentType: soapContentType(version), body };
  }

  private async subscriber(msisdn: string) {
    const phone = nationalNumber(msisdn);
    const subscriber = phone ? await this.phone.subscribers.get(phone) : undefined;
    if (!subscriber || subscriber.operator !== this.operator) throw new MsspError('UNKNOWN_CLIENT', `${msisdn} is not a mobile-signature subscriber of ${this.operator}`);
    return subscriber;
  }

  private async signature(req: SignatureReq, signal?: AbortSignal): Promise<MssResponse> {
    const subscriber = await this.subscriber(req.msisdn);
    if (req.signatureProfile !== OPERATOR_INFO[this.operator].signatureProfile) throw new MsspError('UNSUPPORTED_PROFILE', `SignatureProfile ${req.signatureProfile} not offered`);
    if (req.mssFormat !== MSS_FORMAT_PKCS7) throw new MsspError('WRONG_PARAM', `MSS_Format ${req.mssFormat} not supported: only PKCS7`);
    if (!hashOfLength(req.dataToBeSigned.length)) throw new MsspError('WRONG_DATA_LENGTH', 'DataToBeSigned must be a SHA-256, SHA-384 or SHA-512 hash');
    if (subscriber.blocked) throw new MsspError('PIN_NR_BLOCKED', 'the subscriber PIN is blocked');
    const tx = await this.phone.transactions.create({
      operator: this.operator,
      phone: subscriber.phone,
      apId: req.ap.apId,
      apTransId: req.ap.apTransId,
      mode: req.mode,
      digest: req.dataToBeSigned,
      display: req.dataToBeDisplayed,
      profile: req.signatureProfile,
      timeoutSeconds: Math.min(req.timeoutSeconds ?? this.options.timeoutSeconds, this.options.timeoutSeconds),
    });
    this.log.info({ operator: this.operator, msspTransId: tx.id, mode: req.mode }, 'MSS_Signature accepted');
    if (req.mode === 'asynchClientServer') return this.signatureResp(tx, STATUS.REQUEST_OK, req.msisdn);
    const done = await this.waitFor(tx.id, signal);
    return this.outcome(done, STATUS.SIGNATURE, req.msisdn);
  }

  private async status(req: StatusReq): Promise<MssResponse> {
    await this.phone.runPolicies(req.msspTransId);
    const tx = await this.phone.transactions.get(req.msspTransId);
    // Another AP's transaction is as unknown to this AP as one that never existed.
    if (!tx || tx.operator !== this.operator || tx.apId !== req.ap.apId) throw new MsspError('WRONG_PARAM', `unknown MSSP_TransID ${req.msspTransId}`);
    if (tx.state === 'pending') return this.signatureResp(tx, STATUS.OUTSTANDING_TRANSACTION, `+90${tx.phone}`, 'status');
    return this.outcome(tx, STATUS.VALID_SIGNATURE, `+90${tx.phone}`, 'status');
  }

  private async profile(req: ProfileReq): Promise<MssResponse> {
    const subscriber = await this.subscriber(req.msisdn);
    return {
      kind: 'profile',
      apTransId: req.ap.apTransId,
      msisdn: req.msisdn,
      status: { code: STATUS.REQUEST_OK, message: 'REQUEST_OK' },
      signatureProfiles: [OPERATOR_INFO[this.operator].signatureProfile],
      certificates: subscriber.certificates,
    };
  }

  /** Holds a synch request: the phone (any process) or a policy answers, or the transaction expires. */
  private async waitFor(id: string, signal?: AbortSignal): Promise<Transaction> {
    for (;;) {
      await this.phone.runPolicies(id);
      const tx = await this.phone.transactions.get(id);
      if (!tx) throw new MsspError('INTERNAL_ERROR', `transaction ${id} vanished`);
      if (tx.state !== 'pending') return tx;
      if (signal?.aborted) throw new MsspError('INTERNAL_ERROR', 'request no longer held (AP gone or MSSP shutting down); the transaction stays pending');
      await new Promise((r) => setTimeout(r, Math.max(10, Math.min(this.options.pollMs, tx.expiresAt - Date.now() + 5))));
    }
  }

  private outcome(tx: Transaction, signedCode: number, msisdn: string, kind: 'signature' | 'status' = 'signature'): MssResponse {
    if (tx.state === 'signed') return this.signatureResp(tx, signedCode, msisdn, kind);
    const messages: Record<string, string> = {
      refused: 'the user cancelled the signature',
      expired: 'the user did not answer in time',
      blocked: 'the subscriber PIN is blocked',
    };
    throw MsspError.fromStatus(tx.statusCode, messages[tx.state] ?? statusName(tx.statusCode));
  }

  private signatureResp(tx: Transaction, code: number, msisdn: string, kind: 'signature' | 'status' = 'signature'): MssResponse {
    return {
      kind,
      msspTransId: tx.id,
      apTransId: tx.apTransId,
      msisdn,
      status: { code, message: statusName(code) ?? '' },
      signature: code === STATUS.SIGNATURE || code === STATUS.VALID_SIGNATURE ? tx.signature : undefined,
      signatureProfile: tx.profile,
    };
  }
}
