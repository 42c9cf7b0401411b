import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { apiTokens, departments, type Role } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { requirePermission } from './access.js';
import { endTokenSessions } from './sessions.js';

export interface Principal {
  /** null for the ADMIN_TOKEN from the environment. */
  tokenId: number | null;
  name: string;
  role: Role;
  departmentId: number | null;
  /** Materialised path of the department scope ("/1/7/"); null when not scoped. */
  departmentPath: string | null;
  departmentCode: string | null;
}

/** The principal of the bootstrap ADMIN_TOKEN from the environment. */
export function bootstrapPrincipal(): Principal {
  return { tokenId: null, name: 'ADMIN_TOKEN', role: 'admin', departmentId: null, departmentPath: null, departmentCode: null };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function generateToken(): string {
  return `xc_${randomBytes(32).toString('base64url')}`;
}


export async function createToken(
  db: Db,
  input: { role: Role; name: string; departmentCode?: string | null },
): Promise<{ token: string; id: number }> {
  if (input.role === 'department' && !input.departmentCode) {
    throw new AppError('validation_failed', 'a department token needs a department', [{ path: 'departmentCode', message: 'required for role department' }]);
  }
  let departmentId: number | null = null;
  if (input.departmentCode) {
    const [d] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, input.departmentCode));
    if (!d) throw new AppError('validation_failed', `unknown department ${input.departmentCode}`, [{ path: 'departmentCode', message: 'no such department' }]);
    departmentId = d.id;
  }
  const token = generateToken();
  const [row] = await db
    .insert(apiTokens)
    .values({ name: input.name, role: input.role, departmentId, tokenHash: hashToken(token), prefix: token.slice(0, 7) })
    .returning({ id: apiTokens.id });
  return { token, id: row!.id };
}

export async function hasAnyToken(db: Db): Promise<boolean> {
  const rows = await db.select({ id: apiTokens.id }).from(apiTokens).where(isNull(apiTokens.revokedAt)).limit(1);
  return rows.length > 0;
}

/** Every token (never the secrets), for a principal that may manage tokens. */
export async function listTokens(db: Db, principal: Principal) {
  requirePermission(principal, 'tokens');
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      departmentCode: departments.code,
      prefix: apiTokens.prefix,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .leftJoin(departments, eq(departments.id, apiTokens.departmentId))
    .orderBy(apiTokens.id);
}

export async function revokeToken(db: Db, id: number, now: Date): Promise<void> {
  const rows = await db
    .update(apiTokens)
    .set({ revokedAt: now })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (!rows.length) throw notFound(`token ${id}`);
  await endTokenSessions(db, id, now);
}

/** Creates a token and its audit entry in one transaction; the secret is returned once. */
export async function createAuditedToken(
  db: Db,
  actor: Actor,
  input: { role: Role; name: string; departmentCode?: string | null },
): Promise<{ token: string; id: number }> {
  requirePermission(actor.principal, 'tokens');
  return db.transaction(async (tx) => {
    const t = await createToken(tx, input);
    await recordAudit(tx, actor, {
      action: 'create',
      entity: 'token',
      entityId: String(t.id),
      after: { name: input.name, role: input.role, departmentCode: input.departmentCode ?? null },
    });
    return t;
  });
}

/** Revokes a token and records it, in one transaction. */
export async function revokeAuditedToken(db: Db, actor: Actor, id: number, now: Date): Promise<void> {
  requirePermission(actor.principal, 'tokens');
  await db.transaction(async (tx) => {
    await revokeToken(tx, id, now);
    await recordAudit(tx, actor, { action: 'revoke', entity: 'token', entityId: String(id) });
  });
}

/** The principal of a stored, unrevoked token, by the token's SHA-256; null otherwise. */
export async function principalForTokenHash(db: Db, hash: string): Promise<Principal | null> {
  const [row] = await db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      role: apiTokens.role,
      departmentId: apiTokens.departmentId,
      path: departments.path,
      code: departments.code,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .leftJoin(departments, eq(departments.id, apiTokens.departmentId))
    .where(eq(apiTokens.tokenHash, hash));
  if (!row || row.revokedAt) return null;
  return { tokenId: row.id, name: row.name, role: row.role, departmentId: row.departmentId, departmentPath: row.path, departmentCode: row.code };
}

/**
 * Looks a bearer token up. A short-lived cache keeps the hot path to one hash; entries live a few
 * seconds so a revoked token stops working quickly.
 */
export class TokenVerifier {
  private cache = new Map<string, { principal: Principal | null; until: number }>();
  /** SHA-256 digest of the ADMIN_TOKEN, taken once: each request hashes only the token it presents. */
  private readonly adminDigest: Buffer | null;
  constructor(
    private readonly db: Db,
    private readonly adminToken: string | undefined,
    private readonly now: () => Date,
    private readonly ttlMs = 5_000,
  ) {
    this.adminDigest = adminToken ? createHash('sha256').update(adminToken).digest() : null;
  }

  async verify(token: string): Promise<Principal | null> {
    const digest = createHash('sha256').update(token).digest();
    // Digests of equal length compared in constant time: nothing about ADMIN_TOKEN leaks through timing.
    if (this.adminDigest && timingSafeEqual(digest, this.adminDigest)) return bootstrapPrincipal();
    const hash = digest.toString('hex');
    const t = this.now().getTime();
    const hit = this.cache.get(hash);
    if (hit && hit.until > t) return hit.principal;
    const principal = await principalForTokenHash(this.db, hash);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(hash, { principal, until: t + this.ttlMs });
    if (principal && !hit) {
      void this.db.update(apiTokens).set({ lastUsedAt: this.now() }).where(eq(apiTokens.id, principal.tokenId!)).catch(() => {});
    }
    return principal;
  }

  /** SHA-256 of the ADMIN_TOKEN this process runs with, or null: web sessions it opened are tied to it. */
  bootstrapHash(): string | null {
    return this.adminToken ? hashToken(this.adminToken) : null;
  }

  forget(): void {
    this.cache.clear();
  }
}
