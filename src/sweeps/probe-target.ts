import { eq } from 'drizzle-orm';
import { probeIpv6 } from '../../probes/ipv6.js';
import { localDay } from '../../probes/time.js';
import { probeLiveness, type LivenessResult } from '../../probes/liveness.js';
import { fetchSiteSitemapFreshness } from '../../probes/freshness.js';
import { pullJsonMetric, pullPrometheusMetric } from '../../probes/usage/pull.js';
import type { ProbeDeps } from '../../probes/deps.js';
import type { Db } from '../db/client.js';
import { usageSources } from '../db/schema/index.js';
import type { LeasedTarget, ProbeRecord, SweepKind } from './types.js';

/** Failures worth another try: the network hiccuped, not the system. Timeouts are not retried (they cost the whole budget). */
const TRANSIENT = new Set(['connection_reset', 'dns_timeout', 'dns_error', 'protocol_error']);
const TRANSIENT_STATUS = new Set([502, 503, 504]);

export interface ProbeTargetOptions {
  deps: ProbeDeps;
  timeZone: string;
  /** Retries of transient failures, with backoff (default 2). */
  retries?: number;
  backoffMs?: number;
  /** Extra trusted CA for tests. */
  ca?: string | Buffer;
  /** IPv6 only for internet-facing portals: the national platform measures portals. */
  ipv6Eligible?: (t: LeasedTarget) => boolean;
}

function isTransient(r: LivenessResult): boolean {
  return TRANSIENT.has(r.outcome) || (r.outcome === 'http_error' && r.status !== undefined && TRANSIENT_STATUS.has(r.status));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function livenessWithRetry(url: string, o: ProbeTargetOptions): Promise<{ result: LivenessResult; tries: number }> {
  const retries = o.retries ?? 2;
  let tries = 0;
  for (;;) {
    tries++;
    const result = await probeLiveness(url, { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock: o.deps.clock, ca: o.ca });
    if (!isTransient(result) || tries > retries) return { result, tries };
    await sleep((o.backoffMs ?? 250) * 2 ** (tries - 1));
  }
}

function livenessRecord(t: LeasedTarget, r: LivenessResult, tries: number): ProbeRecord {
  return {
    targetId: t.id,
    sweepId: t.sweepId,
    systemId: t.systemId,
    endpointId: t.endpointId,
    kind: 'liveness',
    url: t.url,
    at: new Date(r.startedAt),
    outcome: r.outcome,
    httpStatus: r.status ?? null,
    durationMs: r.timings.totalMs,
    detail: {
      timings: r.timings,
      finalUrl: r.finalUrl,
      redirects: r.redirects,
      remoteAddress: r.remoteAddress,
      ...(r.tlsReason ? { tlsReason: r.tlsReason } : {}),
      ...(r.challenge ? { vendor: r.challenge.vendor, challengeMarker: r.challenge.marker } : {}),
      ...(r.localAddress ? { localAddress: r.localAddress } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.cert ? { cert: { issuer: r.cert.issuer, validTo: r.cert.validTo, daysToExpiry: r.cert.daysToExpiry } } : {}),
      ...(r.title ? { title: r.title } : {}),
      bodyBytes: r.bodyBytes,
      ...(tries > 1 ? { tries } : {}),
    },
    contentHash: r.contentHash ?? null,
    title: r.title ?? null,
    lastModified: r.lastModified ? new Date(r.lastModified) : null,
    certDaysLeft: r.cert?.daysToExpiry ?? null,
    cert: r.cert ? { issuer: r.cert.issuer, subject: r.cert.subject, validTo: r.cert.validTo, daysToExpiry: r.cert.daysToExpiry, selfSigned: r.cert.selfSigned } : undefined,
  };
}

/** Runs what a sweep asks of one target. Never throws: failures are records with an outcome code. */
export async function probeTarget(db: Db, t: LeasedTarget, kinds: SweepKind[], o: ProbeTargetOptions): Promise<ProbeRecord[]> {
  const clock = o.deps.clock;
  try {
    if (t.kind === 'usage_source') return [await pullUsage(db, t, o)];
    const out: ProbeRecord[] = [];
    if (kinds.includes('liveness')) {
      const { result, tries } = await livenessWithRetry(t.url, o);
      out.push(livenessRecord(t, result, tries));
    }
    if (kinds.includes('ipv6') && (o.ipv6Eligible?.(t) ?? true)) {
      const r = await probeIpv6(t.url, { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock, ca: o.ca });
      const fields = {
        aaaa: r.aaaa,
        nsAaaa: r.nsAaaa,
        v4Ok: r.v4Ok,
        v6Ok: r.v6Ok,
        parity: r.parity,
        secondLevelRate: r.secondLevelRate,
        thirdLevelRate: r.thirdLevelRate,
        latencyRatio: r.latencyRatio,
        grade: r.grade,
        reasons: r.reasons,
      };
      out.push({
        targetId: t.id,
        sweepId: t.sweepId,
        systemId: t.systemId,
        endpointId: t.endpointId,
        kind: 'ipv6',
        url: t.url,
        at: new Date(r.measuredAt),
        outcome: r.v6Ok ? 'ok' : r.aaaa ? 'protocol_error' : 'dns_nodata',
        httpStatus: null,
        durationMs: null,
        detail: { ...fields, aRecords: r.aRecords, aaaaRecords: r.aaaaRecords, nameServers: r.nameServers, secondLevel: r.secondLevel, thirdLevel: r.thirdLevel },
        contentHash: null,
        ipv6: fields,
      });
    }
    if (kinds.includes('freshness')) {
      const f = await fetchSiteSitemapFreshness(t.url, { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock, ca: o.ca });
      out.push({
        targetId: t.id,
        sweepId: t.sweepId,
        systemId: t.systemId,
        endpointId: t.endpointId,
        kind: 'freshness',
        url: t.url,
        at: clock.now(),
        outcome: f.outcome,
        httpStatus: null,
        durationMs: null,
        detail: { newest: f.newest, urls: f.urls, urlsWithLastmod: f.urlsWithLastmod, sitemapsRead: f.sitemapsRead, failures: f.failures.slice(0, 5), ...(f.error ? { error: f.error } : {}) },
        contentHash: null,
        sitemapLastmod: f.newest ? new Date(f.newest) : null,
      });
    }
    return out;
  } catch (err) {
    // A bug in a probe must not stop a sweep; it is recorded like any other failure.
    return [
      {
        targetId: t.id,
        sweepId: t.sweepId,
        systemId: t.systemId,
        endpointId: t.endpointId,
        kind: t.kind === 'usage_source' ? 'usage_pull' : 'liveness',
        url: t.url,
        at: clock.now(),
        outcome: 'protocol_error',
        httpStatus: null,
        durationMs: null,
        detail: { error: `probe failed: ${(err as Error).message}` },
        contentHash: null,
      },
    ];
  }
}

async function pullUsage(db: Db, t: LeasedTarget, o: ProbeTargetOptions): Promise<ProbeRecord> {
  const [source] = await db.select().from(usageSources).where(eq(usageSources.id, t.usageSourceId!));
  const opts = { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock: o.deps.clock, ca: o.ca };
  const at = o.deps.clock.now();
  if (!source) {
    return { targetId: t.id, sweepId: t.sweepId, systemId: t.systemId, endpointId: null, kind: 'usage_pull', url: t.url, at, outcome: 'protocol_error', httpStatus: null, durationMs: null, detail: { error: 'usage source removed' }, contentHash: null };
  }
  const r = source.kind === 'prometheus' ? await pullPrometheusMetric(source.url, parsePromSelector(source.selector), opts) : await pullJsonMetric(source.url, source.selector, opts);
  return {
    targetId: t.id,
    sweepId: t.sweepId,
    systemId: t.systemId,
    endpointId: null,
    kind: 'usage_pull',
    url: source.url,
    at,
    outcome: r.outcome,
    httpStatus: r.status ?? null,
    durationMs: r.totalMs,
    detail: r.ok ? { value: r.value, metric: source.metric } : { error: r.error, metric: source.metric },
    contentHash: null,
    usage: { metric: source.metric, day: localDay(at, o.timeZone), value: r.ok ? r.value : Number.NaN, sourceId: source.id },
  };
}

/** `name{label="v",…}` → name and labels. */
export function parsePromSelector(selector: string): { name: string; labels?: Record<string, string> } {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(selector.trim());
  if (!m) return { name: selector.trim() };
  const labels: Record<string, string> = {};
  for (const part of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) labels[part[1]!] = part[2]!;
  return Object.keys(labels).length ? { name: m[1]!, labels } : { name: m[1]! };
}
