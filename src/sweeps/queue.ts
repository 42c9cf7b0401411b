import { and, eq, inArray, sql } from 'drizzle-orm';
import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { intArray, rowCount, rowsOf } from '../db/sql.js';
import { endpoints, sweeps, sweepTargets, systems, usageSources } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { DEFAULT_SWEEP_KINDS, kindsFor } from './kinds/index.js';
import type { LeasedTarget, SweepKind } from './types.js';

export interface CreateSweepInput {
  trigger: 'cli' | 'api' | 'cron';
  requestedBy?: string;
  /** System codes; all judged systems when absent. */
  systems?: string[];
  kinds?: SweepKind[];
  /** Unique schedule slot: a second create with the same slot returns the existing sweep. */
  slot?: string;
  /** Only endpoints of these roles (e.g. `portal` for the portal cadence); all when absent. */
  roles?: Array<'portal' | 'app' | 'api' | 'admin'>;
}

/** Systems that are probed: everything not planned and not retired. */
const PROBED_LIFECYCLES = ['construction', 'live', 'decommissioning'] as const;

/**
 * Creates a sweep and its queue of targets in one transaction: one target per endpoint of each probed
 * system, plus one per enabled usage source when the sweep pulls usage.
 */
export async function createSweep(db: Db, input: CreateSweepInput, now: Date): Promise<{ id: number; targets: number; created: boolean }> {
  const kinds = input.kinds?.length ? [...new Set(input.kinds)] : [...DEFAULT_SWEEP_KINDS];
  return db.transaction(async (tx) => {
    if (input.slot) {
      const inserted = await tx
        .insert(sweeps)
        .values({ trigger: input.trigger, requestedBy: input.requestedBy, options: { kinds, systems: input.systems ?? null }, slot: input.slot, createdAt: now, status: 'running', startedAt: now })
        .onConflictDoNothing({ target: sweeps.slot })
        .returning({ id: sweeps.id });
      if (!inserted.length) {
        const [existing] = await tx.select({ id: sweeps.id, targets: sweeps.targets }).from(sweeps).where(eq(sweeps.slot, input.slot));
        return { id: existing!.id, targets: existing!.targets, created: false };
      }
      return fillSweep(tx, inserted[0]!.id, input, kinds);
    }
    const [row] = await tx
      .insert(sweeps)
      .values({ trigger: input.trigger, requestedBy: input.requestedBy, options: { kinds, systems: input.systems ?? null }, createdAt: now, status: 'running', startedAt: now })
      .returning({ id: sweeps.id });
    return fillSweep(tx, row!.id, input, kinds);
  });
}

async function fillSweep(tx: Db, sweepId: number, input: CreateSweepInput, kinds: SweepKind[]) {
  let systemIds: number[] | undefined;
  if (input.systems?.length) {
    const codes = [...new Set(input.systems)];
    const found = await tx.select({ id: systems.id, code: systems.code }).from(systems).where(inArray(systems.code, codes));
    const missing = codes.filter((c) => !found.some((f) => f.code === c));
    if (missing.length) {
      throw new AppError('validation_failed', `unknown system ${missing[0]}${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}`, missing.map((m) => ({ path: 'systems', message: `no system ${m}` })));
    }
    systemIds = found.map((f) => f.id);
  }
  const systemFilter = and(
    inArray(systems.lifecycle, [...PROBED_LIFECYCLES]),
    systemIds ? inArray(systems.id, systemIds) : undefined,
  );
  let count = 0;
  if (kindsFor('endpoint', kinds).length) {
    const res = await tx.execute(sql`
      insert into ${sweepTargets} (sweep_id, system_id, endpoint_id, kind, url)
      select ${sweepId}, ${endpoints.systemId}, ${endpoints.id}, 'endpoint', ${endpoints.url}
      from ${endpoints} join ${systems} on ${systems.id} = ${endpoints.systemId}
      where ${systemFilter} ${input.roles?.length ? sql`and ${inArray(endpoints.role, input.roles)}` : sql``}
      order by ${endpoints.id}
      returning 1`);
    count += rowCount(res);
  }
  if (kindsFor('usage_source', kinds).length) {
    const res = await tx.execute(sql`
      insert into ${sweepTargets} (sweep_id, system_id, usage_source_id, kind, url)
      select ${sweepId}, ${usageSources.systemId}, ${usageSources.id}, 'usage_source', ${usageSources.url}
      from ${usageSources} join ${systems} on ${systems.id} = ${usageSources.systemId}
      where ${usageSources.enabled} and ${systemFilter}
      returning 1`);
    count += rowCount(res);
  }
  await tx.update(sweeps).set({ targets: count, ...(count === 0 ? { status: 'done', finishedAt: new Date() } : {}) }).where(eq(sweeps.id, sweepId));
  return { id: sweepId, targets: count, created: true };
}

/**
 * Leases up to `limit` targets that are pending, or whose lease expired (their worker died), with
 * FOR UPDATE SKIP LOCKED so concurrent workers never take the same target.
 */
export async function leaseTargets(db: Db, opts: { sweepId?: number; workerId: string; limit: number; leaseMs: number; now: Date }): Promise<LeasedTarget[]> {
  const until = new Date(opts.now.getTime() + opts.leaseMs);
  const now = opts.now.toISOString();
  const inSweep = opts.sweepId !== undefined ? sql`t.sweep_id = ${opts.sweepId}` : sql`t.sweep_id in (select id from sweeps where status = 'running')`;
  // Expired leases and pending targets are looked up apart, each straight from the queue index
  // (sweep_id, state, id): one query with an OR walks every target done so far, at each lease.
  const res = await db.execute(sql`
    with expired as (
      select t.id from sweep_targets t
      where ${inSweep} and t.state = 'leased' and t.lease_until < ${now}::timestamptz
      order by t.id limit ${opts.limit}
      for update skip locked
    ), pending as (
      select t.id from sweep_targets t
      where ${inSweep} and t.state = 'pending'
      order by t.id limit ${opts.limit}
      for update skip locked
    )
    update sweep_targets s set state = 'leased', leased_by = ${opts.workerId}, lease_until = ${until.toISOString()}::timestamptz, attempts = s.attempts + 1
    where s.id = any(array(select id from (select id from expired union all select id from pending) u order by id limit ${opts.limit}))
    returning s.id, s.sweep_id, s.system_id, s.endpoint_id, s.usage_source_id, s.kind, s.url, s.attempts`);
  return rowsOf<Record<string, unknown>>(res).map((r) => ({
    id: Number(r.id),
    sweepId: Number(r.sweep_id),
    systemId: Number(r.system_id),
    endpointId: r.endpoint_id === null ? null : Number(r.endpoint_id),
    usageSourceId: r.usage_source_id === null ? null : Number(r.usage_source_id),
    kind: r.kind as LeasedTarget['kind'],
    url: String(r.url),
    attempts: Number(r.attempts),
  }));
}

/** Extends this worker's leases on targets still in flight. */
export async function renewLeases(db: Db, workerId: string, ids: number[], leaseMs: number, now: Date): Promise<void> {
  if (!ids.length) return;
  await db
    .update(sweepTargets)
    .set({ leaseUntil: new Date(now.getTime() + leaseMs) })
    .where(and(eq(sweepTargets.leasedBy, workerId), eq(sweepTargets.state, 'leased'), inArray(sweepTargets.id, ids)));
}

/**
 * Marks targets done if this worker still holds their lease; returns the ids it may store results
 * for. A worker whose lease expired and was taken over stores nothing: no duplicated result.
 */
export async function claimCompletion(db: Db, workerId: string, done: Array<{ id: number; outcome: string }>, now: Date): Promise<Set<number>> {
  const byOutcome = new Map<string, number[]>();
  for (const d of done) {
    const ids = byOutcome.get(d.outcome);
    if (ids) ids.push(d.id);
    else byOutcome.set(d.outcome, [d.id]);
  }
  // One statement per outcome (a batch has a handful), each target looked up by its key. A join with
  // the batch as a set function let the planner, with the statistics of a queue just filled, estimate
  // one leased row and loop over the whole batch for every leased target: 2 s for a batch of 3,675.
  const owned = new Set<number>();
  for (const [outcome, ids] of byOutcome) {
    const res = await db.execute(sql`
      update sweep_targets set state = 'done', outcome = ${outcome}, done_at = ${now.toISOString()}::timestamptz
      where id = any(${intArray(ids.sort((a, b) => a - b), 'bigint')}) and state = 'leased' and leased_by = ${workerId}
      returning id`);
    for (const r of rowsOf<{ id: unknown }>(res)) owned.add(Number(r.id));
  }
  return owned;
}

/** Target states still to do: spelt out (not `<> 'done'`) so the queue index answers. */
export const UNFINISHED = ['pending', 'leased'] as const;

/** Marks the sweep done once no target is left; true when this call finished it. */
export async function finishSweepIfComplete(db: Db, sweepId: number, now: Date): Promise<boolean> {
  const res = await db.execute(sql`
    update sweeps set status = 'done', finished_at = ${now.toISOString()}::timestamptz
    where id = ${sweepId} and status = 'running'
      and not exists (select 1 from sweep_targets where sweep_id = ${sweepId} and state in ('pending', 'leased'))
    returning id`);
  return rowsOf(res).length > 0;
}

export interface SweepProgress {
  id: number;
  status: string;
  trigger: string;
  requestedBy: string | null;
  kinds: SweepKind[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  targets: number;
  done: number;
  pending: number;
  leased: number;
  ok: number;
  failed: number;
  outcomes: Record<string, number>;
  seconds: number | null;
}

/** Progress of a sweep, for a principal that may read. */
export async function readSweepProgress(db: Db, principal: Principal, id: number, now: Date): Promise<SweepProgress> {
  requirePermission(principal, 'read');
  return sweepProgress(db, id, now);
}

export async function sweepProgress(db: Db, id: number, now: Date): Promise<SweepProgress> {
  const [s] = await db.select().from(sweeps).where(eq(sweeps.id, id));
  if (!s) throw notFound(`sweep ${id}`);
  const rows = await db
    .select({ state: sweepTargets.state, outcome: sweepTargets.outcome, n: sql<number>`count(*)::int` })
    .from(sweepTargets)
    .where(eq(sweepTargets.sweepId, id))
    .groupBy(sweepTargets.state, sweepTargets.outcome);
  const outcomes: Record<string, number> = {};
  let done = 0;
  let pending = 0;
  let leased = 0;
  for (const r of rows) {
    if (r.state === 'done') {
      done += r.n;
      outcomes[r.outcome ?? 'unknown'] = (outcomes[r.outcome ?? 'unknown'] ?? 0) + r.n;
    } else if (r.state === 'pending') pending += r.n;
    else leased += r.n;
  }
  const ok = outcomes.ok ?? 0;
  const end = s.finishedAt ?? now;
  return {
    id: s.id,
    status: s.status,
    trigger: s.trigger,
    requestedBy: s.requestedBy,
    kinds: ((s.options as { kinds?: SweepKind[] }).kinds ?? []) as SweepKind[],
    createdAt: s.createdAt.toISOString(),
    startedAt: s.startedAt?.toISOString() ?? null,
    finishedAt: s.finishedAt?.toISOString() ?? null,
    targets: s.targets,
    done,
    pending,
    leased,
    ok,
    failed: done - ok,
    outcomes,
    seconds: s.startedAt ? Math.round((end.getTime() - s.startedAt.getTime()) / 100) / 10 : null,
  };
}

/** Targets waiting in running sweeps, for the queue-depth metric. */
export async function queueDepth(db: Db): Promise<number> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sweepTargets)
    .innerJoin(sweeps, eq(sweeps.id, sweepTargets.sweepId))
    .where(and(eq(sweeps.status, 'running'), inArray(sweepTargets.state, UNFINISHED)));
  return r?.n ?? 0;
}

export async function sweepKinds(db: Db, sweepId: number): Promise<SweepKind[]> {
  const [s] = await db.select({ options: sweeps.options }).from(sweeps).where(eq(sweeps.id, sweepId));
  return ((s?.options as { kinds?: SweepKind[] })?.kinds ?? ['liveness']) as SweepKind[];
}

