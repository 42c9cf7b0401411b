import { and, asc, desc, eq, gte } from 'drizzle-orm';
import { addDays } from '../../reports/dates.js';
import { localDay } from '../../probes/time.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { endpoints, endpointState, probeDays, probeResults } from '../db/schema/index.js';
import { scopedSystem } from '../inventory/systems.js';
import type { ProbeKind } from './kinds/index.js';

export interface ProbeResultQuery {
  kind?: ProbeKind;
  /** ISO date or date-time: results at or after it. */
  since?: string;
  limit: number;
}

export interface ProbeResultDto {
  id: number;
  kind: string;
  url: string;
  at: string;
  outcome: string;
  httpStatus: number | null;
  durationMs: number | null;
  detail: unknown;
}

/** Raw probe results of a system the principal may read, newest first. */
export async function listProbeResults(db: Db, principal: Principal, code: string, q: ProbeResultQuery): Promise<ProbeResultDto[]> {
  const system = (await scopedSystem(db, principal, code)).row;
  const rows = await db
    .select()
    .from(probeResults)
    .where(and(eq(probeResults.systemId, system.id), q.kind ? eq(probeResults.kind, q.kind) : undefined, q.since ? gte(probeResults.at, new Date(q.since)) : undefined))
    .orderBy(desc(probeResults.at), desc(probeResults.id))
    .limit(q.limit);
  return rows.map((r) => ({ id: r.id, kind: r.kind, url: r.url, at: r.at.toISOString(), outcome: r.outcome, httpStatus: r.httpStatus, durationMs: r.durationMs, detail: r.detail }));
}

/** Days of probe and usage history the system page shows. */
export const HISTORY_DAYS = 90;

export interface ProbeDayPoint {
  day: string;
  probes: number;
  ok: number;
  meanMs: number | null;
}

/** Daily probe counts of a system over the last HISTORY_DAYS (callers have checked the system's scope). */
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

/** A system's endpoints with their last probe outcome and IPv6 grade. */
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
