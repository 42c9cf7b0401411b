import { AppError } from '../errors.js';

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
