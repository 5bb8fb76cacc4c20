/** The e-signature envelope: `{result, error}`; a non-empty error means failure (no codes are documented). */
export interface ApiResult<T> {
  result: T | null;
  error: string | null;
}

export type MobileOperator = 'TURKCELL' | 'VODAFONE' | 'AVEA';
export type XadesLevel = 'aslBES' | 'aslT' | 'aslXL' | 'aslA' | 'BES' | 'T' | 'XL' | 'A';
export type TurkishProfile = 'P1' | 'P2' | 'P3' | 'P4';
export type SerialOrParallel = 'SERIAL' | 'PARALLEL';
export type EnvelopingOrEnveloped = 'ENVELOPING' | 'ENVELOPED';

export interface UploadResult {
  /** Names the uploaded (original) document; signing it yields a new operationId. */
  operationId: string;
  chunked: boolean;
  uploadSessionId?: string | undefined;
}

export interface UploadProgress {
  sentBytes: number;
  totalBytes: number;
  /** Set for chunked uploads: keep it to resume from another process (`upload(path, { resumeSessionId })`). */
  uploadSessionId?: string | undefined;
  chunkIndex?: number | undefined;
  totalChunks?: number | undefined;
}

export interface ChunkSession {
  uploadSessionId: string;
  operationId: string;
  chunkSize: number;
  totalChunks: number;
}

export interface UploadStatus {
  totalChunks: number;
  receivedChunkIndices: number[];
}

export interface XadesMobileSignRequest {
  /** The document to sign: the upload's operationId (or a previous signature's, to add one). */
  operationId: string;
  phoneNumber: string;
  operator: MobileOperator;
  userPrompt?: string;
  citizenshipNo?: string | null;
  signatureLevel?: XadesLevel;
  /** SERIAL only: the signature to counter-sign, e.g. `S0` or `S0:S0`. */
  signaturePath?: string | null;
  serialOrParallel?: SerialOrParallel;
  signatureTurkishProfile?: TurkishProfile | null;
  envelopingOrEnveloped?: EnvelopingOrEnveloped;
}

export interface XadesMobileSignResult {
  isSuccess: boolean;
  /** The signed document's operationId (new). */
  operationId: string;
}

/** Where a signing stands: a signed document's id reports one of these (so does an upload's latest signing). */
export type OperationState = 'waiting' | 'signed' | 'refused' | 'expired' | 'failed';

/** imzala's extension `GetOperationStatusCore`: where an operation and its signing stand. */
export interface OperationStatus {
  operationId: string;
  /** `uploaded` for an original (its signing is in `signingState`); an OperationState for a signed document's id. */
  state: 'uploaded' | OperationState | (string & {});
  /** `upload` for an original, `signed` for a step's output. */
  kind?: string;
  fileName?: string;
  size?: number | null;
  sha256?: string | null;
  /** For a step's output: the operation it was made from. */
  parentOperationId?: string | null;
  /** The newest document signed from this one (the next link of the chain), once there is one. */
  signedOperationId?: string | null;
  /** The latest signing of this document (its future signed document's id), whatever its outcome. */
  signingOperationId?: string | null;
  /** That signing's state: `waiting` while the phone is asked. */
  signingState?: OperationState | (string & {}) | null;
  /** Why a signing ended without a signature. */
  detail?: string | null;
  createdAt?: string;
  updatedAt?: string;
  [field: string]: unknown;
}

/** One XAdES signature of a document (`CoreApiXades/GetSignatureListCore`). */
export interface SignatureInfo {
  /** Where it is: `S0`, `S1` for top-level signatures, `S0:S0` for a counter-signature of S0. */
  entityLabel: string;
  level: string | null;
  subjectRDN: string | null;
  timestamped: boolean;
  claimedSigningTime: string | null;
  citizenshipNo: string | null;
}

export interface DownloadedFile {
  operationId: string;
  fileName: string;
  data: Buffer;
}
