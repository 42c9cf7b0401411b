import { requirePermission } from '../../auth/access.js';
import type { Db } from '../../db/client.js';
import { AppError } from '../../errors.js';
import type { Actor } from '../../audit/index.js';
import { IMPORT_LIMITS, importInventory, type ImportInput, type ImportSummary } from './index.js';

export interface ImportUpload extends Omit<ImportInput, 'bytes'> {
  /** The request body, read only once the actor may import. */
  body: ReadableStream<Uint8Array> | null;
  /** Content-Length when declared: a larger one is refused without reading. */
  declaredLength?: number;
}

/** An upload imported: the permission is checked before a byte is read, and the body is capped at the import limit. */
export async function importUpload(db: Db, actor: Actor, upload: ImportUpload): Promise<ImportSummary> {
  requirePermission(actor.principal, 'import');
  const { body, declaredLength, ...rest } = upload;
  const bytes = await readBody(body, declaredLength, IMPORT_LIMITS.maxBytes);
  return importInventory(db, actor, { ...rest, bytes });
}

/** Reads the body up to `limit` bytes; refuses larger bodies (413) without reading them whole. */
async function readBody(body: ReadableStream<Uint8Array> | null, declared: number | undefined, limit: number): Promise<Uint8Array> {
  if (declared !== undefined && Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const tooLarge = (limit: number) => new AppError('payload_too_large', `the file exceeds ${limit / 1024 / 1024} MB, the import limit`);
