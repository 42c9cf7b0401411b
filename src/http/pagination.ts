import { z } from '@hono/zod-openapi';
import { AppError } from '../errors.js';

/** Query parameters every paged list takes. */
export const pageQuery = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
};

/** The response shape of a paged list of `item`, named `name` in the OpenAPI document. */
export function pageOf<T extends z.ZodTypeAny>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

/** Opaque keyset cursor: the last id of the page, so pages stay stable while rows are added. */
export function encodeCursor(id: number): string {
  return Buffer.from(`i:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (!cursor) return undefined;
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^i:(\d{1,15})$/.exec(raw);
  if (!m) throw new AppError('validation_failed', 'invalid cursor', [{ path: 'cursor', message: 'not a cursor returned by this API' }]);
  return Number(m[1]);
}

export function page<T extends { id: number }, U>(rows: T[], limit: number, map: (row: T) => U): { items: U[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const slice = more ? rows.slice(0, limit) : rows;
  return { items: slice.map(map), nextCursor: more ? encodeCursor(slice[slice.length - 1]!.id) : null };
}
