import type { MiddlewareHandler } from 'hono';
import { AppError, formatPath } from '../errors.js';
import type { AppEnv } from './env.js';
import { redactPath } from '../redact.js';

export const requireAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization');
  if (!header) throw new AppError('unauthorized', 'missing Authorization: Bearer token');
  const m = /^Bearer\s+(\S{8,512})\s*$/i.exec(header);
  if (!m) throw new AppError('unauthorized', 'the Authorization header must be "Bearer <token>"');
  const principal = await c.get('deps').verifier.verify(m[1]!);
  if (!principal) throw new AppError('unauthorized', 'the token is invalid or revoked');
  c.set('principal', principal);
  await next();
};

export const accessLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = performance.now();
  await next();
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const status = c.res.status;
  const log = c.get('deps').logger;
  const entry = { requestId: c.get('requestId'), method: c.req.method, path: redactPath(c.req.path), status, ms };
  if (status >= 500) log.error(entry, 'request');
  else log.info(entry, 'request');
};

const NUL = '\u0000';
/** Bodies up to the JSON body limit are scanned for U+0000. */
const NUL_SCAN_MAX_BYTES = 1024 * 1024;

/** The path of the first string (or key) holding U+0000 in a parsed JSON value, or undefined. */
function nulPath(value: unknown, path: Array<string | number> = [], depth = 0): Array<string | number> | undefined {
  if (depth > 200) return undefined; // deeper bodies are refused by validation anyway
  if (typeof value === 'string') return value.includes(NUL) ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = nulPath(value[i], [...path, i], depth + 1);
      if (hit) return hit;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes(NUL)) return [...path, k];
      const hit = nulPath(v, [...path, k], depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * U+0000 can be stored nowhere (PostgreSQL text refuses it) and means nothing in a name or a code:
 * refuse it in the path, the query, JSON bodies and form bodies with a 400 that names where, before any
 * handler (or the database) sees it.
 */
export const refuseNul: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = c.req.url;
  let path: string;
  let query: string;
  if (!url.includes('%')) {
    // Nothing percent-encoded (most requests): the URL is its own decoding, no parse needed.
    const q = url.indexOf('?');
    path = q < 0 ? url : url.slice(0, q);
    query = q < 0 ? '' : url.slice(q);
  } else {
    try {
      const u = new URL(url);
      path = decodeURIComponent(u.pathname);
      query = decodeURIComponent(u.search.replace(/\+/g, ' '));
    } catch {
      throw new AppError('bad_request', 'the request URL is not valid percent-encoded UTF-8');
    }
  }
  if (path.includes(NUL)) throw new AppError('bad_request', 'the path holds a NUL character (U+0000)', [{ path: '(path)', message: 'must not contain U+0000' }]);
  if (query.includes(NUL)) throw new AppError('bad_request', 'the query holds a NUL character (U+0000)', [{ path: '(query)', message: 'must not contain U+0000' }]);
  const type = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  // Only bodies that say they are small are read here (before the routes' own body limits); any other
  // U+0000 is still refused where PostgreSQL meets it (fromDatabaseError: 22021 → 400).
  const length = Number(c.req.header('content-length') ?? NaN);
  const small = Number.isFinite(length) && length <= NUL_SCAN_MAX_BYTES;
  if (small && c.req.method !== 'GET' && c.req.method !== 'HEAD' && (type === 'application/json' || type === 'application/x-www-form-urlencoded')) {
    const text = await c.req.text();
    if (type === 'application/json' && (text.includes(NUL) || /\\u0000/i.test(text))) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined; // malformed JSON: the validator says so
      }
      const at = nulPath(parsed);
      if (at) {
        const where = formatPath(at);
        throw new AppError('validation_failed', `invalid request: ${where}: must not contain U+0000`, [{ path: where, message: 'must not contain U+0000' }]);
      }
    }
    if (type === 'application/x-www-form-urlencoded') {
      for (const [k, v] of new URLSearchParams(text)) {
        if (k.includes(NUL) || v.includes(NUL)) throw new AppError('bad_request', `the form field ${k.replace(/\u0000/g, '')} holds a NUL character (U+0000)`, [{ path: k.replace(/\u0000/g, ''), message: 'must not contain U+0000' }]);
      }
    }
  }
  await next();
};
