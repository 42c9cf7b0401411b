import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull, lt } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens, departments, webSessions } from '../db/schema/index.js';
import { bootstrapPrincipal, type Principal } from './tokens.js';

/**
 * Server-side web sessions. The cookie carries a random 256-bit id; the database keeps its SHA-256,
 * the token the session came from (or the bootstrap ADMIN_TOKEN's SHA-256), and when it expires or was
 * ended. A session is valid only while its row says so AND its origin is still valid: the stored token
 * unrevoked, or the ADMIN_TOKEN this process runs with the same one that signed in.
 */
export const SESSION_HOURS = 8;
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface WebSession {
  /** The cookie's secret id; CSRF tokens are derived from it. */
  sid: string;
  tokenId: number | null;
  expiresAt: Date;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Opens a session for a verified principal. `bootstrapHash` is the ADMIN_TOKEN's SHA-256 when that signed in. */
export async function openWebSession(db: Db, principal: Principal, bootstrapHash: string | null, now: Date): Promise<WebSession> {
  if (principal.tokenId === null && !bootstrapHash) throw new Error('a bootstrap session needs the token fingerprint');
  const sid = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3600_000);
  // Rows expired for a day are of no use to anyone; drop them as new sessions open.
  await db.delete(webSessions).where(lt(webSessions.expiresAt, new Date(now.getTime() - 86_400_000)));
  await db.insert(webSessions).values({
    idHash: sha256(sid),
    tokenId: principal.tokenId,
    bootstrapHash: principal.tokenId === null ? bootstrapHash : null,
    createdAt: now,
    expiresAt,
  });
  return { sid, tokenId: principal.tokenId, expiresAt };
}

/**
 * The session and principal behind a cookie value, or null: unknown, malformed, expired, ended, its token
 * revoked, or a bootstrap session while this process runs with another ADMIN_TOKEN (or none).
 */
export async function findWebSession(
  db: Db,
  sid: string | undefined,
  currentBootstrapHash: string | null,
  now: Date,
): Promise<{ session: WebSession; principal: Principal } | null> {
  if (!sid || !SESSION_ID.test(sid)) return null;
  const [row] = await db
    .select({
      tokenId: webSessions.tokenId,
      bootstrapHash: webSessions.bootstrapHash,
      expiresAt: webSessions.expiresAt,
      revokedAt: webSessions.revokedAt,
      name: apiTokens.name,
      role: apiTokens.role,
      departmentId: apiTokens.departmentId,
      tokenRevokedAt: apiTokens.revokedAt,
      path: departments.path,
      code: departments.code,
    })
    .from(webSessions)
    .leftJoin(apiTokens, eq(apiTokens.id, webSessions.tokenId))
    .leftJoin(departments, eq(departments.id, apiTokens.departmentId))
    .where(eq(webSessions.idHash, sha256(sid)));
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  const session = { sid, tokenId: row.tokenId, expiresAt: row.expiresAt };
  if (row.tokenId === null) {
    if (!currentBootstrapHash || row.bootstrapHash !== currentBootstrapHash) return null;
    return { session, principal: bootstrapPrincipal() };
  }
  if (!row.role || row.tokenRevokedAt) return null;
  return {
    session,
    principal: { tokenId: row.tokenId, name: row.name!, role: row.role, departmentId: row.departmentId, departmentPath: row.path, departmentCode: row.code },
  };
}

/** Logout: the session ends now, whoever holds a copy of the cookie. */
export async function endWebSession(db: Db, sid: string, now: Date): Promise<void> {
  if (!SESSION_ID.test(sid)) return;
  await db.update(webSessions).set({ revokedAt: now }).where(and(eq(webSessions.idHash, sha256(sid)), isNull(webSessions.revokedAt)));
}

/** Ends every session a token opened (called in the transaction that revokes it). */
export async function endTokenSessions(db: Db, tokenId: number, now: Date): Promise<void> {
  await db.update(webSessions).set({ revokedAt: now }).where(and(eq(webSessions.tokenId, tokenId), isNull(webSessions.revokedAt)));
}
