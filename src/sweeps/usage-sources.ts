import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import { recordAudit, type Actor } from '../audit/index.js';
import type { Db } from '../db/client.js';
import { usageSources } from '../db/schema/index.js';
import { USAGE_SOURCE_KINDS } from '../db/schema/enums.js';
import { AppError } from '../errors.js';
import { scopedSystem } from '../inventory/systems.js';
import { USAGE_METRICS } from './usage.js';

/** A place a sweep pulls a system's daily usage from (JSON API or Prometheus text), read through the probe policy. */
export const usageSourceInput = z
  .object({
    kind: z.enum(USAGE_SOURCE_KINDS),
    url: z
      .string()
      .trim()
      .max(2048)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL'),
    selector: z.string().trim().min(1).max(500),
    metric: z.enum(USAGE_METRICS),
  })
  .strict();
export type UsageSourceInput = z.infer<typeof usageSourceInput>;

export async function listUsageSources(db: Db, principal: Principal, code: string) {
  const system = (await scopedSystem(db, principal, code)).row;
  return db.select().from(usageSources).where(eq(usageSources.systemId, system.id)).orderBy(asc(usageSources.id));
}

export async function addUsageSource(db: Db, actor: Actor, code: string, input: UsageSourceInput) {
  requirePermission(actor.principal, 'write');
  const parsed = usageSourceInput.safeParse(input);
  if (!parsed.success) throw new AppError('validation_failed', 'invalid usage source', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  const system = (await scopedSystem(db, actor.principal, code)).row;
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(usageSources).values({ systemId: system.id, ...parsed.data }).returning();
    await recordAudit(tx, actor, { action: 'create', entity: 'usage_source', entityId: `${code}#${row!.id}`, after: row });
    return row!;
  });
}
