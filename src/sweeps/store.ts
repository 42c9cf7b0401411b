import { sql } from 'drizzle-orm';
import { intArray } from '../db/sql.js';
import type { Db } from '../db/client.js';
import { endpointState, probeDays, probeResults } from '../db/schema/index.js';
import { localDay } from '../../probes/time.js';
import { probeKindOf, type ProbeKind, type ProbeKindSpec } from './kinds/index.js';
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
 * each endpoint's latest state (folded by each kind's `endpointState`), and what each kind's `store`
 * hook writes. No kind is named here: each kind's spec says what its records feed.
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

  // What each kind feeds besides: its own tables (a hook of its spec in src/sweeps/kinds/).
  const byKind = new Map<ProbeKindSpec<ProbeKind>, ProbeRecord[]>();
  for (const r of records) {
    const spec = probeKindOf(r.kind);
    if (!spec.store) continue;
    const list = byKind.get(spec) ?? [];
    list.push(r);
    byKind.set(spec, list);
  }
  for (const [spec, list] of byKind) await spec.store!(db, list, { timeZone });
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
    (await db.select().from(endpointState).where(sql`${endpointState.endpointId} = any(${intArray(ids)})`)).map((s) => [s.endpointId, s]),
  );
  const folds = new Map<ProbeKindSpec<ProbeKind>, unknown>();
  const rows: Array<typeof endpointState.$inferInsert> = [];
  for (const id of ids) {
    const list = byEndpoint.get(id)!.sort((a, b) => a.at.getTime() - b.at.getTime());
    const prev = current.get(id);
    const next: typeof endpointState.$inferInsert = prev ? { ...prev } : { endpointId: id, systemId: list[0]!.systemId };
    for (const r of list) {
      const fold = probeKindOf(r.kind).endpointState;
      if (!fold) continue;
      if (!folds.has(probeKindOf(r.kind))) folds.set(probeKindOf(r.kind), fold.init());
      fold.fold(next, r, folds.get(probeKindOf(r.kind)));
    }
    rows.push(next);
  }
  for (const [spec, acc] of folds) await spec.endpointState!.flush(db, acc);
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

export { ipv6Step, type Ipv6StoredState } from './kinds/ipv6.js';
export { inspectionRollup } from './kinds/liveness.js';
