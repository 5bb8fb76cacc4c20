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
}

export function esignSettings(env: NodeJS.ProcessEnv): EsignSettings {
  return {
    maxDocumentBytes: envNumber(env, 'IMZALA_ESIGN_MAX_DOCUMENT_BYTES', 4 * 1024 ** 3),
    maxChunkBytes: envNumber(env, 'IMZALA_ESIGN_MAX_CHUNK_BYTES', 100 * 1024 ** 2),
    maxChunks: envNumber(env, 'IMZALA_ESIGN_MAX_CHUNKS', 10_000),
    maxOpenUploadsPerTenant: envNumber(env, 'IMZALA_ESIGN_MAX_OPEN_UPLOADS', 20),
    uploadTtlMs: envNumber(env, 'IMZALA_ESIGN_UPLOAD_TTL_SECONDS', 24 * 3600) * 1000,
    sweepIntervalMs: envNumber(env, 'IMZALA_ESIGN_SWEEP_INTERVAL_SECONDS', 300) * 1000,
  };
}
