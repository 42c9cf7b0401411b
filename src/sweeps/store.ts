import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { contentChanges, endpoints, endpointState, inspectionDays, ipv6Changes, probeDays, probeResults, usageDays, usageSources } from '../db/schema/index.js';
import { INSPECTION_OPEN_MS } from '../../reports/inspection-rule.js';
import { localDay } from '../../probes/time.js';
import { intArray } from '../db/sql.js';
import { probeKindOf } from './kinds/index.js';
import type { ProbeRecord } from './types.js';

interface DayRollup {
  systemId: number;
  day: string;
  probes: number;
  ok: number;
  failed: number;
  dnsNxdomain: number;
  outcomes: Record<string, number>;
  sumMs: number;
  maxMs: number;
  certDaysLeftMin: number | null;
  contentHash: string | null;
}

/** Results of the kinds that roll up daily (liveness) folded into one row per system and day (the table reports read). */
export function rollupDays(records: ProbeRecord[], timeZone: string): DayRollup[] {
  const byKey = new Map<string, DayRollup>();
  for (const r of records) {
    if (!probeKindOf(r.kind).rollsUpDaily) continue;
    const day = localDay(r.at, timeZone);
    const key = `${r.systemId}|${day}`;
    let d = byKey.get(key);
    if (!d) byKey.set(key, (d = { systemId: r.systemId, day, probes: 0, ok: 0, failed: 0, dnsNxdomain: 0, outcomes: {}, sumMs: 0, maxMs: 0, certDaysLeftMin: null, contentHash: null }));
    d.probes++;
    if (r.outcome === 'ok') d.ok++;
    else d.failed++;
    if (r.outcome === 'dns_nxdomain') d.dnsNxdomain++;
    d.outcomes[r.outcome] = (d.outcomes[r.outcome] ?? 0) + 1;
    const ms = Math.max(0, Math.round(r.durationMs ?? 0));
    d.sumMs += ms;
    d.maxMs = Math.max(d.maxMs, ms);
    if (typeof r.certDaysLeft === 'number') d.certDaysLeftMin = d.certDaysLeftMin === null ? r.certDaysLeft : Math.min(d.certDaysLeftMin, r.certDaysLeft);
    if (r.contentHash) d.contentHash = r.contentHash;
  }
  // A stable order keeps concurrent workers from deadlocking on the same rows.
  return [...byKey.values()].sort((a, b) => a.systemId - b.systemId || a.day.localeCompare(b.day));
}

/**
 * Stores a batch of probe records in one transaction (the caller's): raw results, daily rollups,
 * each endpoint's latest state and content-change history, and pulled usage values.
 */
export async function storeProbeRecords(db: Db, records: ProbeRecord[], timeZone: string): Promise<void> {
  if (!records.length) return;
  // One JSON parameter per chunk: the insert costs one statement, not a bound parameter per cell.
  for (let i = 0; i < records.length; i += 1000) {
    const rows = records.slice(i, i + 1000).map((r) => ({
      sweep_id: r.sweepId,
      system_id: r.systemId,
      endpoint_id: r.endpointId,
      kind: r.kind,
      url: r.url,
      at: r.at.toISOString(),
      outcome: r.outcome,
      http_status: r.httpStatus,
      duration_ms: r.durationMs === null ? null : Math.round(r.durationMs),
      detail: r.detail,
      content_hash: r.contentHash,
    }));
    await db.execute(sql`
      insert into ${probeResults} (sweep_id, system_id, endpoint_id, kind, url, at, outcome, http_status, duration_ms, detail, content_hash)
      select sweep_id, system_id, endpoint_id, kind, url, at, outcome, http_status, duration_ms, detail, content_hash
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(sweep_id int, system_id int, endpoint_id int, kind text, url text, at timestamptz, outcome text, http_status smallint, duration_ms int, detail jsonb, content_hash text)`);
  }

  const days = rollupDays(records, timeZone);
  if (days.length) {
    // Built by hand as one JSON parameter: drizzle's per-cell query building showed in the profile.
    const rows = days.map((d) => ({
      system_id: d.systemId,
      day: d.day,
      probes: d.probes,
      ok: d.ok,
      failed: d.failed,
      dns_nxdomain: d.dnsNxdomain,
      outcomes: d.outcomes,
      sum_ms: d.sumMs,
      max_ms: d.maxMs,
      cert_days_left_min: d.certDaysLeftMin,
      content_hash: d.contentHash,
    }));
    await db.execute(sql`
      insert into ${probeDays} as p (system_id, day, probes, ok, failed, dns_nxdomain, outcomes, sum_ms, max_ms, cert_days_left_min, content_hash)
      select system_id, day, probes, ok, failed, dns_nxdomain, outcomes, sum_ms, max_ms, cert_days_left_min, content_hash
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(system_id int, day date, probes int, ok int, failed int, dns_nxdomain int, outcomes jsonb, sum_ms bigint, max_ms int, cert_days_left_min int, content_hash text)
      on conflict (system_id, day) do update set
        probes = p.probes + excluded.probes,
        ok = p.ok + excluded.ok,
        failed = p.failed + excluded.failed,
        dns_nxdomain = p.dns_nxdomain + excluded.dns_nxdomain,
        outcomes = jsonb_add_counts(p.outcomes, excluded.outcomes),
        sum_ms = p.sum_ms + excluded.sum_ms,
        max_ms = greatest(p.max_ms, excluded.max_ms),
        cert_days_left_min = least(p.cert_days_left_min, excluded.cert_days_left_min),
        content_hash = coalesce(excluded.content_hash, p.content_hash)`);
  }

  await storeEndpointState(db, records);
  await storeInspectionDays(db, records, timeZone);

  const usage = records.filter((r) => r.kind === 'usage_pull' && r.usage && r.outcome === 'ok');
  if (usage.length) {
    const rows = new Map<string, typeof usageDays.$inferInsert>();
    for (const r of usage) rows.set(`${r.systemId}|${r.usage!.day}|${r.usage!.metric}`, { systemId: r.systemId, day: r.usage!.day, metric: r.usage!.metric, source: 'pull', value: r.usage!.value, updatedAt: r.at });
    await db
      .insert(usageDays)
      .values([...rows.values()].sort((a, b) => a.systemId - b.systemId))
      .onConflictDoUpdate({ target: [usageDays.systemId, usageDays.day, usageDays.metric, usageDays.source], set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` } });
  }
  const pulled = records.filter((r) => r.kind === 'usage_pull' && r.usage);
  for (const r of pulled) {
    await db.update(usageSources).set({ lastPulledAt: r.at, lastOutcome: r.outcome }).where(sql`${usageSources.id} = ${r.usage!.sourceId}`);
  }
}

const rate = (n: unknown) => (typeof n === 'number' ? n : null);

/** What makes an IPv6 result worth a history row: its grade and link rates (to the percent). */
function ipv6Key(v: unknown): string {
  const x = (v ?? {}) as { grade?: unknown; secondLevelRate?: unknown; thirdLevelRate?: unknown };
  const pct = (n: unknown) => (typeof n === 'number' ? Math.round(n * 100) : '-');
  return x.grade === undefined ? '' : `${String(x.grade)}|${pct(x.secondLevelRate)}|${pct(x.thirdLevelRate)}`;
}

const gradeOf = (v: unknown): string | undefined => {
  const g = (v ?? {}) as { grade?: unknown };
  return typeof g.grade === 'string' ? g.grade : undefined;
};

export interface Ipv6StoredState {
  /** The stored (stable) result, the one verdicts and reports read, and when it was measured. */
  ipv6: unknown;
  ipv6At: Date | null | undefined;
  /** A result with another grade, seen once, waiting for confirmation. */
  pending: unknown;
  pendingAt: Date | null | undefined;
}

/**
 * Hysteresis of the IPv6 grade: a result with the stored grade replaces the stored result (new link
 * rates are figures, not a change of grade) and drops any pending grade; a result with another grade is
 * only pending until the next sweep sees the same grade again, and then becomes the stored result. The
 * history row of a confirmed change is dated when the new grade was first seen: it held from then on.
 * The first result of an endpoint is stored at once (there is nothing to flap from).
 */
export function ipv6Step(prev: Ipv6StoredState, result: Record<string, unknown>, at: Date): { state: Ipv6StoredState; history: Array<{ at: Date; ipv6: Record<string, unknown> }> } {
  const grade = gradeOf(result);
  if (grade === undefined) return { state: prev, history: [] };
  const stored = gradeOf(prev.ipv6);
  const history: Array<{ at: Date; ipv6: Record<string, unknown> }> = [];
  if (stored === undefined || stored === grade) {
    if (ipv6Key(result) !== ipv6Key(prev.ipv6)) history.push({ at, ipv6: result });
    return { state: { ipv6: result, ipv6At: at, pending: null, pendingAt: null }, history };
  }
  if (gradeOf(prev.pending) === grade && prev.pendingAt) {
    const first = prev.pending as Record<string, unknown>;
    history.push({ at: prev.pendingAt, ipv6: first });
    if (ipv6Key(result) !== ipv6Key(first)) history.push({ at, ipv6: result });
    return { state: { ipv6: result, ipv6At: at, pending: null, pendingAt: null }, history };
  }
  return { state: { ...prev, pending: result, pendingAt: at }, history };
}

async function storeEndpointState(db: Db, records: ProbeRecord[]): Promise<void> {
  const byEndpoint = new Map<number, ProbeRecord[]>();
  for (const r of records) {
    if (r.endpointId === null || probeKindOf(r.kind).target !== 'endpoint') continue;
    const list = byEndpoint.get(r.endpointId) ?? [];
    list.push(r);
    byEndpoint.set(r.endpointId, list);
  }
  if (!byEndpoint.size) return;
  const ids = [...byEndpoint.keys()].sort((a, b) => a - b);
  const current = new Map(
    (await db.select().from(endpointState).where(inArray(endpointState.endpointId, ids))).map((s) => [s.endpointId, s]),
  );
  const changes: Array<typeof contentChanges.$inferInsert> = [];
  const ipv6History: Array<typeof ipv6Changes.$inferInsert> = [];
  const rows: Array<typeof endpointState.$inferInsert> = [];
  for (const id of ids) {
    const list = byEndpoint.get(id)!.sort((a, b) => a.at.getTime() - b.at.getTime());
    const prev = current.get(id);
    const next: typeof endpointState.$inferInsert = prev ? { ...prev } : { endpointId: id, systemId: list[0]!.systemId };
    for (const r of list) {
      if (r.kind === 'liveness') {
        next.lastProbeAt = r.at;
        next.lastOutcome = r.outcome;
        if (r.outcome === 'ok') next.lastOkAt = r.at;
        if (r.title !== undefined && r.title !== null) next.title = r.title.slice(0, 500);
        if (r.cert !== undefined) next.cert = r.cert;
        if (r.lastModified) next.lastModified = r.lastModified;
        if (r.contentHash && r.outcome === 'ok' && r.contentHash !== next.contentHash) {
          next.contentHash = r.contentHash;
          next.contentChangedAt = r.at;
          changes.push({ endpointId: id, systemId: r.systemId, at: r.at, contentHash: r.contentHash });
        }
      } else if (r.kind === 'ipv6' && r.ipv6) {
        const step = ipv6Step({ ipv6: next.ipv6, ipv6At: next.ipv6At, pending: next.ipv6Pending, pendingAt: next.ipv6PendingAt }, r.ipv6, r.at);
        for (const h of step.history) {
          ipv6History.push({ endpointId: id, systemId: r.systemId, at: h.at, grade: String(h.ipv6.grade), secondLevelRate: rate(h.ipv6.secondLevelRate), thirdLevelRate: rate(h.ipv6.thirdLevelRate) });
        }
        next.ipv6 = step.state.ipv6;
        next.ipv6At = step.state.ipv6At;
        next.ipv6Pending = step.state.pending;
        next.ipv6PendingAt = step.state.pendingAt;
      } else if (r.kind === 'freshness' && r.sitemapLastmod) {
        next.sitemapLastmod = r.sitemapLastmod;
      }
    }
    rows.push(next);
  }
  if (changes.length) {
    const changeRows = changes.map((c) => ({ endpoint_id: c.endpointId, system_id: c.systemId, at: c.at, content_hash: c.contentHash }));
    await db.execute(sql`
      insert into ${contentChanges} (endpoint_id, system_id, at, content_hash)
      select endpoint_id, system_id, at, content_hash
      from jsonb_to_recordset(${JSON.stringify(changeRows)}::jsonb) as x(endpoint_id int, system_id int, at timestamptz, content_hash text)`);
  }
  if (ipv6History.length) await db.insert(ipv6Changes).values(ipv6History);
  const stateRows = rows.map((r) => ({
    endpoint_id: r.endpointId,
    system_id: r.systemId,
    last_probe_at: r.lastProbeAt ?? null,
    last_outcome: r.lastOutcome ?? null,
    last_ok_at: r.lastOkAt ?? null,
    content_hash: r.contentHash ?? null,
    content_changed_at: r.contentChangedAt ?? null,
    last_modified: r.lastModified ?? null,
    sitemap_lastmod: r.sitemapLastmod ?? null,
    title: r.title ?? null,
    cert: r.cert ?? null,
    ipv6: r.ipv6 ?? null,
    ipv6_at: r.ipv6At ?? null,
    ipv6_pending: r.ipv6Pending ?? null,
    ipv6_pending_at: r.ipv6PendingAt ?? null,
  }));
  await db.execute(sql`
    insert into ${endpointState} (endpoint_id, system_id, last_probe_at, last_outcome, last_ok_at, content_hash, content_changed_at, last_modified, sitemap_lastmod, title, cert, ipv6, ipv6_at, ipv6_pending, ipv6_pending_at)
    select endpoint_id, system_id, last_probe_at, last_outcome, last_ok_at, content_hash, content_changed_at, last_modified, sitemap_lastmod, title, cert, ipv6, ipv6_at, ipv6_pending, ipv6_pending_at
    from jsonb_to_recordset(${JSON.stringify(stateRows)}::jsonb) as x(endpoint_id int, system_id int, last_probe_at timestamptz, last_outcome text, last_ok_at timestamptz, content_hash text, content_changed_at timestamptz, last_modified timestamptz, sitemap_lastmod timestamptz, title text, cert jsonb, ipv6 jsonb, ipv6_at timestamptz, ipv6_pending jsonb, ipv6_pending_at timestamptz)
    on conflict (endpoint_id) do update set
      last_probe_at = excluded.last_probe_at, last_outcome = excluded.last_outcome, last_ok_at = excluded.last_ok_at,
      content_hash = excluded.content_hash, content_changed_at = excluded.content_changed_at, last_modified = excluded.last_modified,
      sitemap_lastmod = excluded.sitemap_lastmod, title = excluded.title, cert = excluded.cert, ipv6 = excluded.ipv6, ipv6_at = excluded.ipv6_at,
      ipv6_pending = excluded.ipv6_pending, ipv6_pending_at = excluded.ipv6_pending_at`);
}

/** Outcomes that are not visits of the site: our own policy refused, or a WAF challenged our prober. */
const NOT_A_VISIT: ReadonlySet<string> = new Set(['blocked_by_policy', 'challenged']);

/** Liveness results of portal endpoints folded into visits per endpoint and local day (the inspection rule's counts). */
export function inspectionRollup(records: ProbeRecord[], portalIds: ReadonlySet<number>, timeZone: string) {
  const byKey = new Map<string, { endpointId: number; systemId: number; day: string; visits: number; notOpened: number }>();
  for (const r of records) {
    if (r.kind !== 'liveness' || r.endpointId === null || !portalIds.has(r.endpointId) || NOT_A_VISIT.has(r.outcome)) continue;
    const day = localDay(r.at, timeZone);
    const key = `${r.endpointId}|${day}`;
    let d = byKey.get(key);
    if (!d) byKey.set(key, (d = { endpointId: r.endpointId, systemId: r.systemId, day, visits: 0, notOpened: 0 }));
    d.visits++;
    if (r.outcome !== 'ok' || (r.durationMs ?? 0) > INSPECTION_OPEN_MS) d.notOpened++;
  }
  return [...byKey.values()].sort((a, b) => a.endpointId - b.endpointId || a.day.localeCompare(b.day));
}

async function storeInspectionDays(db: Db, records: ProbeRecord[], timeZone: string): Promise<void> {
  const ids = [...new Set(records.filter((r) => r.kind === 'liveness' && r.endpointId !== null).map((r) => r.endpointId!))];
  if (!ids.length) return;
  const portals = new Set((await db.select({ id: endpoints.id }).from(endpoints).where(sql`${endpoints.id} = any(${intArray(ids)}) and ${endpoints.role} = 'portal'`)).map((r) => r.id));
  const rows = inspectionRollup(records, portals, timeZone).map((d) => ({ endpoint_id: d.endpointId, system_id: d.systemId, day: d.day, visits: d.visits, not_opened: d.notOpened }));
  if (!rows.length) return;
  await db.execute(sql`
    insert into ${inspectionDays} as i (endpoint_id, system_id, day, visits, not_opened)
    select endpoint_id, system_id, day, visits, not_opened
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(endpoint_id int, system_id int, day date, visits int, not_opened int)
    on conflict (endpoint_id, day) do update set visits = i.visits + excluded.visits, not_opened = i.not_opened + excluded.not_opened`);
}
