import type { XadesRequest } from '../xades/index.js';

/** The operators the vendor names (AVEA = Türk Telekom). */
export const MOBILE_OPERATORS = ['TURKCELL', 'VODAFONE', 'AVEA'] as const;
export type MobileOperator = (typeof MOBILE_OPERATORS)[number];

/**
 * Why an operator did not sign, as the signing flow tells its client. `unavailable` is the only transient
 * one: the operator could not be reached or did not answer, so polling goes on until the deadline.
 */
export type MobileOutcome = 'refused' | 'expired' | 'unknownSubscriber' | 'pinBlocked' | 'unavailable' | 'failed';

export class MobileOperatorError extends Error {
  override readonly name = 'MobileOperatorError';
  constructor(
    readonly outcome: MobileOutcome,
    message: string,
    /** The operator's own status name (USER_CANCEL, …), for the operation's detail. */
    readonly operatorCode: string,
  ) {
    super(message);
  }
}

export type MobilePoll = { state: 'outstanding' } | { state: 'signed'; signatureValue: Buffer };

/**
 * What the mobile flow needs of an operator (ETSI TS 102 204 behind it): the subscriber's certificates, an
 * asynchronous signature request, and status queries. Asynch mode is what lets a restarted server pick a
 * waiting transaction up again by its id. Failures are MobileOperatorErrors.
 */
export interface MobileOperators {
  /** DER certificates of the subscriber, the signing certificate first. */
  certificates(operator: MobileOperator, phone: string): Promise<Buffer[]>;
  start(operator: MobileOperator, request: { phone: string; digest: Buffer; display: string }): Promise<{ transactionId: string }>;
  /** The signature value is checked against the digest and the signer certificate before it is returned. */
  poll(operator: MobileOperator, transactionId: string, digest: Buffer): Promise<MobilePoll>;
  /** Seconds a subscriber has to answer; the flow waits this long plus a margin. */
  timeoutSeconds(operator: MobileOperator): number;
  /** The number in the national form operators use (5XXXXXXXXX), or undefined when it is no mobile number. */
  nationalNumber(phone: string): string | undefined;
  /** The TCKN a subscriber certificate carries (its subject serialNumber). */
  citizenshipNo(certificate: Buffer): string | null;
}

/** The signature formats the mobile flow makes: XAdES (CoreApiXadesMobile) and CAdES (CoreApiCadesMobile). */
export type SignatureFormat = 'xades' | 'cades';

/** What a signing request asks of a format: the XAdES request's fields; the CAdES engine reads those it knows. */
export type SigningOptions = Omit<XadesRequest, 'signingTime' | 'envelopingXmlAsBase64'>;

/** An item of the vendor's GetSignatureListCore. */
export interface SignatureListEntry {
  entityLabel: string;
  level: string | null;
  subjectRDN: string | null;
  timestamped: boolean;
  claimedSigningTime: string | null;
  citizenshipNo: string | null;
}

/** The request does not fit the document or the format (a bad level, path, mode, …): the client's to fix. */
export class SigningInputError extends Error {
  override readonly name = 'SigningInputError';
}

/** What the mobile flow needs of a signature engine: two-phase signing with stored state, and the signature list. */
export interface DocumentSigning {
  /** Checks the request against the document and stores the pending signature; SigningInputError on bad input. */
  prepare(document: Buffer, options: SigningOptions, signerCertificate: Buffer): Promise<{ pendingId: string; digest: Buffer; fingerprint: string }>;
  /** The signed document; the pending entry stays until `release`, so a crash after this loses nothing. */
  assemble(pendingId: string, signatureValue: Buffer): Promise<Buffer>;
  release(pendingId: string): Promise<void>;
  /** Empty for a document that is not of this format. */
  signatureList(document: Buffer): Promise<SignatureListEntry[]>;
}
