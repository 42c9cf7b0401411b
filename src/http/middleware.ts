import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
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
