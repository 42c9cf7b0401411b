import { asc } from 'drizzle-orm';
import { isBlockedByPolicy, createPolicyFetch } from '../../probes/egress.js';
import type { ProbeResolver } from '../../probes/dns.js';
import type { TargetPolicy } from '../../probes/policy.js';
import { startOfDay, endOfDay, DEFAULT_TIME_ZONE } from '../../probes/time.js';
import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { cloudResources } from '../db/schema/index.js';
import { upsertUtilisation, type UtilisationRow } from './service.js';

/**
 * The Prometheus pull: for each resource and local day, `query_range` over the day against
 * node_exporter-style series, one PromQL template per figure (from config; `{externalId}` and `{name}`
 * are replaced by the resource's, with PromQL string escaping). Every request goes through the
 * policy-checked connector (probes/egress.ts). A Prometheus that is down, slow, or answers anything but
 * a well-formed matrix gives the day as missing evidence with a reason — never as an idle day.
 *
 * Why a scheduled pull and not a probe kind: a sweep target is an endpoint or a usage source of a system,
 * probed "now"; utilisation is a closed past day of a resource (often an orphan, with no system at all),
 * fetched once after the day ends and re-fetchable for any past day. A `xuncha resources pull` run (cron
 * or by hand) fits that; a probe kind would need a third target type in the sweep queue.
 */

export interface PromqlTemplates {
  cpu: string;
  mem?: string | null;
  netIn: string;
  netOut: string;
  diskRead?: string | null;
  diskWrite?: string | null;
}

/** node_exporter defaults; `[10m]` so that two samples fall in every window at the usual 5-minute step. */
export const DEFAULT_PROMQL: PromqlTemplates = {
  cpu: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",instance="{externalId}"}[10m])))',
  mem: '100 * (1 - sum(node_memory_MemAvailable_bytes{instance="{externalId}"}) / sum(node_memory_MemTotal_bytes{instance="{externalId}"}))',
  netIn: 'sum(rate(node_network_receive_bytes_total{instance="{externalId}",device!="lo"}[10m]))',
  netOut: 'sum(rate(node_network_transmit_bytes_total{instance="{externalId}",device!="lo"}[10m]))',
  diskRead: 'sum(rate(node_disk_read_bytes_total{instance="{externalId}"}[10m]))',
  diskWrite: 'sum(rate(node_disk_written_bytes_total{instance="{externalId}"}[10m]))',
};

export interface PullSettings {
  baseUrl: string;
  templates: PromqlTemplates;
  /** Seconds between the points of a day (default 300: 288 points). */
  stepSeconds: number;
  timeoutMs: number;
  /** Share of a day's points a figure needs; fewer is missing evidence (`incomplete`), never a quiet day. */
  minCoverage: number;
  timeZone: string;
  policy: TargetPolicy;
  resolver?: ProbeResolver;
  concurrency?: number;
}

export type MissingReason = 'timeout' | 'connect_failed' | 'blocked_by_policy' | 'http_error' | 'invalid_response' | 'no_data' | 'incomplete' | 'query_error';

export type QueryOutcome = { ok: true; values: Array<[number, number]> } | { ok: false; reason: MissingReason; detail: string };

/** `{externalId}`, `{name}` → the resource's values, escaped for a PromQL double-quoted string. */
export function renderTemplate(template: string, vars: { externalId: string; name?: string | null }): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return template.replace(/\{(externalId|name)\}/g, (_, k: 'externalId' | 'name') => esc(vars[k] ?? ''));
}

/** Reads a `query_range` answer: a matrix whose series are summed by timestamp. Anything else is garbage. */
export function parseQueryRange(body: string): QueryOutcome {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'invalid_response', detail: 'the answer is not JSON' };
  }
  const d = doc as { status?: unknown; data?: { resultType?: unknown; result?: unknown }; error?: unknown };
  if (!d || typeof d !== 'object') return { ok: false, reason: 'invalid_response', detail: 'the answer is not a JSON object' };
  if (d.status === 'error') return { ok: false, reason: 'query_error', detail: String(d.error ?? 'query error').slice(0, 200) };
  if (d.status !== 'success' || !d.data || d.data.resultType !== 'matrix' || !Array.isArray(d.data.result)) {
    return { ok: false, reason: 'invalid_response', detail: 'not a query_range matrix' };
  }
  const byTs = new Map<number, number>();
  for (const series of d.data.result as Array<{ values?: unknown }>) {
    if (!series || !Array.isArray(series.values)) return { ok: false, reason: 'invalid_response', detail: 'a series without values' };
    for (const point of series.values as unknown[]) {
      if (!Array.isArray(point) || point.length !== 2 || typeof point[0] !== 'number' || typeof point[1] !== 'string') {
        return { ok: false, reason: 'invalid_response', detail: 'a point is not [time, "value"]' };
      }
      const v = Number(point[1]);
      if (!Number.isFinite(v)) continue; // NaN from a division by zero: no point
      byTs.set(point[0], (byTs.get(point[0]) ?? 0) + v);
    }
  }
  return { ok: true, values: [...byTs.entries()].sort((a, b) => a[0] - b[0]) };
}

function percentile(sorted: number[], p: number): number {
  // Nearest rank: the smallest value with at least p of the points at or below it.
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1]!;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The day's figures from its query answers (pure). Rates (bytes/s) are integrated over the step. */
export function dayFigures(
  answers: { cpu: QueryOutcome; mem: QueryOutcome | null; netIn: QueryOutcome; netOut: QueryOutcome; diskRead: QueryOutcome | null; diskWrite: QueryOutcome | null },
  expectedPoints: number,
  stepSeconds: number,
  minCoverage: number,
): Omit<UtilisationRow, 'day'> {
  const missing = (reason: MissingReason, detail: string) => ({
    cpuAvg: null, cpuP95: null, cpuMax: null, memPct: null, netInBytes: null, netOutBytes: null, diskReadBytes: null, diskWriteBytes: null,
    missingReason: `${reason}: ${detail}`.slice(0, 300),
  });
  const need = Math.ceil(expectedPoints * minCoverage);
  for (const [name, a] of [['cpu', answers.cpu], ['netIn', answers.netIn], ['netOut', answers.netOut]] as const) {
    if (!a.ok) return missing(a.reason, `${name}: ${a.detail}`);
    if (a.values.length === 0) return missing('no_data', `${name}: no series for the day`);
    if (a.values.length < need) return missing('incomplete', `${name}: ${a.values.length} of ${expectedPoints} points`);
  }
  const cpu = (answers.cpu as { values: Array<[number, number]> }).values.map(([, v]) => Math.min(100, Math.max(0, v)));
  const sorted = [...cpu].sort((a, b) => a - b);
  const integrate = (a: QueryOutcome | null) => (a && a.ok && a.values.length >= need ? Math.round(a.values.reduce((s, [, v]) => s + Math.max(0, v) * stepSeconds, 0)) : null);
  const mem = answers.mem && answers.mem.ok && answers.mem.values.length >= need ? answers.mem.values.reduce((s, [, v]) => s + v, 0) / answers.mem.values.length : null;
  return {
    cpuAvg: round3(cpu.reduce((s, v) => s + v, 0) / cpu.length),
    cpuP95: round3(percentile(sorted, 0.95)),
    cpuMax: round3(sorted.at(-1)!),
    memPct: mem === null ? null : round3(Math.min(100, Math.max(0, mem))),
    netInBytes: integrate(answers.netIn),
    netOutBytes: integrate(answers.netOut),
    diskReadBytes: integrate(answers.diskRead),
    diskWriteBytes: integrate(answers.diskWrite),
    missingReason: null,
  };
}

const MAX_BODY = 8 * 1024 * 1024;

async function queryRange(fetcher: typeof fetch, s: PullSettings, query: string, start: number, end: number): Promise<QueryOutcome> {
  const url = new URL('api/v1/query_range', s.baseUrl.endsWith('/') ? s.baseUrl : `${s.baseUrl}/`);
  url.searchParams.set('query', query);
  url.searchParams.set('start', String(start));
  url.searchParams.set('end', String(end));
  url.searchParams.set('step', String(s.stepSeconds));
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), s.timeoutMs);
  try {
    const res = await fetcher(url, { signal: ac.signal, headers: { accept: 'application/json', 'user-agent': 'Xuncha/0.1 (+government system audit)' }, redirect: 'manual' });
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of (res.body ?? []) as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > MAX_BODY) {
        ac.abort();
        return { ok: false, reason: 'invalid_response', detail: `answer larger than ${MAX_BODY} bytes` };
      }
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (res.status === 400 || res.status === 422) {
      const parsed = parseQueryRange(text);
      return parsed.ok ? { ok: false, reason: 'http_error', detail: `HTTP ${res.status}` } : parsed.reason === 'query_error' ? parsed : { ok: false, reason: 'http_error', detail: `HTTP ${res.status}` };
    }
    if (res.status !== 200) return { ok: false, reason: 'http_error', detail: `HTTP ${res.status}` };
    return parseQueryRange(text);
  } catch (err) {
    if (ac.signal.aborted) return { ok: false, reason: 'timeout', detail: `no answer within ${s.timeoutMs} ms` };
    if (isBlockedByPolicy(err)) return { ok: false, reason: 'blocked_by_policy', detail: 'the target policy refuses this address' };
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, reason: 'connect_failed', detail: (cause?.code ?? cause?.message ?? (err as Error).message ?? 'failed').slice(0, 120) };
  } finally {
    clearTimeout(timer);
  }
}

export interface PullSummary {
  days: string[];
  resources: number;
  stored: number;
  missing: number;
  /** Missing days by reason (the part before the colon). */
  reasons: Record<string, number>;
}

/**
 * Pulls the given local days for every resource allocated on them (or the given ones) and stores them
 * (same day replaces; a missing day never overwrites figures). Never throws for what Prometheus does.
 */
export async function pullUtilisation(db: Db, principal: Principal, s: PullSettings, opts: { days: string[]; externalIds?: string[]; now: Date }): Promise<PullSummary> {
  requirePermission(principal, 'resources.pull');
  const fetcher = createPolicyFetch({ policy: s.policy, ...(s.resolver ? { resolver: s.resolver } : {}), connectTimeoutMs: s.timeoutMs });
  const tz = s.timeZone || DEFAULT_TIME_ZONE;
  const summary: PullSummary = { days: opts.days, resources: 0, stored: 0, missing: 0, reasons: {} };
  const all = await db.select({ id: cloudResources.id, externalId: cloudResources.externalId, name: cloudResources.name, since: cloudResources.since, until: cloudResources.until }).from(cloudResources).orderBy(asc(cloudResources.id));
  const wanted = opts.externalIds ? new Set(opts.externalIds) : null;
  const seen = new Set<number>();
  for (const day of opts.days) {
    const resources = all.filter((r) => (!wanted || wanted.has(r.externalId)) && (!r.since || r.since <= day) && (!r.until || r.until >= day));
    const start = startOfDay(day, tz).getTime() / 1000 + s.stepSeconds;
    const end = endOfDay(day, tz).getTime() / 1000;
    const expected = Math.floor((end - start) / s.stepSeconds) + 1;
    const rows: Array<UtilisationRow & { resourceId: number }> = [];
    let next = 0;
    const worker = async () => {
      for (;;) {
        const r = resources[next++];
        if (!r) return;
        seen.add(r.id);
        const q = (tpl: string | null | undefined) => (tpl ? queryRange(fetcher, s, renderTemplate(tpl, r), start, end) : Promise.resolve(null));
        // One figure at a time: a hung Prometheus costs one timeout per figure, not six in parallel.
        const cpu = (await q(s.templates.cpu))!;
        const failedEarly = !cpu.ok && (cpu.reason === 'timeout' || cpu.reason === 'connect_failed' || cpu.reason === 'blocked_by_policy');
        const skip = { ok: false, reason: (cpu as { reason: MissingReason }).reason, detail: 'not asked after the CPU query failed' } as QueryOutcome;
        const netIn = failedEarly ? skip : (await q(s.templates.netIn))!;
        const netOut = failedEarly ? skip : (await q(s.templates.netOut))!;
        const mem = failedEarly ? null : await q(s.templates.mem);
        const diskRead = failedEarly ? null : await q(s.templates.diskRead);
        const diskWrite = failedEarly ? null : await q(s.templates.diskWrite);
        rows.push({ resourceId: r.id, day, ...dayFigures({ cpu, mem, netIn, netOut, diskRead, diskWrite }, expected, s.stepSeconds, s.minCoverage) });
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, s.concurrency ?? 4) }, worker));
    for (const r of rows) {
      if (r.missingReason) {
        summary.missing++;
        const key = r.missingReason.split(':')[0]!;
        summary.reasons[key] = (summary.reasons[key] ?? 0) + 1;
      } else summary.stored++;
    }
    await upsertUtilisation(db, rows, 'prometheus', opts.now);
  }
  summary.resources = seen.size;
  return summary;
}
