import { eq, sql } from 'drizzle-orm';
import { localDay } from '../../../probes/time.js';
import { usageDays, usageSources } from '../../db/schema/index.js';
import { lazyProbe, recordOf, type ProbeKindSpec } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/usage/pull.js'));

/** `name{label="v",…}` → name and labels. */
export function parsePromSelector(selector: string): { name: string; labels?: Record<string, string> } {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(selector.trim());
  if (!m) return { name: selector.trim() };
  const labels: Record<string, string> = {};
  for (const part of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) labels[part[1]!] = part[2]!;
  return Object.keys(labels).length ? { name: m[1]!, labels } : { name: m[1]! };
}

/** A usage source's metric, pulled (JSON or Prometheus) into usage_days. */
export const usage: ProbeKindSpec<'usage_pull'> = {
  stored: 'usage_pull',
  target: 'usage_source',
  byDefault: true,
  rollsUpDaily: false,
  async run(db, t, o) {
    const [source] = await db.select().from(usageSources).where(eq(usageSources.id, t.usageSourceId!));
    const opts = { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock: o.deps.clock, ca: o.ca };
    const at = o.deps.clock.now();
    if (!source) {
      return { ...recordOf(t, 'usage_pull'), endpointId: null, at, outcome: 'protocol_error', httpStatus: null, durationMs: null, detail: { error: 'usage source removed' }, contentHash: null };
    }
    const { pullJsonMetric, pullPrometheusMetric } = await probes();
    const r = source.kind === 'prometheus' ? await pullPrometheusMetric(source.url, parsePromSelector(source.selector), opts) : await pullJsonMetric(source.url, source.selector, opts);
    return {
      ...recordOf(t, 'usage_pull'),
      endpointId: null,
      url: source.url,
      at,
      outcome: r.outcome,
      httpStatus: r.status ?? null,
      durationMs: r.totalMs,
      detail: r.ok ? { value: r.value, metric: source.metric } : { error: r.error, metric: source.metric },
      contentHash: null,
      usage: { metric: source.metric, day: localDay(at, o.timeZone), value: r.ok ? r.value : Number.NaN, sourceId: source.id },
    };
  },
  // Pulled values into usage_days (a repeated day replaces), and each source's last pull.
  async store(tx, records) {
    const usage = records.filter((r) => r.usage && r.outcome === 'ok');
    if (usage.length) {
      const rows = new Map<string, typeof usageDays.$inferInsert>();
      for (const r of usage) rows.set(`${r.systemId}|${r.usage!.day}|${r.usage!.metric}`, { systemId: r.systemId, day: r.usage!.day, metric: r.usage!.metric, source: 'pull', value: r.usage!.value, updatedAt: r.at });
      await tx
        .insert(usageDays)
        .values([...rows.values()].sort((a, b) => a.systemId - b.systemId))
        .onConflictDoUpdate({ target: [usageDays.systemId, usageDays.day, usageDays.metric, usageDays.source], set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` } });
    }
    for (const r of records.filter((x) => x.usage)) {
      await tx.update(usageSources).set({ lastPulledAt: r.at, lastOutcome: r.outcome }).where(sql`${usageSources.id} = ${r.usage!.sourceId}`);
    }
  },
};
