import { AbortError, ApiError } from '../errors.js';
import { sleep, Transport, type TransportOptions } from '../transport.js';
import { CoreApi } from './core-api.js';
import { Files } from './files.js';
import { Fingerprint } from './fingerprint.js';
import { Operations } from './operations.js';
import type { OperationStatus, XadesMobileSignRequest } from './types.js';
import { Xades } from './xades.js';
import { XadesMobile } from './xades-mobile.js';

export const ONAYLARIM_TEST_URL = 'https://apitest.onaylarim.com';

export interface OnaylarimOptions {
  apiKey: string;
  /** The vendor's test host by default; imzala's origin (e.g. http://localhost:8080) to use the sandbox. */
  baseUrl?: string;
  /** BaseRequest.displayLanguage; `tr` by default. */
  displayLanguage?: string;
  /** Default chunk size for uploads; 8 MiB (the vendor recommends 8–16 MB). */
  chunkSize?: number;
  transport?: TransportOptions;
}

export interface MobileSigning extends XadesMobileSignRequest {
  /** Called once with the fingerprint, fetched concurrently while the phone is asked. */
  onFingerprint?: (fingerPrint: string) => void;
  signal?: AbortSignal;
}

export interface MobileSigned {
  /** The signed document's operationId: download it, or sign it again. */
  operationId: string;
  /** The operationId that was signed (the upload's, or an earlier signature's). */
  signedFrom: string;
  fingerPrint: string | undefined;
}

/** Onaylarım CoreApi client (v2 routes). */
export class Onaylarim {
  readonly baseUrl: string;
  readonly files: Files;
  readonly xadesMobile: XadesMobile;
  readonly fingerprint: Fingerprint;
  readonly operations: Operations;
  readonly xades: Xades;
  /** operationId → the operationId its signing produced, for chains this client followed. */
  private readonly chain = new Map<string, string>();

  constructor(options: OnaylarimOptions) {
    if (!options.apiKey) throw new TypeError('apiKey is required');
    this.baseUrl = new URL(options.baseUrl ?? ONAYLARIM_TEST_URL).toString().replace(/\/+$/, '');
    const transport = new Transport(options.transport);
    const api = new CoreApi({ transport, baseUrl: this.baseUrl, apiKey: options.apiKey, displayLanguage: options.displayLanguage ?? 'tr' });
    const prefix = '/v2';
    this.files = new Files(api, transport, { chunkSize: options.chunkSize ?? 8 * 1024 * 1024, prefix });
    this.xadesMobile = new XadesMobile(api, prefix, (from, to) => this.chain.set(from, to));
    this.fingerprint = new Fingerprint(api, prefix);
    this.operations = new Operations(api, prefix);
    this.xades = new Xades(api, prefix);
  }

  /**
   * Signs on the phone and shows the fingerprint: signStepOne and the fingerprint run concurrently, as the
   * vendor's browser sample does. A phone that answers before the fingerprint was seen still gets it reported,
   * from the signed document's id.
   */
  async signMobile(request: MobileSigning): Promise<MobileSigned> {
    const { onFingerprint, signal, ...sign } = request;
    const stopFingerprint = new AbortController();
    const fingerprintSignal = signal ? AbortSignal.any([signal, stopFingerprint.signal]) : stopFingerprint.signal;
    let fingerPrint: string | undefined;
    const seen = (fp: string): void => {
      fingerPrint = fp;
      onFingerprint?.(fp);
    };
    const watching = this.waitingFingerprint(sign.operationId, fingerprintSignal)
      .then(seen)
      // The fingerprint is for display: its failure never fails the signature.
      .catch(() => undefined);
    let result;
    try {
      result = await this.xadesMobile.signStepOne(sign, signal ? { signal } : {});
    } finally {
      stopFingerprint.abort(new AbortError('signing finished'));
      await watching;
    }
    if (fingerPrint === undefined) await this.fingerprint.get(result.operationId, signal ? { signal } : {}).then(seen, () => undefined);
    return { operationId: result.operationId, signedFrom: sign.operationId, fingerPrint };
  }

  /**
   * The fingerprint of the signing of `operationId` that is waiting for the phone. With imzala's status
   * extension it is asked by that signing's own id (signingOperationId), which stays exact when `operationId` is
   * itself a signed document (whose own fingerprint is that of the signing that made it); from a server without
   * it (the vendor's, or an imzala before signingState), the vendor's way, by `operationId`.
   */
  private async waitingFingerprint(operationId: string, signal: AbortSignal): Promise<string> {
    for (;;) {
      const status = await this.statusIfServed(operationId, { signal });
      if (!status || !('signingState' in status)) return this.fingerprint.waitFor(operationId, { signal, timeoutMs: 10 * 60_000 });
      if (status.signingState === 'waiting' && status.signingOperationId) return this.fingerprint.get(status.signingOperationId, { signal });
      await sleep(250, signal);
    }
  }

  /**
   * The newest document in a chain: follows what this client signed, then asks the server
   * (GetOperationStatusCore's signedOperationId), so an upload's id leads to its signed document.
   */
  async latest(operationId: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    let current = operationId;
    for (let hops = 0; hops < 64; hops++) {
      const next = this.chain.get(current) ?? (await this.statusIfServed(current, options))?.signedOperationId ?? undefined;
      if (!next || next === current) return current;
      current = next;
    }
    return current;
  }

  /** The status, or undefined from a server without imzala's status extension (the vendor's answers 404). */
  private async statusIfServed(operationId: string, options: { signal?: AbortSignal }): Promise<OperationStatus | undefined> {
    try {
      return await this.operations.status(operationId, options);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** The original upload behind a signed document: follows parentOperationId back to the root. */
  async original(operationId: string, options: { signal?: AbortSignal } = {}): Promise<string> {
    for (const [from, to] of this.chain) if (to === operationId) return this.original(from, options);
    let current = operationId;
    for (let hops = 0; hops < 64; hops++) {
      const parent = (await this.statusIfServed(current, options))?.parentOperationId;
      if (!parent || parent === current) return current;
      current = parent;
    }
    return current;
  }
}
