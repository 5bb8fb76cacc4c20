import { complete } from './complete.js';
import type { XadesRequest } from './model.js';
import type { XadesPendingStore } from './pending-store.js';
import { prepare } from './prepare.js';
import type { XadesTrust } from './trust.js';
import { validateXades, type ValidationReport } from './validate.js';

export interface PreparedSignature {
  /** Key of the stored pending state; hand it to `complete` when the signature value arrives. */
  pendingId: string;
  /** SHA-256 of canonical SignedInfo: the operator's DataToBeSigned. */
  digest: Buffer;
  /** Uppercase hex of digest, shown to the subscriber. */
  fingerprint: string;
}

/**
 * The engine bound to its trust services and pending store: what the e-signature flows (mobile signing, the CLI)
 * use. `prepare`/`complete` in prepare.ts/complete.ts stay pure for callers that keep state themselves.
 */
export class XadesService {
  constructor(
    readonly trust: XadesTrust,
    readonly pending: XadesPendingStore,
  ) {}

  async prepare(document: Buffer, request: XadesRequest, signerCertificate: Buffer | string): Promise<PreparedSignature> {
    const prepared = prepare(document, request, signerCertificate);
    const pendingId = await this.pending.save(prepared.state, document);
    return { pendingId, digest: prepared.digest, fingerprint: prepared.fingerprint };
  }

  /** Assembles the signed document; the pending entry is consumed only when this succeeds. */
  async complete(pendingId: string, signatureValue: Buffer): Promise<Buffer> {
    const signed = await this.assemble(pendingId, signatureValue);
    await this.release(pendingId);
    return signed;
  }

  /**
   * Assembles the signed document and keeps the pending entry: a caller that stores the result first and
   * releases after can crash in between and assemble again.
   */
  async assemble(pendingId: string, signatureValue: Buffer): Promise<Buffer> {
    const { state, document } = await this.pending.load(pendingId);
    return complete(state, signatureValue, { document, trust: this.trust });
  }

  release(pendingId: string): Promise<void> {
    return this.pending.delete(pendingId);
  }

  validate(document: Buffer | string, now?: Date): Promise<ValidationReport> {
    return validateXades(document, { trust: this.trust, ...(now ? { now } : {}) });
  }
}
