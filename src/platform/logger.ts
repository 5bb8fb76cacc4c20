import pino, { type Logger } from 'pino';

export type { Logger };

/** Secrets that must never reach a log line, wherever they appear in request logging. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.signature',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.client_secret',
  '*.clientSecret',
  '*.access_token',
  '*.refresh_token',
  '*.privateKey',
  '*.pin',
  '*.apiKey',
];

/** Logs go to stderr so that stdout stays clean for what commands print (`--json` output, the serve banner). */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}
