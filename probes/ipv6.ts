import { isIP } from 'node:net';
import { z } from 'zod';
import { mapWithConcurrency } from './concurrency.js';
import { extractLinks, pageSimilarity, sha256Hex } from './content.js';
import type { ProbeResolver } from './dns.js';
import { probeLiveness, type LivenessOptions, type LivenessResult } from './liveness.js';
import { roundMs, systemClock, type ProbeOutcome } from './outcome.js';

/**
 * IPv6 support as the national IPv6 monitoring platform measures it: AAAA, name servers with IPv6, the
 * homepage over each family, the same page over both, second- and third-level same-site links over IPv6,
 * and latency. `measureIpv6` does the network part; `gradeIpv6` is a pure function of its result.
 */

// ---------------------------------------------------------------------------------------------------
// Thresholds and grade (pure)

export const ipv6ThresholdsSchema = z.object({
  /** Homepage over IPv6 within this time (the 15 s rule). */
  homepageTimeoutMs: z.number().int().positive().default(15_000),
  /** Share of repeated IPv6 homepage probes that succeed. */
  minSuccessRate: z.number().min(0).max(1).default(0.95),
  /** Similarity of the homepage over IPv4 and IPv6. */
  minParity: z.number().min(0).max(1).default(0.9),
  minSecondLevelRate: z.number().min(0).max(1).default(0.95),
  minThirdLevelRate: z.number().min(0).max(1).default(0.9),
  /** IPv6 homepage time over IPv4 homepage time (median over the paired samples): the relative allowance. */
  maxLatencyRatio: z.number().positive().default(1.2),
  /**
   * Ours: the absolute allowance. IPv6 counts as slower only when it is both more than `maxLatencyRatio`
   * times and more than this many ms slower (median of the paired differences): fast pages have tiny
   * times, and a loaded prober adds tens of ms of noise to either family.
   */
  latencySlackMs: z.number().min(0).default(50),
  /**
   * Ours: latency is judged only on this many pairs or more (an IPv4 and an IPv6 homepage load of the same
   * round, both successful); with fewer, the latency is unmeasured and does not count against a site.
   */
  minLatencyPairs: z.number().int().min(1).default(5),
  /** Whether name servers without AAAA keep a site from `ready` (the platform reports it; policy.md does not require it). */
  requireNsAaaa: z.boolean().default(false),
});

export type Ipv6Thresholds = z.infer<typeof ipv6ThresholdsSchema>;
export type Ipv6ThresholdsInput = z.input<typeof ipv6ThresholdsSchema>;

export const DEFAULT_IPV6_THRESHOLDS: Ipv6Thresholds = ipv6ThresholdsSchema.parse({});

/** The grade of the contract; the names are defined once in reports/codes.ts. */
export type { Ipv6Grade } from '../reports/codes.js';
import type { Ipv6Grade } from '../reports/codes.js';
import { hostOf } from './host.js';

export type Ipv6ReasonCode =
  | 'no_aaaa'
  | 'homepage_unreachable_v6'
  | 'homepage_slow_v6'
  | 'success_rate_low'
  | 'parity_low'
  | 'second_level_links_low'
  | 'third_level_links_low'
  | 'latency_high'
  | 'ns_no_ipv6'
  | 'unmeasured';

export interface Ipv6Reason {
  code: Ipv6ReasonCode;
  detail: string;
}

/** What `gradeIpv6` needs; a full `Ipv6Measurement` satisfies it. */
export interface Ipv6Evidence {
  aaaa: boolean;
  nsAaaa: boolean | null;
  v4Ok: boolean;
  v6Ok: boolean;
  v6SuccessRate: number | null;
  /** Median successful IPv6 homepage time. */
  v6Ms: number | null;
  v4Ms: number | null;
  parity: number | null;
  secondLevelRate: number | null;
  thirdLevelRate: number | null;
  /** Median of the per-pair IPv6/IPv4 times (see `latencyPairs`). */
  latencyRatio: number | null;
  /** Paired samples behind `latencyRatio`: rounds in which both families loaded the homepage. */
  latencyPairs: number;
  /** Median of the per-pair IPv6 − IPv4 times in ms; when absent, `v6Ms − v4Ms`. */
  latencyDiffMs?: number | null;
  /** Outcome of the last failed IPv6 homepage probe, for the reason's detail. */
  v6Outcome?: ProbeOutcome | null;
  /**
   * Outcome that kept us from measuring, when every IPv6 homepage probe ended in one: our own target
   * policy refused the address (`blocked_by_policy`) or the site answered a WAF challenge (`challenged`).
   */
  unmeasuredOutcome?: ProbeOutcome | null;
}

/** Outcomes that say nothing about the site's IPv6: we did not get to measure it. */
export const UNMEASURED_OUTCOMES: ReadonlySet<string> = new Set(['blocked_by_policy', 'challenged']);

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/**
 * `no_ipv6` without AAAA; `unmeasured` when our own policy or a challenge kept every IPv6 homepage probe
 * from measuring; `not_ready` with AAAA but no homepage over IPv6; `ready` when every threshold holds;
 * `partial` otherwise. Unmeasured figures (no same-site links, no IPv4 page to compare, fewer than
 * `minLatencyPairs` paired samples) do not count against a site.
 */
export function gradeIpv6(m: Ipv6Evidence, thresholdsInput: Ipv6ThresholdsInput = {}): { grade: Ipv6Grade; reasons: Ipv6Reason[] } {
  const t = ipv6ThresholdsSchema.parse(thresholdsInput);
  if (!m.aaaa) return { grade: 'no_ipv6', reasons: [{ code: 'no_aaaa', detail: 'no AAAA record' }] };
  if (!m.v6Ok && m.unmeasuredOutcome && UNMEASURED_OUTCOMES.has(m.unmeasuredOutcome)) {
    return { grade: 'unmeasured', reasons: [{ code: 'unmeasured', detail: `homepage over IPv6: ${m.unmeasuredOutcome}` }] };
  }
  if (!m.v6Ok) {
    const detail = m.v6Outcome ? `homepage over IPv6: ${m.v6Outcome}` : 'homepage not reachable over IPv6';
    return { grade: 'not_ready', reasons: [{ code: 'homepage_unreachable_v6', detail }] };
  }
  const reasons: Ipv6Reason[] = [];
  if (m.v6Ms !== null && m.v6Ms > t.homepageTimeoutMs) {
    reasons.push({ code: 'homepage_slow_v6', detail: `${Math.round(m.v6Ms)} ms > ${t.homepageTimeoutMs} ms` });
  }
  if (m.v6SuccessRate !== null && m.v6SuccessRate < t.minSuccessRate) {
    reasons.push({ code: 'success_rate_low', detail: `${pct(m.v6SuccessRate)} < ${pct(t.minSuccessRate)}` });
  }
  if (m.parity !== null && m.parity < t.minParity) {
    reasons.push({ code: 'parity_low', detail: `${m.parity.toFixed(2)} < ${t.minParity}` });
  }
  if (m.secondLevelRate !== null && m.secondLevelRate < t.minSecondLevelRate) {
    reasons.push({ code: 'second_level_links_low', detail: `${pct(m.secondLevelRate)} < ${pct(t.minSecondLevelRate)}` });
  }
  if (m.thirdLevelRate !== null && m.thirdLevelRate < t.minThirdLevelRate) {
    reasons.push({ code: 'third_level_links_low', detail: `${pct(m.thirdLevelRate)} < ${pct(t.minThirdLevelRate)}` });
  }
  if (m.latencyRatio !== null && m.latencyPairs >= t.minLatencyPairs && m.latencyRatio > t.maxLatencyRatio) {
    const slower = m.latencyDiffMs ?? (m.v6Ms !== null && m.v4Ms !== null ? m.v6Ms - m.v4Ms : Infinity);
    if (slower > t.latencySlackMs) {
      reasons.push({
        code: 'latency_high',
        detail: `IPv6/IPv4 ${m.latencyRatio.toFixed(2)} > ${t.maxLatencyRatio} and ${Number.isFinite(slower) ? Math.round(slower) : '?'} ms > ${t.latencySlackMs} ms slower (median of ${m.latencyPairs} pairs)`,
      });
    }
  }
  if (t.requireNsAaaa && m.nsAaaa === false) {
    reasons.push({ code: 'ns_no_ipv6', detail: 'no name server has an AAAA record' });
  }
  return { grade: reasons.length === 0 ? 'ready' : 'partial', reasons };
}

// ---------------------------------------------------------------------------------------------------
// Measurement

export interface Ipv6ProbeOptions {
  resolver: ProbeResolver;
  policy: LivenessOptions['policy'];
  /** Per request (default 15000). */
  timeoutMs?: number;
  ca?: LivenessOptions['ca'];
  clock?: LivenessOptions['clock'];
  agentOptions?: LivenessOptions['agentOptions'];
  /** Homepage probes per family, alternating IPv4 and IPv6 (default 5: enough pairs to judge latency). */
  attempts?: number;
  /** Links sampled per level (default 50). */
  linkSample?: number;
  /** Link checks in flight (default 6). */
  linkConcurrency?: number;
  /** Check second- and third-level links (default true). */
  checkLinks?: boolean;
}

export interface ProbeSummary {
  outcome: ProbeOutcome;
  status?: number;
  error?: string;
  totalMs: number;
  firstByteMs: number;
  remoteAddress: string | null;
}

export interface LinkLevel {
  /** Same-site links found at this level, before sampling. */
  found: number;
  sampled: number;
  okOverIpv6: number;
  /** okOverIpv6 / sampled; null when there was nothing to check. */
  rate: number | null;
  /** The first few links that did not load over IPv6. */
  failures: Array<{ url: string; outcome: ProbeOutcome }>;
}

export interface Ipv6Measurement extends Ipv6Evidence {
  url: string;
  host: string;
  measuredAt: string;
  aRecords: string[];
  aaaaRecords: string[];
  /** Name servers of the closest zone that has NS records visible, or null. */
  nameServers: string[] | null;
  nameServersWithAaaa: string[];
  attempts: number;
  v4: ProbeSummary[];
  v6: ProbeSummary[];
  secondLevel: LinkLevel;
  thirdLevel: LinkLevel;
}

export interface Ipv6Result extends Ipv6Measurement {
  grade: Ipv6Grade;
  reasons: Ipv6Reason[];
}

/** Measures and grades in one call. */
export async function probeIpv6(url: string, options: Ipv6ProbeOptions, thresholds: Ipv6ThresholdsInput = {}): Promise<Ipv6Result> {
  const measurement = await measureIpv6(url, options);
  return { ...measurement, ...gradeIpv6(measurement, thresholds) };
}

export async function measureIpv6(url: string, options: Ipv6ProbeOptions): Promise<Ipv6Measurement> {
  const clock = options.clock ?? systemClock;
  const host = hostOf(url) ?? '';
  const attempts = Math.max(1, options.attempts ?? 5);
  const [a, aaaa, ns] = await Promise.all([
    options.resolver.resolveA(host),
    options.resolver.resolveAaaa(host),
    nameServerIpv6(options.resolver, host),
  ]);

  const homepage = await probeHomepage(url, options, attempts, a.ok, aaaa.ok);
  const v4Ms = medianMs(homepage.v4);
  const v6Ms = medianMs(homepage.v6);
  const v6Successes = homepage.v6.filter((s) => s.outcome === 'ok').length;
  const v6Failure = homepage.v6.find((s) => s.outcome !== 'ok');
  const unmeasured = homepage.v6.length > 0 && homepage.v6.every((s) => UNMEASURED_OUTCOMES.has(s.outcome)) ? homepage.v6[0]!.outcome : null;
  const pairs = latencyPairs(homepage.pairs);
  const parity = homepage.v4Body !== undefined && homepage.v6Body !== undefined ? round(pageSimilarity(homepage.v4Body, homepage.v6Body)) : null;

  const links =
    options.checkLinks === false || !homepage.linkSource
      ? { second: emptyLevel(), third: emptyLevel() }
      : await checkSiteLinks(homepage.linkSource.url, homepage.linkSource.body, options);

  return {
    url,
    host,
    measuredAt: clock.now().toISOString(),
    aRecords: a.ok ? a.records : [],
    aaaaRecords: aaaa.ok ? aaaa.records : [],
    aaaa: aaaa.ok,
    nameServers: ns.names,
    nameServersWithAaaa: ns.withAaaa,
    nsAaaa: ns.names ? ns.withAaaa.length > 0 : null,
    attempts,
    v4: homepage.v4,
    v6: homepage.v6,
    v4Ok: homepage.v4.some((s) => s.outcome === 'ok'),
    v6Ok: v6Successes > 0,
    v6SuccessRate: homepage.v6.length > 0 ? round(v6Successes / homepage.v6.length) : null,
    v6Outcome: v6Failure?.outcome ?? null,
    unmeasuredOutcome: unmeasured,
    v4Ms,
    v6Ms,
    parity,
    secondLevel: links.second,
    thirdLevel: links.third,
    secondLevelRate: links.second.rate,
    thirdLevelRate: links.third.rate,
    latencyRatio: pairs.ratio,
    latencyPairs: pairs.count,
    latencyDiffMs: pairs.diffMs,
  };
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Latency from paired samples: each round loads the homepage over IPv4 and then IPv6, so drift on the
 * path hits both alike; the medians of the per-pair ratio and difference resist a single slow load.
 */
export function latencyPairs(pairs: ReadonlyArray<{ v4Ms: number; v6Ms: number }>): { count: number; ratio: number | null; diffMs: number | null } {
  const usable = pairs.filter((p) => p.v4Ms > 0);
  const ratio = median(usable.map((p) => p.v6Ms / p.v4Ms));
  const diff = median(pairs.map((p) => p.v6Ms - p.v4Ms));
  return { count: usable.length, ratio: ratio === null ? null : round(ratio), diffMs: diff === null ? null : roundMs(diff) };
}


function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function summarize(r: LivenessResult): ProbeSummary {
  const s: ProbeSummary = { outcome: r.outcome, totalMs: r.timings.totalMs, firstByteMs: r.timings.firstByteMs, remoteAddress: r.remoteAddress };
  if (r.status !== undefined) s.status = r.status;
  if (r.error) s.error = r.error;
  return s;
}

function medianMs(runs: ReadonlyArray<ProbeSummary>): number | null {
  const times = runs.filter((r) => r.outcome === 'ok').map((r) => r.totalMs).sort((x, y) => x - y);
  if (times.length === 0) return null;
  const mid = times.length >> 1;
  return roundMs(times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2);
}

interface HomepageRuns {
  v4: ProbeSummary[];
  v6: ProbeSummary[];
  /** Rounds in which both families loaded the homepage: their times. */
  pairs: Array<{ v4Ms: number; v6Ms: number }>;
  v4Body?: string;
  v6Body?: string;
  /** The page whose links are followed: the IPv4 page when it loads (the site as most see it). */
  linkSource?: { url: string; body: string };
}

/** Alternates IPv4 and IPv6 so drift on the path hits both families alike. Families without records are skipped. */
async function probeHomepage(url: string, options: Ipv6ProbeOptions, attempts: number, hasA: boolean, hasAaaa: boolean): Promise<HomepageRuns> {
  const runs: HomepageRuns = { v4: [], v6: [], pairs: [] };
  const pages: { 4?: { url: string; body: string }; 6?: { url: string; body: string } } = {};
  for (let i = 0; i < attempts; i++) {
    const round: { 4?: ProbeSummary; 6?: ProbeSummary } = {};
    for (const family of [4, 6] as const) {
      if ((family === 4 && !hasA) || (family === 6 && !hasAaaa)) continue;
      const result = await probeLiveness(url, { ...livenessOptions(options), family, includeBody: true });
      const summary = summarize(result);
      round[family] = summary;
      (family === 4 ? runs.v4 : runs.v6).push(summary);
      if (result.outcome === 'ok' && result.bodyText !== undefined && !pages[family]) {
        pages[family] = { url: result.finalUrl, body: result.bodyText };
      }
    }
    if (round[4]?.outcome === 'ok' && round[6]?.outcome === 'ok') runs.pairs.push({ v4Ms: round[4].totalMs, v6Ms: round[6].totalMs });
  }
  if (pages[4]) runs.v4Body = pages[4].body;
  if (pages[6]) runs.v6Body = pages[6].body;
  const source = pages[4] ?? pages[6];
  if (source) runs.linkSource = source;
  return runs;
}

function livenessOptions(options: Ipv6ProbeOptions): LivenessOptions {
  const out: LivenessOptions = { resolver: options.resolver, policy: options.policy };
  if (options.timeoutMs !== undefined) out.timeoutMs = options.timeoutMs;
  if (options.ca !== undefined) out.ca = options.ca;
  if (options.clock !== undefined) out.clock = options.clock;
  if (options.agentOptions !== undefined) out.agentOptions = options.agentOptions;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Name servers

/**
 * NS records of the closest enclosing zone that shows them, walking up from the host to its registrable
 * domain, and which of those servers have AAAA.
 */
export async function nameServerIpv6(resolver: ProbeResolver, host: string): Promise<{ names: string[] | null; withAaaa: string[] }> {
  if (!host || isIP(host)) return { names: null, withAaaa: [] };
  const site = registrableDomain(host);
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  for (let i = 0; i < labels.length; i++) {
    const zone = labels.slice(i).join('.');
    const answer = await resolver.resolveNs(zone);
    if (answer.ok) {
      const aaaa = await Promise.all(answer.records.map((name) => resolver.resolveAaaa(name)));
      return { names: answer.records, withAaaa: answer.records.filter((_, k) => aaaa[k]!.ok) };
    }
    if (zone === site) break;
  }
  return { names: null, withAaaa: [] };
}

// ---------------------------------------------------------------------------------------------------
// Same-site links

/** Second-level suffixes under which registrations happen (a small public-suffix list for our users). */
const MULTI_LABEL_SUFFIXES = new Set([
  ...['gov', 'com', 'net', 'org', 'edu', 'ac', 'mil'].map((s) => `${s}.cn`),
  ...['bj', 'tj', 'he', 'sx', 'nm', 'ln', 'jl', 'hl', 'sh', 'js', 'zj', 'ah', 'fj', 'jx', 'sd', 'ha', 'hb', 'hn', 'gd', 'gx', 'hi', 'cq', 'sc', 'gz', 'yn', 'xz', 'sn', 'gs', 'qh', 'nx', 'xj', 'tw', 'hk', 'mo'].map((s) => `${s}.cn`),
  ...['com', 'gov', 'org', 'edu', 'net'].map((s) => `${s}.hk`),
  'co.uk',
  'gov.uk',
  'ac.uk',
  'org.uk',
]);

/** `www.linyi.gov.cn` → `linyi.gov.cn`; `news.fleet.test` → `fleet.test`; IP literals stand for themselves. */
export function registrableDomain(host: string): string {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (isIP(name)) return name;
  const labels = name.split('.');
  if (labels.length <= 2) return name;
  const lastTwo = labels.slice(-2).join('.');
  return MULTI_LABEL_SUFFIXES.has(lastTwo) ? labels.slice(-3).join('.') : lastTwo;
}

export function sameSite(a: string, b: string): boolean {
  try {
    return registrableDomain(new URL(a).hostname) === registrableDomain(new URL(b).hostname);
  } catch {
    return false;
  }
}

/** Deterministic sample: the `n` URLs with the smallest SHA-256, so the same site gives the same sample. */
export function sampleLinks(urls: ReadonlyArray<string>, n: number): string[] {
  return [...new Set(urls)]
    .map((url) => ({ url, key: sha256Hex(url) }))
    .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
    .slice(0, n)
    .map((x) => x.url);
}

function emptyLevel(): LinkLevel {
  return { found: 0, sampled: 0, okOverIpv6: 0, rate: null, failures: [] };
}

function normalizeLink(url: string): string {
  const u = new URL(url);
  u.hash = '';
  return u.href;
}

async function checkSiteLinks(homeUrl: string, homeBody: string, options: Ipv6ProbeOptions): Promise<{ second: LinkLevel; third: LinkLevel }> {
  const sample = options.linkSample ?? 50;
  const concurrency = options.linkConcurrency ?? 6;
  const home = normalizeLink(homeUrl);
  const seen = new Set<string>([home]);
  const secondFound = extractLinks(homeBody, homeUrl).filter((l) => sameSite(l, homeUrl) && !seen.has(l));
  secondFound.forEach((l) => seen.add(l));
  const secondSample = sampleLinks(secondFound, sample);

  // IPv6 check of each second-level page; its body (over IPv4 if IPv6 failed) yields the third level.
  const secondChecks = await mapWithConcurrency(secondSample, concurrency, async (link) => {
    const v6 = await probeLiveness(link, { ...livenessOptions(options), family: 6, includeBody: true });
    let body = v6.outcome === 'ok' ? v6.bodyText : undefined;
    let base = v6.finalUrl;
    if (body === undefined) {
      const v4 = await probeLiveness(link, { ...livenessOptions(options), family: 4, includeBody: true });
      if (v4.outcome === 'ok') {
        body = v4.bodyText;
        base = v4.finalUrl;
      }
    }
    return { url: link, outcome: v6.outcome, body, base };
  });

  const thirdFound: string[] = [];
  for (const check of secondChecks) {
    if (check.body === undefined) continue;
    for (const link of extractLinks(check.body, check.base)) {
      if (sameSite(link, homeUrl) && !seen.has(link)) {
        seen.add(link);
        thirdFound.push(link);
      }
    }
  }
  const thirdSample = sampleLinks(thirdFound, sample);
  const thirdChecks = await mapWithConcurrency(thirdSample, concurrency, async (link) => {
    const v6 = await probeLiveness(link, { ...livenessOptions(options), family: 6 });
    return { url: link, outcome: v6.outcome };
  });

  return { second: linkLevel(secondFound.length, secondChecks), third: linkLevel(thirdFound.length, thirdChecks) };
}

function linkLevel(found: number, checks: ReadonlyArray<{ url: string; outcome: ProbeOutcome }>): LinkLevel {
  const ok = checks.filter((c) => c.outcome === 'ok').length;
  return {
    found,
    sampled: checks.length,
    okOverIpv6: ok,
    rate: checks.length > 0 ? round(ok / checks.length) : null,
    failures: checks
      .filter((c) => c.outcome !== 'ok')
      .slice(0, 10)
      .map((c) => ({ url: c.url, outcome: c.outcome })),
  };
}
