import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { contentChanges, endpointState, probeDays, probeResults, usageDays, usageSources } from '../db/schema/index.js';
import { dayIn } from './days.js';
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

/** Liveness results folded into one row per system and day (the table reports read). */
export function rollupDays(records: ProbeRecord[], timeZone: string): DayRollup[] {
  const byKey = new Map<string, DayRollup>();
  for (const r of records) {
    if (r.kind !== 'liveness') continue;
    const day = dayIn(timeZone, r.at);
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
  for (let i = 0; i < records.length; i += 500) {
    await db.insert(probeResults).values(
      records.slice(i, i + 500).map((r) => ({
        sweepId: r.sweepId,
        systemId: r.systemId,
        endpointId: r.endpointId,
        kind: r.kind,
        url: r.url,
        at: r.at,
        outcome: r.outcome,
        httpStatus: r.httpStatus,
        durationMs: r.durationMs === null ? null : Math.round(r.durationMs),
        detail: r.detail,
        contentHash: r.contentHash,
      })),
    );
  }

  const days = rollupDays(records, timeZone);
  if (days.length) {
    await db
      .insert(probeDays)
      .values(days)
      .onConflictDoUpdate({
        target: [probeDays.systemId, probeDays.day],
        set: {
          probes: sql`${probeDays.probes} + excluded.probes`,
          ok: sql`${probeDays.ok} + excluded.ok`,
          failed: sql`${probeDays.failed} + excluded.failed`,
          dnsNxdomain: sql`${probeDays.dnsNxdomain} + excluded.dns_nxdomain`,
          outcomes: sql`jsonb_add_counts(${probeDays.outcomes}, excluded.outcomes)`,
          sumMs: sql`${probeDays.sumMs} + excluded.sum_ms`,
          maxMs: sql`greatest(${probeDays.maxMs}, excluded.max_ms)`,
          certDaysLeftMin: sql`least(${probeDays.certDaysLeftMin}, excluded.cert_days_left_min)`,
          contentHash: sql`coalesce(excluded.content_hash, ${probeDays.contentHash})`,
        },
      });
  }

  await storeEndpointState(db, records);

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

async function storeEndpointState(db: Db, records: ProbeRecord[]): Promise<void> {
  const byEndpoint = new Map<number, ProbeRecord[]>();
  for (const r of records) {
    if (r.endpointId === null || r.kind === 'usage_pull') continue;
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
        next.ipv6 = r.ipv6;
        next.ipv6At = r.at;
      } else if (r.kind === 'freshness' && r.sitemapLastmod) {
        next.sitemapLastmod = r.sitemapLastmod;
      }
    }
    rows.push(next);
  }
  if (changes.length) await db.insert(contentChanges).values(changes);
  const updatable = Object.fromEntries(
    (['lastProbeAt', 'lastOutcome', 'lastOkAt', 'contentHash', 'contentChangedAt', 'lastModified', 'sitemapLastmod', 'title', 'cert', 'ipv6', 'ipv6At'] as const).map((k) => [
      k,
      sql.raw(`excluded.${snake(k)}`),
    ]),
  );
  await db.insert(endpointState).values(rows).onConflictDoUpdate({ target: endpointState.endpointId, set: updatable });
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Deletes raw results older than the retention; rollups stay. Returns the number deleted. */
export async function pruneProbeResults(db: Db, retentionDays: number, now: Date): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const res = await db.delete(probeResults).where(sql`${probeResults.at} < ${cutoff.toISOString()}::timestamptz`).returning({ id: probeResults.id });
  return res.length;
}
