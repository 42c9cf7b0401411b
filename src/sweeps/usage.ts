import { and, asc, eq, gte, sql } from 'drizzle-orm';
import { requirePermission } from '../auth/access.js';
import type { Actor } from '../audit/index.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { scopedSystem } from '../inventory/systems.js';
import { usageDays } from '../db/schema/index.js';
import { addDays } from '../../reports/dates.js';
import { localDay } from '../../probes/time.js';
import { HISTORY_DAYS } from './results.js';

import { USAGE_METRICS, type UsageMetric } from '../../reports/codes.js';

export { USAGE_METRICS, type UsageMetric };

export interface UsagePoint {
  date: string;
  metric: UsageMetric;
  value: number;
}

/** Stores usage for a system: the same day, metric and source replaces, never adds. */
export async function upsertUsage(db: Db, systemId: number, points: UsagePoint[], source: 'push' | 'pull' | 'log', now: Date): Promise<number> {
  if (!points.length) return 0;
  // The last value for a day and metric in one request wins, as a repeated post would.
  const rows = new Map<string, typeof usageDays.$inferInsert>();
  for (const p of points) rows.set(`${p.date}|${p.metric}`, { systemId, day: p.date, metric: p.metric, source, value: p.value, updatedAt: now });
  const list = [...rows.values()].sort((a, b) => a.day.localeCompare(b.day) || a.metric.localeCompare(b.metric));
  for (let i = 0; i < list.length; i += 1000) {
    await db
      .insert(usageDays)
      .values(list.slice(i, i + 1000))
      .onConflictDoUpdate({ target: [usageDays.systemId, usageDays.day, usageDays.metric, usageDays.source], set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` } });
  }
  return list.length;
}

export async function listUsage(db: Db, systemId: number, since?: string) {
  return db
    .select({ date: usageDays.day, metric: usageDays.metric, source: usageDays.source, value: usageDays.value })
    .from(usageDays)
    .where(and(eq(usageDays.systemId, systemId), since ? gte(usageDays.day, since) : undefined))
    .orderBy(asc(usageDays.day), asc(usageDays.metric));
}

/** Daily usage of a system the principal may read. */
export async function systemUsage(db: Db, principal: Principal, code: string, since?: string) {
  const system = (await scopedSystem(db, principal, code)).row;
  return listUsage(db, system.id, since);
}

/** Usage pushed for a system in the actor's scope; the same day and metric replaces. */
export async function pushSystemUsage(db: Db, actor: Actor, code: string, points: UsagePoint[], now: Date): Promise<number> {
  requirePermission(actor.principal, 'write');
  const system = (await scopedSystem(db, actor.principal, code)).row;
  return upsertUsage(db, system.id, points, 'push', now);
}

export interface UsageSummary {
  metric: string;
  total: number;
  days: number;
  lastDay: string;
  lastValue: number;
}

/** Usage of a system by metric over the last HISTORY_DAYS (callers have checked the system's scope). */
export async function usageSummary(db: Db, systemId: number, now: Date): Promise<UsageSummary[]> {
  const since = addDays(localDay(now), -HISTORY_DAYS + 1);
  const rows = await db
    .select({ day: usageDays.day, metric: usageDays.metric, value: usageDays.value })
    .from(usageDays)
    .where(and(eq(usageDays.systemId, systemId), gte(usageDays.day, since)))
    .orderBy(asc(usageDays.day));
  // Several sources (push, pull, log) may report the same day and metric: take the largest, not the sum.
  const perDay = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const m = perDay.get(r.metric) ?? new Map<string, number>();
    m.set(r.day, Math.max(m.get(r.day) ?? 0, r.value));
    perDay.set(r.metric, m);
  }
  return [...perDay.entries()].map(([metric, days]) => {
    const sorted = [...days.entries()].sort((a, b) => a[0].localeCompare(b[0]));
    const last = sorted[sorted.length - 1]!;
    return { metric, total: sorted.reduce((s, [, v]) => s + v, 0), days: sorted.length, lastDay: last[0], lastValue: last[1] };
  });
}
