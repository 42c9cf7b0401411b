import { and, asc, desc, eq, gte } from 'drizzle-orm';
import { departmentScope } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import { addDays } from '../../reports/dates.js';
import { localDay } from '../../probes/time.js';
import type { Db } from '../db/client.js';
import { campaignItems, campaigns, departments, endpoints, endpointState, findings, probeDays, systems, usageDays } from '../db/schema/index.js';

/** Read models of the ops pages. Each respects the principal's department scope. */

export const HISTORY_DAYS = 90;

export interface ProbeDayPoint {
  day: string;
  probes: number;
  ok: number;
  meanMs: number | null;
}

export async function probeHistory(db: Db, systemId: number, now: Date): Promise<ProbeDayPoint[]> {
  const since = addDays(localDay(now), -HISTORY_DAYS + 1);
  const rows = await db
    .select({ day: probeDays.day, probes: probeDays.probes, ok: probeDays.ok, sumMs: probeDays.sumMs })
    .from(probeDays)
    .where(and(eq(probeDays.systemId, systemId), gte(probeDays.day, since)))
    .orderBy(asc(probeDays.day));
  return rows.map((r) => ({ day: r.day, probes: r.probes, ok: r.ok, meanMs: r.probes > 0 ? Math.round(Number(r.sumMs) / r.probes) : null }));
}

export interface EndpointView {
  url: string;
  role: string;
  lastOutcome: string | null;
  lastProbeAt: Date | null;
  lastOkAt: Date | null;
  ipv6: Record<string, unknown> | null;
  ipv6At: Date | null;
}

export async function endpointViews(db: Db, systemId: number): Promise<EndpointView[]> {
  const rows = await db
    .select({ url: endpoints.url, role: endpoints.role, state: endpointState })
    .from(endpoints)
    .leftJoin(endpointState, eq(endpointState.endpointId, endpoints.id))
    .where(eq(endpoints.systemId, systemId))
    .orderBy(asc(endpoints.position), asc(endpoints.id));
  return rows.map((r) => ({
    url: r.url,
    role: r.role,
    lastOutcome: r.state?.lastOutcome ?? null,
    lastProbeAt: r.state?.lastProbeAt ?? null,
    lastOkAt: r.state?.lastOkAt ?? null,
    ipv6: r.state?.ipv6 && typeof r.state.ipv6 === 'object' ? (r.state.ipv6 as Record<string, unknown>) : null,
    ipv6At: r.state?.ipv6At ?? null,
  }));
}

export interface UsageSummary {
  metric: string;
  total: number;
  days: number;
  lastDay: string;
  lastValue: number;
}

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

export interface FindingView {
  id: number;
  status: string;
  verdict: string;
  systemCode: string;
  systemName: string;
  departmentName: string;
  openedAt: Date;
  deadline: string;
  answer: { action?: string; justification?: string; targetSystemCode?: string; by?: string } | null;
  closeNote: string | null;
  reasons: Array<{ code?: string; detail?: string }>;
}

export async function findingViews(db: Db, principal: Principal, systemId?: number): Promise<FindingView[]> {
  const scoped = departmentScope(principal, departments.path);
  const rows = await db
    .select({ f: findings, systemCode: systems.code, systemName: systems.name, departmentName: departments.name })
    .from(findings)
    .innerJoin(systems, eq(systems.id, findings.systemId))
    .innerJoin(departments, eq(departments.id, findings.departmentId))
    .where(and(scoped, systemId !== undefined ? eq(findings.systemId, systemId) : undefined))
    .orderBy(desc(findings.openedAt), desc(findings.id))
    .limit(2000);
  return rows.map((r) => ({
    id: r.f.id,
    status: r.f.status,
    verdict: r.f.verdict,
    systemCode: r.systemCode,
    systemName: r.systemName,
    departmentName: r.departmentName,
    openedAt: r.f.openedAt,
    deadline: r.f.deadline,
    answer: r.f.answer && typeof r.f.answer === 'object' ? (r.f.answer as FindingView['answer']) : null,
    closeNote: r.f.closeNote,
    reasons: Array.isArray(r.f.reasons) ? (r.f.reasons as FindingView['reasons']) : [],
  }));
}

export async function systemCampaignHistory(db: Db, systemId: number) {
  return db
    .select({
      campaignId: campaigns.id,
      campaignName: campaigns.name,
      deadline: campaigns.deadline,
      state: campaignItems.state,
      confirmedByName: campaignItems.confirmedByName,
      confirmedAt: campaignItems.confirmedAt,
      note: campaignItems.note,
    })
    .from(campaignItems)
    .innerJoin(campaigns, eq(campaigns.id, campaignItems.campaignId))
    .where(eq(campaignItems.systemId, systemId))
    .orderBy(desc(campaigns.id));
}

export async function systemIdByCode(db: Db, code: string): Promise<number | null> {
  const [row] = await db.select({ id: systems.id }).from(systems).where(eq(systems.code, code));
  return row?.id ?? null;
}

/** Departments a principal may filter by (its subtree for department tokens). */
export async function departmentOptions(db: Db, principal: Principal) {
  const scoped = departmentScope(principal, departments.path);
  return db
    .select({ code: departments.code, name: departments.name, path: departments.path, level: departments.level })
    .from(departments)
    .where(scoped)
    .orderBy(asc(departments.path))
    .limit(5000);
}
