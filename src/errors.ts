/**
 * The one error type of the service. Domain code throws AppError with a code; the HTTP layer maps the
 * code to a status and an RFC 9457 problem+json body, and the CLI to one line on stderr.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  precondition_required: 428,
  too_many_requests: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** JSON path such as `endpoints[0].url`, or for imports `row 12, 系统名称`. */
  path: string;
  message: string;
  /** A stable code for the message, so pages and clients can word it in their own language. */
  reason?: string;
  /** What the message names (a department code, a line number), for the reader's own wording. */
  params?: Record<string, string>;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly errors?: FieldError[];
  /** A stable code for `detail` where a page words it for people (see FieldError.reason). */
  readonly reason?: string;
  constructor(code: ErrorCode, detail: string, errors?: FieldError[], reason?: string) {
    super(detail);
    this.name = 'AppError';
    this.code = code;
    if (errors?.length) this.errors = errors;
    if (reason) this.reason = reason;
  }
  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const forbidden = (detail = 'this token may not do that') => new AppError('forbidden', detail);

/** `a.b[0].c` from a zod-style path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

export function validationError(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, where = 'request'): AppError {
  const errors = issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const first = errors[0];
  const detail = first ? `invalid ${where}: ${first.path}: ${first.message}` : `invalid ${where}`;
  return new AppError('validation_failed', errors.length > 1 ? `${detail} (and ${errors.length - 1} more)` : detail, errors);
}

/** Seconds a client is asked to wait (Retry-After) when the database is unreachable. */
export const DATABASE_RETRY_AFTER_S = 5;

/**
 * Driver and server codes that mean "the database is not there right now" rather than "this request is
 * wrong": postgres.js connection errors, socket errors, and PostgreSQL's shutdown, startup, connection
 * (class 08) and too-many-connections codes.
 */
const UNAVAILABLE_CODES = new Set([
  'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECTION_ENDED', 'CONNECT_TIMEOUT',
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300',
]);

export function isDatabaseUnavailable(e: unknown): boolean {
  for (let err = e as { code?: unknown; cause?: unknown } | undefined, depth = 0; err && depth < 4; err = err.cause as typeof err, depth++) {
    const code = typeof err.code === 'string' ? err.code : undefined;
    if (code && (UNAVAILABLE_CODES.has(code) || /^08...$/.test(code))) return true;
  }
  return false;
}

/** PostgreSQL unique violations and the like, turned into conflicts instead of 500s. */
export function fromDatabaseError(e: unknown): AppError | undefined {
  const err = e as { code?: string; cause?: { code?: string; detail?: string }; detail?: string };
  if (isDatabaseUnavailable(e)) return new AppError('unavailable', 'the database is not reachable; try again shortly');
  const code = err?.code ?? err?.cause?.code;
  if (code === '23505') return new AppError('conflict', 'a record with the same code already exists');
  if (code === '23503') return new AppError('conflict', 'the record is referenced by or refers to a missing record');
  if (code === '22P02' || code === '22007' || code === '22008') return new AppError('bad_request', 'a value has the wrong format');
  if (code === '22001') return new AppError('bad_request', 'a value is too long');
  // An id or count past the column's range (e.g. /sweeps/99999999999 against an integer key).
  if (code === '22003') return new AppError('bad_request', 'a number is out of range');
  // U+0000 or a byte sequence PostgreSQL's text cannot hold.
  if (code === '22021' || code === '22P05') return new AppError('bad_request', 'a value holds a character that cannot be stored (such as U+0000)');
  return undefined;
}
