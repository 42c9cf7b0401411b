import { desc, inArray, lt, sql } from 'drizzle-orm';
import { departmentScope, requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/sql.js';
import { sweeps, sweepTargets } from '../db/schema/index.js';
import type { Deployment, Lifecycle, SystemStatus } from '../db/schema/enums.js';
import { AppError } from '../errors.js';
import type { SweepKind } from './types.js';

export interface SweepSummary {
  id: number;
  status: string;
  trigger: string;
  requestedBy: string | null;
  kinds: SweepKind[];
  createdAt: Date;
  finishedAt: Date | null;
  targets: number;
  done: number;
  ok: number;
}

/** The latest sweeps (portal-cadence visits left out: they run every hour), newest first, with their counts. */
export async function listSweeps(db: Db, principal: Principal, q: { limit: number; before?: number }): Promise<SweepSummary[]> {
  requirePermission(principal, 'read');
  const rows = await db
    .select()
    .from(sweeps)
    .where(sql`coalesce(${sweeps.slot}, '') not like 'portal:%' ${q.before ? sql`and ${lt(sweeps.id, q.before)}` : sql``}`)
    .orderBy(desc(sweeps.id))
    .limit(q.limit);
  if (!rows.length) return [];
  const counts = await db
    .select({ sweepId: sweepTargets.sweepId, done: sql<number>`count(*) filter (where ${sweepTargets.state} = 'done')::int`, ok: sql<number>`count(*) filter (where ${sweepTargets.outcome} = 'ok')::int` })
    .from(sweepTargets)
    .where(inArray(sweepTargets.sweepId, rows.map((r) => r.id)))
    .groupBy(sweepTargets.sweepId);
  const by = new Map(counts.map((c) => [c.sweepId, c]));
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    kinds: ((r.options as { kinds?: SweepKind[] }).kinds ?? []) as SweepKind[],
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    targets: r.targets,
    done: Number(by.get(r.id)?.done ?? 0),
    ok: Number(by.get(r.id)?.ok ?? 0),
  }));
}

export interface SweepFilter {
  department?: string;
  lifecycle?: Lifecycle;
  deployment?: Deployment;
  status?: SystemStatus;
}

/** Codes of the systems a sweep "by filter" covers (the principal's scope; the sweep itself skips retired and planned ones). */
export async function systemCodesMatching(db: Db, principal: Principal, f: SweepFilter): Promise<string[]> {
  requirePermission(principal, 'sweep');
  const scope = departmentScope(principal, sql`d.path`);
  const where = [sql`true`];
  if (scope) where.push(scope);
  if (f.department) {
    const [d] = rowsOf<{ path: string }>(await db.execute(sql`select path from departments where code = ${f.department}`));
    if (!d) throw new AppError('validation_failed', `unknown department ${f.department}`, [{ path: 'department', message: 'no such department' }]);
    where.push(sql`d.path like ${`${d.path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`);
  }
  if (f.lifecycle) where.push(sql`s.lifecycle = ${f.lifecycle}`);
  if (f.deployment) where.push(sql`s.deployment = ${f.deployment}`);
  if (f.status) where.push(sql`s.status = ${f.status}`);
  const res = await db.execute(sql`select s.code from systems s join departments d on d.id = s.department_id where ${sql.join(where, sql` and `)} order by s.code`);
  return rowsOf<{ code: string }>(res).map((r) => r.code);
}
