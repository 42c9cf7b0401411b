import { OpenAPIHono } from '@hono/zod-openapi';
import { validationError } from '../errors.js';
import type { AppEnv } from './env.js';

/** An OpenAPIHono whose validation failures all become the same problem+json with field paths. */
export function router() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues, result.target === 'json' ? 'request body' : `${result.target} parameters`);
    },
  });
}

/** Parses an If-Match header into a version; undefined when absent. */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (!header || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"(\d+)"\s*$/.exec(header);
  if (!m) throw validationError([{ path: ['If-Match'], message: 'must be an ETag returned by this API, such as "3"' }], 'headers');
  return Number(m[1]);
}

export const etag = (version: number) => `"${version}"`;
