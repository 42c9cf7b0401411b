import { t, type MessageKey, type MessageParams } from '../../i18n/index.js';
import { answeredCount, type FlagCode, type ReasonCode, type Severity } from '../codes.js';
import { diffDays, maxDay, minDay, type Day } from '../dates.js';
import type { ProbeDay, SystemEvidence } from '../evidence.js';
import type { Policy } from '../policy.js';
import type { Ctx, Flag, JsonObject, Reason } from './types.js';

// Preparation: normalise the evidence once, for every rule.

export function prepare(ev: SystemEvidence, policy: Policy, asOf: Day): Ctx {
  const byDay = new Map<Day, ProbeDay>();
  for (const row of ev.probeDays) {
    if (row.day > asOf || !(row.probes > 0)) continue;
    const prev = byDay.get(row.day);
    byDay.set(row.day, prev ? mergeProbeDays(prev, row) : { ...row, outcomes: { ...row.outcomes } });
  }
  const probeDays = [...byDay.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  const latestProbe = probeDays.at(-1) ?? null;

  let hashFirstSeen: Day | null = null;
  let hashLastChange: Day | null = null;
  let lastHash: string | null = null;
  for (const d of probeDays) {
    if (!d.contentHash) continue;
    if (lastHash === null) hashFirstSeen = d.day;
    else if (d.contentHash !== lastHash) hashLastChange = d.day;
    lastHash = d.contentHash;
  }

  const sinces = ev.usage.sources.map((s) => s.since).filter((d) => d <= asOf);
  return {
    ev,
    policy,
    asOf,
    probeDays,
    latestProbe,
    probesFresh: latestProbe !== null && diffDays(asOf, latestProbe.day) <= policy.probes.maxSilenceDays,
    hasPortal: ev.system.endpoints.some((e) => e.role === 'portal'),
    usageRows: ev.usage.days.filter((u) => u.day <= asOf && Number.isFinite(u.value) && u.value > 0),
    usageCoverageStart: minDay(...sinces),
    hashFirstSeen,
    hashLastChange,
  };
}

/** Probes of a day that the server answered (the one definition, probes/outcome.ts). */
export function answeredProbes(d: ProbeDay): number {
  return Math.min(d.probes, answeredCount(d.outcomes, d.ok));
}

function mergeProbeDays(a: ProbeDay, b: ProbeDay): ProbeDay {
  const outcomes: ProbeDay['outcomes'] = { ...a.outcomes };
  for (const [k, v] of Object.entries(b.outcomes) as [keyof ProbeDay['outcomes'], number][]) outcomes[k] = (outcomes[k] ?? 0) + v;
  const certs = [a.certDaysLeftMin, b.certDaysLeftMin].filter((x): x is number => typeof x === 'number');
  const hashes = [a.contentHash, b.contentHash].filter((x): x is string => !!x).sort();
  return {
    day: a.day,
    probes: a.probes + b.probes,
    ok: a.ok + b.ok,
    failed: a.failed + b.failed,
    dnsNxdomain: a.dnsNxdomain + b.dnsNxdomain,
    outcomes,
    certDaysLeftMin: certs.length ? Math.min(...certs) : null,
    contentHash: hashes[0] ?? null,
  };
}

export function reason(code: ReasonCode, severity: Severity, since: Day | null, key: MessageKey, params: MessageParams, evidence: JsonObject): Reason {
  return { code, severity, since, detail: t('en', key, params), message: { key, params }, evidence };
}

/** A ratio as a percentage with one decimal, the same in every language: "87.3%". */
export function formatPercent(ratio: number): string {
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

export function sumOutcomes(days: ProbeDay[]): JsonObject {
  const out: Record<string, number> = {};
  for (const d of days) for (const [k, v] of Object.entries(d.outcomes)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

/**
 * The earliest day the evidence proves the content unchanged since: the latest change any source shows
 * (a content-hash change seen by our probes, the server's Last-Modified, the sitemap's newest lastmod),
 * or, with no change shown at all, the first day we saw the content. A first sighting is never a change.
 */
export function contentUnchangedSince(ctx: Ctx): Day | null {
  const c = ctx.ev.content;
  const lastChange = maxDay(c.lastChanged, c.homepageLastChanged, c.sitemapNewestLastmod, ctx.hashLastChange);
  return lastChange ?? minDay(c.observedSince, ctx.hashFirstSeen);
}

export function flag(code: FlagCode, key: MessageKey, params: MessageParams, evidence: JsonObject): Flag {
  return { code, detail: t('en', key, params), message: { key, params }, evidence };
}
