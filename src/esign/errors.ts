/** The languages `displayLanguage` can pick for `error`. */
export type Language = 'tr' | 'en';

type Params = Record<string, string | number>;
interface Entry {
  status: number;
  tr: (p: Params) => string;
  en: (p: Params) => string;
}

/**
 * Every error the e-signature API can answer, with its HTTP status and its text in both languages. The vendor
 * documents no error codes (clients show `error` as text), so `code` is ours: stable, for logs and the SDK.
 */
const catalog = {
  apiKeyMissing: { status: 401, tr: () => 'X-API-KEY başlığı gerekli.', en: () => 'The X-API-KEY header is required.' },
  apiKeyInvalid: { status: 401, tr: () => 'API anahtarı geçersiz.', en: () => 'The API key is not valid.' },
  validation: { status: 400, tr: (p) => `İstek geçersiz: ${p.detail}`, en: (p) => `Invalid request: ${p.detail}` },
  badJson: { status: 400, tr: () => 'İstek gövdesi geçerli bir JSON değil.', en: () => 'The request body is not valid JSON.' },
  mediaType: {
    status: 415,
    tr: (p) => `Bu uç nokta ${p.expected} içerik tipi bekler.`,
    en: (p) => `This endpoint expects content type ${p.expected}.`,
  },
  bodyTooLarge: { status: 413, tr: () => 'İstek gövdesi çok büyük.', en: () => 'The request body is too large.' },
  pathNotFound: { status: 404, tr: () => 'Uç nokta bulunamadı.', en: () => 'No such endpoint.' },
  operationNotFound: { status: 404, tr: (p) => `İşlem bulunamadı: ${p.id}`, en: (p) => `Operation not found: ${p.id}` },
  operationExists: {
    status: 409,
    tr: (p) => `Bu işlem kimliği zaten kullanılmış: ${p.id}`,
    en: (p) => `This operation id is already in use: ${p.id}`,
  },
  operationNotReady: {
    status: 409,
    tr: (p) => `İşlemin dosyası henüz hazır değil (durum: ${p.state}).`,
    en: (p) => `The operation has no file yet (state: ${p.state}).`,
  },
  notSigned: { status: 409, tr: (p) => `İşlem henüz imzalanmadı: ${p.id}`, en: (p) => `The operation is not signed yet: ${p.id}` },
  sessionNotFound: {
    status: 404,
    tr: (p) => `Yükleme oturumu bulunamadı: ${p.id}`,
    en: (p) => `Upload session not found: ${p.id}`,
  },
  sessionClosed: {
    status: 409,
    tr: (p) => `Yükleme oturumu açık değil (durum: ${p.state}).`,
    en: (p) => `The upload session is not open (state: ${p.state}).`,
  },
  tooManyUploads: {
    status: 429,
    tr: (p) => `Açık yükleme oturumu sınırına ulaşıldı (${p.max}); birini tamamlayın veya iptal edin.`,
    en: (p) => `Too many open upload sessions (limit ${p.max}); complete or abort one first.`,
  },
  documentTooLarge: {
    status: 413,
    tr: (p) => `Belge en fazla ${p.max} bayt olabilir.`,
    en: (p) => `A document may be at most ${p.max} bytes.`,
  },
  chunkPlan: { status: 400, tr: (p) => `Parça planı geçersiz: ${p.detail}`, en: (p) => `Invalid chunk plan: ${p.detail}` },
  chunkIndex: {
    status: 400,
    tr: (p) => `Parça sırası ${p.index} geçersiz; 0 ile ${p.last} arasında olmalı.`,
    en: (p) => `Chunk index ${p.index} is out of range; it must be 0 to ${p.last}.`,
  },
  chunkSize: {
    status: 400,
    tr: (p) => `Parça ${p.index} ${p.expected} bayt olmalı, ${p.actual} bayt geldi.`,
    en: (p) => `Chunk ${p.index} must be ${p.expected} bytes, got ${p.actual}.`,
  },
  chunkTooLarge: {
    status: 413,
    tr: (p) => `Parça ${p.index} ${p.expected} bayttan büyük.`,
    en: (p) => `Chunk ${p.index} is larger than ${p.expected} bytes.`,
  },
  chunkHash: {
    status: 400,
    tr: (p) => `Parça ${p.index} SHA-256 özeti uyuşmuyor; parça kaydedilmedi.`,
    en: (p) => `Chunk ${p.index} does not match its SHA-256; it was not stored.`,
  },
  chunksMissing: {
    status: 400,
    tr: (p) => `Eksik parçalar var: ${p.missing}`,
    en: (p) => `Chunks are missing: ${p.missing}`,
  },
  fileHash: {
    status: 400,
    tr: (p) => `Dosyanın SHA-256 özeti uyuşmuyor (beklenen ${p.expected}, hesaplanan ${p.actual}).`,
    en: (p) => `The file's SHA-256 does not match (expected ${p.expected}, computed ${p.actual}).`,
  },
  fileMissing: {
    status: 400,
    tr: () => 'multipart/form-data isteğinde "file" alanı yok.',
    en: () => 'The multipart/form-data request has no "file" part.',
  },
  requestIdRequired: {
    status: 400,
    tr: () => 'requestId gerekli (21 karakter).',
    en: () => 'requestId is required (21 characters).',
  },
  requestIdReused: {
    status: 409,
    tr: (p) => `requestId ${p.id} farklı bir istekle daha önce kullanıldı.`,
    en: (p) => `requestId ${p.id} was already used for a different request.`,
  },
  requestInProgress: {
    status: 409,
    tr: (p) => `requestId ${p.id} ile gelen istek hâlâ işleniyor.`,
    en: (p) => `The request with requestId ${p.id} is still being processed.`,
  },
  signingOptions: { status: 400, tr: (p) => `İmza isteği geçersiz: ${p.detail}`, en: (p) => `Invalid signing request: ${p.detail}` },
  documentTooLargeToSign: {
    status: 413,
    tr: (p) => `İmzalanacak belge en fazla ${p.max} bayt olabilir.`,
    en: (p) => `A document to sign may be at most ${p.max} bytes.`,
  },
  signatureIndex: {
    status: 400,
    tr: (p) => `signatureIndex ${p.given} geçersiz: belgede ${p.count} imza var, yeni imzanın sırası ${p.count} olmalı.`,
    en: (p) => `signatureIndex ${p.given} is wrong: the document has ${p.count} signature(s), so the new one is number ${p.count}.`,
  },
  citizenshipMismatch: {
    status: 400,
    tr: () => 'citizenshipNo, mobil imza sertifikasındaki T.C. kimlik numarasıyla uyuşmuyor.',
    en: () => "citizenshipNo does not match the TCKN in the subscriber's mobile-signature certificate.",
  },
  certificateMismatch: {
    status: 400,
    tr: () => 'cerBytes, operatörün bu numara için verdiği sertifika değil.',
    en: () => 'cerBytes is not the certificate the operator holds for this number.',
  },
  mobileUnknownSubscriber: {
    status: 404,
    tr: (p) => `${p.phone} numarası ${p.operator} operatöründe mobil imza abonesi değil.`,
    en: (p) => `${p.phone} is not a mobile-signature subscriber of ${p.operator}.`,
  },
  mobileRefused: { status: 422, tr: () => 'Kullanıcı imzayı reddetti.', en: () => 'The subscriber refused to sign.' },
  mobileExpired: {
    status: 422,
    tr: () => 'Kullanıcı zamanında yanıt vermedi; imza işlemi zaman aşımına uğradı.',
    en: () => 'The subscriber did not answer in time; the signing expired.',
  },
  mobilePinBlocked: {
    status: 422,
    tr: () => 'Mobil imza PIN kodu bloke; kullanıcı operatörüne başvurmalı.',
    en: () => "The subscriber's mobile-signature PIN is blocked; they must contact their operator.",
  },
  mobileUnavailable: {
    status: 502,
    tr: (p) => `${p.operator} operatörüne ulaşılamadı: ${p.detail}`,
    en: (p) => `The operator ${p.operator} could not be reached: ${p.detail}`,
  },
  mobileFailed: { status: 502, tr: (p) => `Mobil imza tamamlanamadı: ${p.detail}`, en: (p) => `The mobile signature failed: ${p.detail}` },
  mobileStillWaiting: {
    status: 504,
    tr: (p) => `İmza hâlâ kullanıcı onayını bekliyor; durumu ${p.id} için GetOperationStatusCore ile sorgulayın.`,
    en: (p) => `The signing is still waiting for the subscriber; ask GetOperationStatusCore about ${p.id}.`,
  },
  fingerprintNotReady: {
    status: 409,
    tr: (p) => `${p.id} için henüz parmak izi yok; önce SignStepOne başlatılmalı.`,
    en: (p) => `There is no fingerprint for ${p.id} yet; SignStepOne has to start first.`,
  },
  internal: { status: 500, tr: () => 'Beklenmeyen bir hata oluştu.', en: () => 'An unexpected error occurred.' },
} satisfies Record<string, Entry>;

export type EsignErrorCode = keyof typeof catalog;

/** The e-signature part's one error family; `code` is stable, `status` the HTTP status it answers with. */
export class EsignError extends Error {
  readonly status: number;
  constructor(
    readonly code: EsignErrorCode,
    readonly params: Params = {},
  ) {
    const entry: Entry = catalog[code];
    super(entry.en(params));
    this.status = entry.status;
  }

  localized(language: Language): string {
    const entry: Entry = catalog[this.code];
    return entry[language](this.params);
  }
}
