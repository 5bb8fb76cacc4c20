import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import os from 'node:os';
import { buffer } from 'node:stream/consumers';
import { ConcurrencyLimit } from '../../platform/limiter.js';
import type { Logger } from '../../platform/logger.js';
import { EsignError } from '../errors.js';
import { Idempotency } from '../idempotency.js';
import type { EsignServices } from '../services.js';
import {
  MobileOperatorError,
  SigningInputError,
  type DocumentSigning,
  type MobileOperator,
  type MobileOperators,
  type SignatureFormat,
  type SignatureListEntry,
  type SigningOptions,
} from './ports.js';
import type { MobileSigning, MobileSignings, SigningState } from './signings.js';

/** What SignStepOne asks for, after the route has mapped v1 or v2 fields onto it. */
export interface MobileSignRequest {
  /** The document to sign (an upload, or an earlier signed version). */
  operationId: string;
  phone: string;
  operator: MobileOperator;
  userPrompt: string;
  citizenshipNo: string | null;
  format: SignatureFormat;
  options: SigningOptions;
  requestId: string;
  /** v1 cerBytes: the certificate the client expects the operator to use (checked, not trusted). */
  expectedCertificate?: Buffer;
  /** v1 signatureIndex: the position the new signature takes among the document's top-level signatures. */
  signatureIndex?: number;
  /** Route and body, to tell a retried requestId from a conflicting one. */
  route: string;
  body: Record<string, unknown>;
}

/** After the operator's own time-out, how long a signing may still wait for a straggling answer. */
const DEADLINE_MARGIN_MS = 30_000;
/** A waiting SignStepOne also re-reads the record this often, for signings another process drives. */
const WAIT_RECHECK_MS = 500;

/** The five states an operation shows; the signing keeps the finer reason for SignStepOne's answer. */
const OPERATION_STATE: Record<Exclude<SigningState, 'waiting' | 'signed'>, string> = {
  refused: 'refused',
  expired: 'expired',
  unknownSubscriber: 'failed',
  pinBlocked: 'failed',
  failed: 'failed',
};

export function isFinal(signing: MobileSigning): boolean {
  return signing.state !== 'waiting';
}

/**
 * Mobile signing (XAdES or CAdES) as durable background work. SignStepOne prepares the signature, records the signing and
 * a content-less operation for the signed document, and this class drives the operator transaction to its one
 * outcome whether or not anyone still waits for the answer. A process drives a signing under a lease it renews;
 * after a crash the lease lapses and a process running `start()` resumes the operator transaction by its id.
 */
export class MobileSigner {
  private readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly driving = new Map<string, Promise<void>>();
  private readonly ended = new EventEmitter().setMaxListeners(0);
  /** Preparing holds the whole document in memory: a burst of SignStepOne calls takes turns, not all the heap. */
  private readonly preparing = new ConcurrencyLimit(4);
  /** Bumped by stop(): runs of an earlier generation end at their next step (their leases then lapse). */
  private generation = 0;

  constructor(
    readonly signings: MobileSignings,
    private readonly services: EsignServices,
    private readonly operators: MobileOperators,
    private readonly formats: Record<SignatureFormat, DocumentSigning>,
    private readonly log: Logger,
  ) {}

  /**
   * Starts a signing (or finds the one this requestId already started) and returns it without waiting for the
   * subscriber. Everything the client got wrong fails here, before anything is stored.
   */
  async begin(tenantId: string, request: MobileSignRequest): Promise<MobileSigning> {
    const bodyHash = Idempotency.bodyHash(request.route, request.body);
    const earlier = await this.signings.byRequest(tenantId, request.requestId);
    if (earlier) return this.repeat(earlier, bodyHash, request.requestId);

    const { operations, settings } = this.services;
    const source = await operations.require(tenantId, request.operationId);
    if (!source.hasContent) throw new EsignError('operationNotReady', { state: source.state });
    if ((source.size ?? 0) > settings.maxSignBytes) throw new EsignError('documentTooLargeToSign', { max: settings.maxSignBytes });

    const certificates = await this.operatorCall(request.operator, request.phone, () => this.operators.certificates(request.operator, request.phone));
    const signer = certificates[0] as Buffer;
    if (request.expectedCertificate && !request.expectedCertificate.equals(signer)) throw new EsignError('certificateMismatch');
    if (request.citizenshipNo !== null && request.citizenshipNo !== this.operators.citizenshipNo(signer)) throw new EsignError('citizenshipMismatch');

    const prepared = await this.preparing.run(async () => {
      const document = await buffer((await operations.openContent(tenantId, source.id)).stream);
      if (request.signatureIndex !== undefined) await this.checkSignatureIndex(request.format, document, request.signatureIndex);
      return this.prepare(request.format, document, request.options, signer);
    });
    const result = await operations.create(tenantId, { kind: 'signed', state: 'waiting', fileName: source.fileName, parentId: source.id });
    const signing = {
      id: result.id,
      tenantId,
      sourceId: source.id,
      requestId: request.requestId,
      bodyHash,
      format: request.format,
      operator: request.operator,
      phone: request.phone,
      pendingId: prepared.pendingId,
      digest: prepared.digest,
      fingerprint: prepared.fingerprint,
      display: request.userPrompt,
      deadline: Date.now() + this.operators.timeoutSeconds(request.operator) * 1000 + DEADLINE_MARGIN_MS,
    };
    if (!(await this.signings.insert(signing, this.owner, settings.mobileLeaseMs))) {
      // The same requestId raced us in: theirs stands, ours is undone.
      await this.formats[request.format].release(prepared.pendingId);
      await operations.setState(tenantId, result.id, 'failed', `duplicate of requestId ${request.requestId}`);
      const winner = await this.signings.byRequest(tenantId, request.requestId);
      if (!winner) throw new EsignError('requestInProgress', { id: request.requestId });
      return this.repeat(winner, bodyHash, request.requestId);
    }
    const stored = (await this.signings.get(tenantId, result.id)) as MobileSigning;
    this.drive(stored);
    return stored;
  }

  /** Waits until the signing has its outcome (or `signal` aborts, or the deadline passes with no answer). */
  async settle(signing: MobileSigning, signal?: AbortSignal): Promise<MobileSigning> {
    let current = signing;
    while (!isFinal(current)) {
      if (Date.now() > current.deadline + DEADLINE_MARGIN_MS) throw new EsignError('mobileStillWaiting', { id: current.id });
      const timeout = AbortSignal.timeout(WAIT_RECHECK_MS);
      await once(this.ended, current.id, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout }).catch(() => undefined);
      if (signal?.aborted) return current;
      current = (await this.signings.get(current.tenantId, current.id)) ?? current;
    }
    return current;
  }

  /**
   * The fingerprint the phone shows for an operationId. A signing's own id (while it waits) answers at once. A
   * document's id (an upload, or a signed document being signed again) answers with the signing of it that
   * waits, holding briefly until the phone has it; only when none comes does it fall back to the id's own
   * signing or the document's newest one. Unknown ids fail at once.
   */
  async fingerprint(tenantId: string, operationId: string, signal?: AbortSignal): Promise<string> {
    const op = await this.services.operations.require(tenantId, operationId);
    const own = await this.signings.get(tenantId, op.id);
    if (own?.state === 'waiting') return own.fingerprint;
    const deadline = Date.now() + this.services.settings.fingerprintWaitMs;
    for (;;) {
      // Answer once the phone shows it (the operator has the request), so a client can approve right after.
      const waiting = await this.signings.latestOf(tenantId, op.id, { waiting: true });
      const late = Date.now() >= deadline || signal?.aborted === true;
      if (waiting && (waiting.transactionId !== null || late)) return waiting.fingerprint;
      if (late) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const latest = own ?? (await this.signings.latestOf(tenantId, op.id));
    if (!latest) throw new EsignError('fingerprintNotReady', { id: op.id });
    return latest.fingerprint;
  }

  /** The signature list of an operation's document in one format (empty for a document of another). */
  async signatureList(format: SignatureFormat, tenantId: string, operationId: string): Promise<SignatureListEntry[]> {
    const { operation, stream } = await this.services.operations.openContent(tenantId, operationId);
    if ((operation.size ?? 0) > this.services.settings.maxSignBytes) throw new EsignError('documentTooLargeToSign', { max: this.services.settings.maxSignBytes });
    return this.preparing.run(async () => this.formats[format].signatureList(await buffer(stream)));
  }

  /** Resumes signings whose process died, now and every lease period; resolves to a function that stops. */
  start(): () => Promise<void> {
    const resume = async (): Promise<void> => {
      try {
        const claimed = await this.signings.claimLapsed(this.owner, this.services.settings.mobileLeaseMs);
        for (const signing of claimed) {
          this.log.info({ operationId: signing.id, operator: signing.operator }, 'resuming a mobile signing whose process stopped');
          this.drive(signing);
        }
      } catch (err) {
        this.log.error({ err }, 'resuming mobile signings failed');
      }
    };
    void resume();
    const timer = setInterval(() => void resume(), Math.max(1000, this.services.settings.mobileLeaseMs / 2));
    timer.unref();
    return async () => {
      clearInterval(timer);
      await this.stop();
    };
  }

  /** Stops driving what runs now (the leases lapse and a `start()`ed process resumes it): shutdown, tests. */
  async stop(): Promise<void> {
    this.generation++;
    await Promise.allSettled([...this.driving.values()]);
  }

  private repeat(earlier: MobileSigning, bodyHash: string, requestId: string): MobileSigning {
    if (earlier.bodyHash !== bodyHash) throw new EsignError('requestIdReused', { id: requestId });
    return earlier;
  }

  private async prepare(format: SignatureFormat, document: Buffer, options: SigningOptions, signer: Buffer) {
    try {
      return await this.formats[format].prepare(document, options, signer);
    } catch (err) {
      if (err instanceof SigningInputError) throw new EsignError('signingOptions', { detail: err.message });
      throw err;
    }
  }

  private async checkSignatureIndex(format: SignatureFormat, document: Buffer, given: number): Promise<void> {
    const count = (await this.formats[format].signatureList(document)).filter((s) => !s.entityLabel.includes(':')).length;
    if (given !== count) throw new EsignError('signatureIndex', { given, count });
  }

  /** An operator call made while the client waits: its refusals become the client's errors at once. */
  private async operatorCall<T>(operator: MobileOperator, phone: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof MobileOperatorError)) throw err;
      switch (err.outcome) {
        case 'unknownSubscriber':
          throw new EsignError('mobileUnknownSubscriber', { phone, operator });
        case 'pinBlocked':
          throw new EsignError('mobilePinBlocked');
        case 'unavailable':
          throw new EsignError('mobileUnavailable', { operator, detail: err.message });
        default:
          throw new EsignError('mobileFailed', { detail: `${err.operatorCode}: ${err.message}` });
      }
    }
  }

  private drive(signing: MobileSigning): void {
    const key = `${signing.tenantId}/${signing.id}`;
    if (this.driving.has(key)) return;
    const run = this.run(signing)
      .catch((err: unknown) => this.log.error({ err, operationId: signing.id }, 'mobile signing stopped on an unexpected error'))
      .finally(() => this.driving.delete(key));
    this.driving.set(key, run);
  }

  private async run(initial: MobileSigning): Promise<void> {
    const { mobilePollMs, mobileLeaseMs } = this.services.settings;
    let signing = initial;
    let renewedAt = Date.now();
    let lastUnavailable: string | null = null;
    const generation = this.generation;
    while (generation === this.generation) {
      if (Date.now() > signing.deadline) {
        await this.end(signing, lastUnavailable ? 'failed' : 'expired', lastUnavailable ?? 'no answer from the operator before the deadline');
        return;
      }
      if (Date.now() - renewedAt > mobileLeaseMs / 3) {
        if (!(await this.signings.renew(signing, this.owner, mobileLeaseMs))) return;
        renewedAt = Date.now();
      }
      try {
        if (signing.transactionId === null) {
          const { transactionId } = await this.operators.start(signing.operator, { phone: signing.phone, digest: signing.digest, display: signing.display });
          if (!(await this.signings.setTransaction(signing, this.owner, transactionId))) return;
          signing = { ...signing, transactionId };
          continue;
        }
        const answer = await this.operators.poll(signing.operator, signing.transactionId, signing.digest);
        if (answer.state === 'signed') {
          await this.complete(signing, answer.signatureValue);
          return;
        }
        lastUnavailable = null;
      } catch (err) {
        if (!(err instanceof MobileOperatorError)) throw err;
        if (err.outcome !== 'unavailable') {
          await this.end(signing, err.outcome, `${err.operatorCode}: ${err.message}`);
          return;
        }
        lastUnavailable = `${err.operatorCode}: ${err.message}`;
        this.log.warn({ operationId: signing.id, operator: signing.operator, err: err.message }, 'operator unavailable; will ask again');
      }
      await new Promise((r) => setTimeout(r, mobilePollMs));
    }
  }

  /**
   * Stores the signed document, then ends the signing, then drops the pending state: a crash between any two
   * steps leaves a signing a resumed process completes the same way, with one signed document.
   */
  private async complete(signing: MobileSigning, signatureValue: Buffer): Promise<void> {
    const { operations } = this.services;
    const result = await operations.require(signing.tenantId, signing.id);
    if (!result.hasContent) {
      let signed: Buffer;
      try {
        signed = await this.formats[signing.format].assemble(signing.pendingId, signatureValue);
      } catch (err) {
        // A signature value that does not fit (or trust services that fail) ends this signing; it cannot heal.
        await this.end(signing, 'failed', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
        return;
      }
      await operations.attachContent(signing.tenantId, signing.id, signed, { state: 'signed' });
    }
    if (await this.signings.finish(signing, this.owner, 'signed', null)) {
      await this.formats[signing.format].release(signing.pendingId);
      this.log.info({ operationId: signing.id, sourceId: signing.sourceId, operator: signing.operator }, 'mobile signature stored');
    }
    this.ended.emit(signing.id);
  }

  private async end(signing: MobileSigning, state: Exclude<SigningState, 'waiting' | 'signed'>, detail: string): Promise<void> {
    if (await this.signings.finish(signing, this.owner, state, detail)) {
      await this.services.operations.setState(signing.tenantId, signing.id, OPERATION_STATE[state], detail);
      await this.formats[signing.format].release(signing.pendingId);
      this.log.info({ operationId: signing.id, operator: signing.operator, state }, 'mobile signing ended without a signature');
    }
    this.ended.emit(signing.id);
  }
}

/** SignStepOne's answer for a signing that has ended. */
export function answerOf(signing: MobileSigning): { isSuccess: true; operationId: string } {
  switch (signing.state) {
    case 'signed':
      return { isSuccess: true, operationId: signing.id };
    case 'refused':
      throw new EsignError('mobileRefused');
    case 'expired':
      throw new EsignError('mobileExpired');
    case 'pinBlocked':
      throw new EsignError('mobilePinBlocked');
    case 'unknownSubscriber':
      throw new EsignError('mobileUnknownSubscriber', { phone: signing.phone, operator: signing.operator });
    case 'failed':
      throw new EsignError('mobileFailed', { detail: signing.detail ?? 'unknown' });
    case 'waiting':
      throw new EsignError('mobileStillWaiting', { id: signing.id });
  }
}
