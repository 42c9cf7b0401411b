import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { CSP } from '../layout.js';

/** The page headers of src/web/index.tsx, for workbench routes that set their own body limit (uploads). */
export const pageHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  if (!c.res.headers.get('Content-Security-Policy')) c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
};

export const formLimit = (maxSize: number): MiddlewareHandler => bodyLimit({ maxSize, onError: (c) => c.text('the form is too large', 413) });
