import { envNumber } from '../platform/config.js';

/** The e-signature part's limits, from the environment (see README "E-signature limits"). */
export interface EsignSettings {
  maxDocumentBytes: number;
  maxChunkBytes: number;
  /** A ChunkInit announcing more chunks than this is refused, so one session cannot flood the chunk table. */
  maxChunks: number;
  maxOpenUploadsPerTenant: number;
  /** An upload session untouched for this long expires; its chunks are deleted by the sweeper. */
  uploadTtlMs: number;
  sweepIntervalMs: number;
  /** How long a requestId's answer is kept for retries (the vendor asks for a new requestId per request). */
  requestIdTtlMs: number;
  /** Mobile signing holds the document in memory (XAdES needs the whole tree): larger ones are refused. */
  maxSignBytes: number;
  /** How often a waiting mobile signing asks its operator (MSS_StatusQuery). */
  mobilePollMs: number;
  /** A process drives a signing under a lease it renews; once lapsed (a crash), another process resumes it. */
  mobileLeaseMs: number;
  /** GetFingerPrintCore's short wait for a signing that is about to start. */
  fingerprintWaitMs: number;
}

export function esignSettings(env: NodeJS.ProcessEnv): EsignSettings {
  return {
    maxDocumentBytes: envNumber(env, 'IMZALA_ESIGN_MAX_DOCUMENT_BYTES', 4 * 1024 ** 3),
    maxChunkBytes: envNumber(env, 'IMZALA_ESIGN_MAX_CHUNK_BYTES', 100 * 1024 ** 2),
    maxChunks: envNumber(env, 'IMZALA_ESIGN_MAX_CHUNKS', 10_000),
    maxOpenUploadsPerTenant: envNumber(env, 'IMZALA_ESIGN_MAX_OPEN_UPLOADS', 20),
    uploadTtlMs: envNumber(env, 'IMZALA_ESIGN_UPLOAD_TTL_SECONDS', 24 * 3600) * 1000,
    sweepIntervalMs: envNumber(env, 'IMZALA_ESIGN_SWEEP_INTERVAL_SECONDS', 300) * 1000,
    requestIdTtlMs: envNumber(env, 'IMZALA_ESIGN_REQUEST_ID_TTL_SECONDS', 7 * 24 * 3600) * 1000,
    maxSignBytes: envNumber(env, 'IMZALA_ESIGN_MAX_SIGN_BYTES', 32 * 1024 ** 2),
    mobilePollMs: envNumber(env, 'IMZALA_ESIGN_MOBILE_POLL_MS', 1000),
    mobileLeaseMs: envNumber(env, 'IMZALA_ESIGN_MOBILE_LEASE_SECONDS', 15) * 1000,
    fingerprintWaitMs: envNumber(env, 'IMZALA_ESIGN_FINGERPRINT_WAIT_MS', 5000),
  };
}
