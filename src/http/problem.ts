import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, DATABASE_RETRY_AFTER_S, ERROR_STATUS, fromDatabaseError, type ErrorCode, type FieldError } from '../errors.js';
import type { AppEnv } from './env.js';

const TITLES: Record<ErrorCode, string> = {
  bad_request: 'Bad request',
  validation_failed: 'Validation failed',
  malformed_json: 'Malformed JSON',
  unauthorized: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  method_not_allowed: 'Method not allowed',
  conflict: 'Conflict',
  gone: 'Gone',
  precondition_failed: 'Precondition failed',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unprocessable: 'Unprocessable request',
  precondition_required: 'Precondition required',
  too_many_requests: 'Too many requests',
  internal: 'Internal error',
  unavailable: 'Service unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  requestId?: string;
  instance?: string;
}

export function problemBody(code: ErrorCode, detail: string, errors: FieldError[] | undefined, requestId: string | undefined, instance?: string): Problem {
  return {
    type: `urn:xuncha:problem:${code}`,
    title: TITLES[code],
    status: ERROR_STATUS[code],
    detail,
    code,
    ...(errors?.length ? { errors } : {}),
    ...(requestId ? { requestId } : {}),
    ...(instance ? { instance } : {}),
  };
}

export function problemResponse(c: Context<AppEnv>, code: ErrorCode, detail: string, errors?: FieldError[], extraHeaders?: Record<string, string>): Response {
  const body = problemBody(code, detail, errors, c.get('requestId'), c.req.path);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json; charset=utf-8', ...extraHeaders };
  if (code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="xuncha"';
  return new Response(JSON.stringify(body), { status: body.status as ContentfulStatusCode, headers });
}

/** A database outage is a passing condition: the client is told when to try again. */
export const databaseAwayHeaders = { 'retry-after': String(DATABASE_RETRY_AFTER_S) } as const;

/** The one onError: domain errors keep their code, known HTTP and database errors are mapped, the rest is a logged 500. */
export function handleError(err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof AppError) return problemResponse(c, err.code, err.message, err.errors);
  if (err instanceof HTTPException) {
    const status = err.status;
    if (status === 400 && /json/i.test(err.message)) return problemResponse(c, 'malformed_json', 'the request body is not valid JSON');
    const code = (Object.entries(ERROR_STATUS).find(([, s]) => s === status)?.[0] ?? 'bad_request') as ErrorCode;
    return problemResponse(c, code, err.message || TITLES[code]);
  }
  const mapped = fromDatabaseError(err);
  if (mapped) return problemResponse(c, mapped.code, mapped.message, undefined, mapped.code === 'unavailable' ? databaseAwayHeaders : undefined);
  const deps = c.get('deps');
  deps?.logger.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
  return problemResponse(c, 'internal', 'an internal error occurred; quote the request id when reporting it');
}
