import { and, asc, eq, gt, gte } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import type { Principal } from '../auth/tokens.js';

export interface Actor {
  principal: Principal;
  requestId?: string;
}

/** Label stored as the audit actor: the token's name and role, never the token. */
export function actorLabel(p: Principal): string {
  return p.tokenId === null ? `${p.name} (${p.role})` : `${p.name} (${p.role}, token #${p.tokenId})`;
}

export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(db: Db, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (!list.length) return;
  const label = actorLabel(actor.principal);
  for (let i = 0; i < list.length; i += 1000) {
    await db.insert(auditLog).values(
      list.slice(i, i + 1000).map((e) => ({
        actor: label,
        action: e.action,
        entity: e.entity,
        entityId: e.entityId,
        before: e.before ?? null,
        after: e.after ?? null,
        requestId: actor.requestId ?? null,
      })),
    );
  }
}

export async function listAudit(db: Db, q: { entity?: string; entityId?: string; since?: Date; afterId?: number; limit: number }) {
  const where = [
    q.entity ? eq(auditLog.entity, q.entity) : undefined,
    q.entityId ? eq(auditLog.entityId, q.entityId) : undefined,
    q.since ? gte(auditLog.at, q.since) : undefined,
    q.afterId ? gt(auditLog.id, q.afterId) : undefined,
  ].filter(Boolean);
  return db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(auditLog.id))
    .limit(q.limit);
}
