import { and, asc, eq, gt, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditLog } from '../db/schema/index.js';
import type { Principal } from '../auth/tokens.js';
import { requirePermission } from '../auth/access.js';

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

/**
 * Appends entries to the audit trail, in the caller's transaction. Thousands at once (an import) cost one
 * JSON parameter per chunk of a thousand rows.
 */
export async function recordAudit(db: Db, actor: Actor, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  const label = actorLabel(actor.principal);
  for (let i = 0; i < list.length; i += 1000) {
    const records = list.slice(i, i + 1000).map((e) => ({
      actor: label,
      action: e.action,
      entity: e.entity,
      entity_id: e.entityId,
      before: e.before ?? null,
      after: e.after ?? null,
      request_id: actor.requestId ?? null,
    }));
    await db.execute(sql`
      insert into audit_log (actor, action, entity, entity_id, before, after, request_id)
      select actor, action, entity, entity_id, before, after, request_id
      from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(actor text, action text, entity text, entity_id text, before jsonb, after jsonb, request_id text)`);
  }
}

export async function listAudit(db: Db, principal: Principal, q: { entity?: string; entityId?: string; since?: Date; afterId?: number; limit: number }) {
  requirePermission(principal, 'audit');
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
