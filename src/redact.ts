/** What log lines must never carry. No pino here: the Workers bundle uses this too. */

export const REDACTED = '[redacted]';

/** Fields that hold credentials whole, wherever a log call puts them. */
export const REDACT_PATHS = [
  'authorization',
  'cookie',
  'token',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.token',
];

/**
 * Credentials that ride inside otherwise harmless text: department links (`/confirm/{token}` — the
 * link is the credential), `Bearer` values and our `xc_…` API tokens. Applied to every serialised log
 * line, so an error message or URL that quotes one cannot leak it either.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(\/confirm\/)[^/\s"'?#\\<>]+/g, `$1${REDACTED}`)
    .replace(/(\bBearer\s+)[^\s"'\\]+/gi, `$1${REDACTED}`)
    .replace(/\bxc_[A-Za-z0-9_-]{16,}/g, `xc_${REDACTED}`);
}

/** A request path fit for a log line. */
export function redactPath(path: string): string {
  return scrubSecrets(path);
}
