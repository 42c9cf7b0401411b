import { t, type MessageKey, type MessageParams } from '../i18n/index.js';
import { judgeSiteUnreachable } from './inspection-rule.js';
import { VERDICT_RANK, REASON_CODES, answeredCount, representativeRole, type FlagCode, type JudgedStatus, type Lifecycle, type ReasonCode, type Severity, type Status, type UsageMetric } from './codes.js';
import type { JsonValue } from './canonical.js';
import { addDays, addMonths, assertDay, diffDays, maxDay, minDay, type Day } from './dates.js';
import type { ExemptionFacts, ProbeDay, SystemEvidence, UsageDay } from './evidence.js';
import type { Policy } from './policy.js';

/** A catalogue message: render with `t(lang, key, params)`. */
export interface Message {
  key: MessageKey;
  params: MessageParams;
}

export type JsonObject = { [key: string]: JsonValue };

export interface Reason {
  code: ReasonCode;
  /** Which verdict this reason supports. */
  severity: Severity;
  /** The day the condition started (first bad day, day after the last use or change…); null when unknown. */
  since: Day | null;
  /** Plain English, for logs and API clients. Reports render `message` in the reader's language. */
  detail: string;
  message: Message;
  /** The figures the reason rests on: which days, which counts, which usage figures. JSON-safe. */
  evidence: JsonObject;
}

export interface Flag {
  code: FlagCode;
  detail: string;
  message: Message;
  evidence: JsonObject;
}

/**
 * Why the evidence is too thin to call a system active:
 *  - `probe_days`: fewer than `probes.minDays` probe days in the evidence window;
 *  - `probes_stale`: the latest probe day is older than `probes.maxSilenceDays` (or there is none);
 *  - `usage_source`: a non-public system with no usage source.
 */
export interface EvidenceGap {
  code: 'probe_days' | 'probes_stale' | 'usage_source';
  detail: string;
  message: Message;
  evidence: JsonObject;
}

export interface Classification {
  systemCode: string;
  asOf: Day;
  policyVersion: string;
  status: Status;
  /**
   * False for systems in `planning`, `construction` or `retired`: they are not judged (nothing is
   * supposed to run yet, or any more) and get status `exempt` with no reasons. Decommissioning systems
   * are judged like live ones.
   */
  judged: boolean;
  notJudgedBecause: Lifecycle | null;
  /** The verdict the evidence gives, ignoring any exemption; null when not judged. Equals `status` unless exempt. */
  wouldBe: JudgedStatus | null;
  /** All reasons found, worst first. Also filled for exempt systems (what the exemption is covering). */
  reasons: Reason[];
  /** Compliance flags, independent of the status. */
  flags: Flag[];
  gaps: EvidenceGap[];
  /** The exemption in force on `asOf`, if any. */
  exemption: ExemptionFacts | null;
}

const NOT_JUDGED: ReadonlySet<Lifecycle> = new Set(['planning', 'construction', 'retired']);

/**
 * Classifies one system from its evidence, as of a day. Pure and deterministic: the order of the evidence
 * arrays does not matter, rows after `asOf` are ignored, no clock is read.
 *
 * Verdict: zombie if any zombie reason holds; otherwise semi_zombie if any semi-zombie reason holds;
 * otherwise insufficient_evidence if the evidence has a gap (see `EvidenceGap`); otherwise active. A
 * reason that the available evidence establishes wins over a gap (e.g. an unconfirmed owner makes a
 * system semi_zombie even with three days of probes), and each probe rule needs enough probe days of its
 * own. An exemption in force (`asOf <= exemption.until`) makes the status `exempt`, keeping the reasons.
 */
export function classify(evidence: SystemEvidence, policy: Policy, asOf: Day): Classification {
  assertDay(asOf, 'asOf');
  const sys = evidence.system;
  const base = { systemCode: sys.code, asOf, policyVersion: policy.version };

  if (NOT_JUDGED.has(sys.lifecycle)) {
    return { ...base, status: 'exempt', judged: false, notJudgedBecause: sys.lifecycle, wouldBe: null, reasons: [], flags: [], gaps: [], exemption: null };
  }

  const ctx = prepare(evidence, policy, asOf);
  const life = evidenceOfLife(ctx);
  const probeFound = probeReasons(ctx);
  // Evidence of life beats a failure seen from our vantage point: the probe rules that only say "we could
  // not get through" give way to `probe_blocked`; DNS gone (NXDOMAIN) is the world's answer, not ours.
  const blockedReasons = life.alive ? probeFound.filter((r) => FROM_OUR_VANTAGE.has(r.code)) : [];
  const probeKept = probeFound.filter((r) => !blockedReasons.includes(r));
  // A portal that is down is unreachable, not also homepage_not_updated: nobody can read its homepage.
  // (Only while unreachable holds, which makes it a zombie anyway: more evidence of life never worsens.)
  const down = probeKept.some((r) => r.code === 'unreachable');
  const reasons = [
    ...probeKept,
    ...usageReasons(ctx),
    ...contentReasons(ctx).filter((r) => !(down && r.code === 'homepage_not_updated')),
    ...ownershipReasons(ctx),
    ...certReasons(ctx),
    ...duplicateReasons(ctx),
  ].sort(compareReasons);
  const gaps = evidenceGaps(ctx);
  const flags = complianceFlags(ctx, life, blockedReasons);

  const wouldBe: JudgedStatus = reasons.some((r) => r.severity === 'zombie')
    ? 'zombie'
    : reasons.length > 0
      ? 'semi_zombie'
      : gaps.length > 0
        ? 'insufficient_evidence'
        : 'active';

  const ex = sys.exemption;
  const exemptionInForce = ex && ex.until >= asOf ? ex : null;
  return {
    ...base,
    status: exemptionInForce ? 'exempt' : wouldBe,
    judged: true,
    notJudgedBecause: null,
    wouldBe,
    reasons,
    flags,
    gaps,
    exemption: exemptionInForce ? { ...exemptionInForce } : null,
  };
}

/** Compares two judged verdicts: negative when `a` is worse than `b`. */
export function compareVerdicts(a: JudgedStatus, b: JudgedStatus): number {
  return VERDICT_RANK[a] - VERDICT_RANK[b];
}

// ---------------------------------------------------------------------------------------------------
// Preparation: normalise the evidence once.

interface Ctx {
  ev: SystemEvidence;
  policy: Policy;
  asOf: Day;
  /** Probe days up to asOf with probes > 0, ascending, one per day. */
  probeDays: ProbeDay[];
  latestProbe: ProbeDay | null;
  probesFresh: boolean;
  hasPortal: boolean;
  usageRows: UsageDay[];
  /** First day covered by any usage source (null: no usage source). */
  usageCoverageStart: Day | null;
  /** Content hash history derived from probe days. */
  hashFirstSeen: Day | null;
  hashLastChange: Day | null;
}

function prepare(ev: SystemEvidence, policy: Policy, asOf: Day): Ctx {
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

/** Reasons that rest only on our probes not getting through. */
const FROM_OUR_VANTAGE: ReadonlySet<ReasonCode> = new Set(['unreachable', 'availability_low']);

interface Life {
  /** Recent usage, or challenged probes: the system is alive whatever our probes saw. */
  alive: boolean;
  challengedProbes: number;
  /** Days with use in the last `semiZombie.usageWindowDays`, and the latest one. */
  usageDays: number;
  lastUsage: Day | null;
  from: Day;
}

function evidenceOfLife(ctx: Ctx): Life {
  const { policy, asOf } = ctx;
  const probeFrom = addDays(asOf, -(policy.probes.evidenceWindowDays - 1));
  const challengedProbes = ctx.probeDays.filter((d) => d.day >= probeFrom).reduce((s, d) => s + (d.outcomes.challenged ?? 0), 0);
  const from = addDays(asOf, -(policy.semiZombie.usageWindowDays - 1));
  const used = new Set(ctx.usageRows.filter((u) => u.day >= from).map((u) => u.day));
  const lastUsage = maxDay(...used);
  return { alive: challengedProbes > 0 || used.size > 0, challengedProbes, usageDays: used.size, lastUsage, from };
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

function reason(code: ReasonCode, severity: Severity, since: Day | null, key: MessageKey, params: MessageParams, evidence: JsonObject): Reason {
  return { code, severity, since, detail: t('en', key, params), message: { key, params }, evidence };
}

function compareReasons(a: Reason, b: Reason): number {
  if (a.severity !== b.severity) return a.severity === 'zombie' ? -1 : 1;
  return REASON_CODES.indexOf(a.code) - REASON_CODES.indexOf(b.code);
}

/** A ratio as a percentage with one decimal, the same in every language: "87.3%". */
export function formatPercent(ratio: number): string {
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

function sumOutcomes(days: ProbeDay[]): JsonObject {
  const out: Record<string, number> = {};
  for (const d of days) for (const [k, v] of Object.entries(d.outcomes)) out[k] = (out[k] ?? 0) + (v ?? 0);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Probe rules: unreachable, dns_gone, availability_low.

/**
 * The run of bad probe days that ends at the latest probe day, allowing up to `gapToleranceDays` missing
 * days between two rows. Null when the latest day is not bad.
 */
function trailingRun(ctx: Ctx, bad: (d: ProbeDay) => boolean): ProbeDay[] | null {
  const days = ctx.probeDays;
  let i = days.length - 1;
  if (i < 0 || !bad(days[i]!)) return null;
  while (i > 0) {
    const prev = days[i - 1]!;
    if (!bad(prev) || diffDays(days[i]!.day, prev.day) - 1 > ctx.policy.probes.gapToleranceDays) break;
    i--;
  }
  return days.slice(i);
}

function runEvidence(run: ProbeDay[]): JsonObject {
  const from = run[0]!.day;
  const to = run.at(-1)!.day;
  const calendarDays = diffDays(to, from) + 1;
  return {
    from,
    to,
    calendarDays,
    probedDays: run.length,
    missingDays: calendarDays - run.length,
    probes: run.reduce((s, d) => s + d.probes, 0),
    ok: run.reduce((s, d) => s + d.ok, 0),
    failed: run.reduce((s, d) => s + d.failed, 0),
    dnsNxdomain: run.reduce((s, d) => s + d.dnsNxdomain, 0),
    outcomes: sumOutcomes(run),
  };
}

function probeReasons(ctx: Ctx): Reason[] {
  if (!ctx.probesFresh) return [];
  const { policy } = ctx;
  const out: Reason[] = [];

  const dnsRun = trailingRun(ctx, (d) => d.ok === 0 && d.dnsNxdomain >= d.probes);
  if (dnsRun) {
    const ev = runEvidence(dnsRun);
    if ((ev.calendarDays as number) >= policy.zombie.dnsGoneDays) {
      out.push(
        reason('dns_gone', 'zombie', ev.from as Day, 'reason.dns_gone', { days: ev.calendarDays as number, since: ev.from as string, probes: ev.probes as number }, { ...ev, threshold: policy.zombie.dnsGoneDays }),
      );
    }
  }

  const downRun = trailingRun(ctx, (d) => answeredProbes(d) === 0);
  if (downRun) {
    const ev = runEvidence(downRun);
    if ((ev.calendarDays as number) >= policy.zombie.unreachableDays) {
      out.push(
        reason('unreachable', 'zombie', ev.from as Day, 'reason.unreachable', { days: ev.calendarDays as number, since: ev.from as string, probes: ev.probes as number }, { ...ev, threshold: policy.zombie.unreachableDays }),
      );
    }
  }

  // Availability is not repeated when the system is already down or gone for good.
  if (out.length === 0) {
    const window = policy.semiZombie.availabilityWindowDays;
    const from = addDays(ctx.asOf, -(window - 1));
    const inWindow = ctx.probeDays.filter((d) => d.day >= from);
    const probes = inWindow.reduce((s, d) => s + d.probes, 0);
    // Availability counts probes the server answered (ok, an HTTP error, a TLS error, a challenge).
    const ok = inWindow.reduce((s, d) => s + answeredProbes(d), 0);
    if (inWindow.length >= policy.probes.minDays && probes > 0 && ok / probes < policy.semiZombie.availabilityMin) {
      const availability = ok / probes;
      const worstDays = [...inWindow]
        .sort((a, b) => answeredProbes(a) / a.probes - answeredProbes(b) / b.probes || (a.day < b.day ? -1 : 1))
        .slice(0, 5)
        .map((d) => ({ day: d.day, probes: d.probes, ok: answeredProbes(d) }));
      const since = inWindow.find((d) => answeredProbes(d) < d.probes)?.day ?? from;
      out.push(
        reason(
          'availability_low',
          'semi_zombie',
          since,
          'reason.availability_low',
          { window, availability: formatPercent(availability), threshold: formatPercent(policy.semiZombie.availabilityMin), probes, failed: probes - ok },
          {
            from,
            to: ctx.asOf,
            probedDays: inWindow.length,
            probes,
            ok,
            failed: probes - ok,
            availability: Math.round(availability * 10000) / 10000,
            threshold: policy.semiZombie.availabilityMin,
            outcomes: sumOutcomes(inWindow),
            worstDays,
          },
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Usage rules: no_usage (with content), low_usage.

function usageSums(rows: UsageDay[], from: Day, to: Day): Record<UsageMetric, number> {
  const sums: Record<UsageMetric, number> = { visits: 0, active_users: 0, logins: 0, transactions: 0 };
  for (const r of rows) if (r.day >= from && r.day <= to) sums[r.metric] += r.value;
  return sums;
}

/**
 * Monthly active users are people, not requests (issue 9): judged on `active_users` where the system
 * reports it, on visits otherwise (then logins, then transactions), never on a mix or a sum of metrics.
 *
 * An `active_users` row is the distinct users of its day (a log import's distinct clients, a daily push)
 * or of its month (a monthly push). Distinct users cannot be added up over days — the same people come
 * back — so a window's figure is its largest row: every user of the busiest day is a user of the month.
 * Visits, logins and transactions count events, so their window sum is an upper bound on the people
 * behind them.
 */
export const USAGE_BASES = ['active_users', 'visits', 'logins', 'transactions'] as const satisfies readonly UsageMetric[];

function usageBasis(rows: UsageDay[], from: Day, to: Day): UsageMetric | null {
  const present = new Set(rows.filter((r) => r.day >= from && r.day <= to).map((r) => r.metric));
  return USAGE_BASES.find((m) => present.has(m)) ?? null;
}

function monthlyUsers(rows: UsageDay[], metric: UsageMetric | null, from: Day, to: Day): number {
  if (metric === null) return 0;
  let n = 0;
  for (const r of rows) {
    if (r.metric !== metric || r.day < from || r.day > to) continue;
    n = metric === 'active_users' ? Math.max(n, r.value) : n + r.value;
  }
  return n;
}

/**
 * The earliest day the evidence proves the content unchanged since: the latest change any source shows
 * (a content-hash change seen by our probes, the server's Last-Modified, the sitemap's newest lastmod),
 * or, with no change shown at all, the first day we saw the content. A first sighting is never a change.
 */
function contentUnchangedSince(ctx: Ctx): Day | null {
  const c = ctx.ev.content;
  const lastChange = maxDay(c.lastChanged, c.homepageLastChanged, c.sitemapNewestLastmod, ctx.hashLastChange);
  return lastChange ?? minDay(c.observedSince, ctx.hashFirstSeen);
}

function usageReasons(ctx: Ctx): Reason[] {
  const { policy, asOf } = ctx;
  const coverage = ctx.usageCoverageStart;
  if (coverage === null) return [];
  const seasonal = !!ctx.ev.system.season;
  const seasonStart = addDays(addMonths(asOf, -policy.seasonal.usageWindowMonths), 1);
  const out: Reason[] = [];

  // no_usage: nothing at all for the window, and content unchanged for noContentChangeDays.
  const noUsageFrom = seasonal ? seasonStart : addDays(asOf, -(policy.zombie.noUsageDays - 1));
  let noUsage = false;
  if (coverage <= noUsageFrom) {
    const sums = usageSums(ctx.usageRows, noUsageFrom, asOf);
    const total = sums.visits + sums.active_users + sums.logins + sums.transactions;
    const unchangedSince = contentUnchangedSince(ctx);
    const contentDays = unchangedSince ? diffDays(asOf, unchangedSince) : null;
    if (total === 0 && contentDays !== null && contentDays >= policy.zombie.noContentChangeDays) {
      noUsage = true;
      const lastUse = maxDay(...ctx.usageRows.map((r) => r.day));
      const usageSilentSince = lastUse ? addDays(lastUse, 1) : coverage;
      const usageDays = diffDays(asOf, usageSilentSince) + 1;
      out.push(
        reason(
          'no_usage',
          'zombie',
          maxDay(usageSilentSince, unchangedSince),
          'reason.no_usage',
          { usageDays, contentDays },
          {
            usageWindow: { from: noUsageFrom, to: asOf },
            usageTotal: 0,
            lastUsage: lastUse,
            usageCoveredSince: coverage,
            seasonal,
            contentUnchangedSince: unchangedSince,
            contentDays,
            thresholds: { noUsageDays: seasonal ? `${policy.seasonal.usageWindowMonths} months` : policy.zombie.noUsageDays, noContentChangeDays: policy.zombie.noContentChangeDays },
          },
        ),
      );
    }
  }

  // low_usage: fewer monthly active users than the threshold (no repeat when no_usage already holds).
  if (!noUsage) {
    const window = policy.semiZombie.usageWindowDays;
    const registered = ctx.ev.system.registeredUsers;
    const threshold = Math.max(policy.semiZombie.minMonthlyActiveUsers, Math.ceil(policy.semiZombie.minActiveUserShare * (registered ?? 0)));
    const blocks: { from: Day; to: Day }[] = [];
    if (seasonal) {
      for (let to = asOf; ; to = addDays(to, -window)) {
        const from = addDays(to, -(window - 1));
        if (from < seasonStart) break;
        blocks.push({ from, to });
      }
    } else {
      blocks.push({ from: addDays(asOf, -(window - 1)), to: asOf });
    }
    const first = blocks.at(-1);
    if (first && coverage <= (seasonal ? seasonStart : first.from)) {
      // One metric for the whole judgement: active users when reported anywhere in the judged period.
      const metric = usageBasis(ctx.usageRows, first.from, asOf);
      let best: { from: Day; to: Day; users: number; sums: Record<UsageMetric, number> } | null = null;
      for (const b of blocks) {
        const users = monthlyUsers(ctx.usageRows, metric, b.from, b.to);
        if (!best || users > best.users) best = { ...b, users, sums: usageSums(ctx.usageRows, b.from, b.to) };
      }
      if (best && best.users < threshold) {
        const from = seasonal ? seasonStart : best.from;
        const byPeople = metric === 'active_users' || metric === null;
        const key: MessageKey = seasonal ? (byPeople ? 'reason.low_usage.seasonal' : 'reason.low_usage.seasonal.by_metric') : byPeople ? 'reason.low_usage' : 'reason.low_usage.by_metric';
        out.push(
          reason(
            'low_usage',
            'semi_zombie',
            from,
            key,
            { window, months: policy.seasonal.usageWindowMonths, users: best.users, threshold, metric: metric ?? 'active_users' },
            {
              window: { from, to: asOf },
              bestWindow: { from: best.from, to: best.to },
              seasonal,
              monthlyActiveUsers: best.users,
              basedOn: metric ?? 'none',
              figure: metric === 'active_users' ? 'largest_row' : metric === null ? 'no_usage_rows' : 'window_sum',
              sums: best.sums,
              registeredUsers: registered,
              threshold,
              thresholds: { minMonthlyActiveUsers: policy.semiZombie.minMonthlyActiveUsers, minActiveUserShare: policy.semiZombie.minActiveUserShare },
            },
          ),
        );
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Content rules: stale_content, homepage_not_updated.

function contentReasons(ctx: Ctx): Reason[] {
  const { policy, asOf, ev } = ctx;
  const out: Reason[] = [];
  const c = ev.content;

  if (policy.semiZombie.staleContentScope === 'all' || ctx.hasPortal) {
    const since = contentUnchangedSince(ctx);
    if (since) {
      const days = diffDays(asOf, since);
      if (days >= policy.semiZombie.staleContentDays) {
        out.push(
          reason('stale_content', 'semi_zombie', since, 'reason.stale_content', { days, since }, {
            unchangedSince: since,
            days,
            threshold: policy.semiZombie.staleContentDays,
            lastChanged: c.lastChanged,
            homepageLastChanged: c.homepageLastChanged ?? null,
            sitemapNewestLastmod: c.sitemapNewestLastmod ?? null,
            probeHashLastChange: ctx.hashLastChange,
            observedSince: minDay(c.observedSince, ctx.hashFirstSeen),
          }),
        );
      }
    }
  }

  // The national website indicators' 2-week rule is about government websites: internet-facing portals.
  // A portal that is down is `unreachable`, not also `homepage_not_updated` (see `classify`).
  if (ctx.hasPortal && ev.system.network === 'internet') {
    const lastChange = c.homepageLastChanged != null ? c.homepageLastChanged : maxDay(c.lastChanged, ctx.hashLastChange);
    const since = lastChange ?? minDay(c.observedSince, ctx.hashFirstSeen);
    if (since) {
      const days = diffDays(asOf, since);
      if (days >= policy.semiZombie.homepageStaleDays) {
        out.push(
          reason('homepage_not_updated', 'semi_zombie', since, 'reason.homepage_not_updated', { days, since }, {
            unchangedSince: since,
            days,
            threshold: policy.semiZombie.homepageStaleDays,
            basedOn: c.homepageLastChanged != null ? 'homepage' : 'content_hash',
          }),
        );
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Ownership rules: owner_unconfirmed, owner_missing, no_maintainer.

const blank = (s: string | null | undefined) => !s || s.trim() === '';

function ownershipReasons(ctx: Ctx): Reason[] {
  const { policy, asOf, ev } = ctx;
  const out: Reason[] = [];
  const own = ev.ownership;
  const dept = ev.department;

  const deadline = own.campaignDeadline ?? null;
  if (own.unconfirmedAfterDeadline && (deadline === null || deadline < asOf)) {
    out.push(
      reason('owner_unconfirmed', policy.severity.owner_unconfirmed, deadline ? addDays(deadline, 1) : null, deadline ? 'reason.owner_unconfirmed' : 'reason.owner_unconfirmed.no_deadline', { deadline: deadline ?? '' }, {
        campaignDeadline: deadline,
        confirmedAt: own.confirmedAt ?? null,
      }),
    );
  }

  const dissolved = dept.dissolvedOn !== null && dept.dissolvedOn <= asOf;
  if (dissolved && !dept.successorCode) {
    out.push(
      reason('owner_missing', 'zombie', dept.dissolvedOn, 'reason.owner_missing.department_dissolved', { department: dept.name ?? dept.code, dissolvedOn: dept.dissolvedOn! }, {
        departmentCode: dept.code,
        dissolvedOn: dept.dissolvedOn,
        successorCode: null,
      }),
    );
  } else if (own.ownerMissing) {
    out.push(reason('owner_missing', policy.severity.owner_missing, null, 'reason.owner_missing', {}, { ownerMissing: true, departmentCode: dept.code }));
  }

  const s = ev.system;
  const contact = s.contact;
  if (blank(s.operatorUnit) && blank(contact?.name) && blank(contact?.phone) && blank(contact?.email)) {
    out.push(reason('no_maintainer', policy.severity.no_maintainer, null, 'reason.no_maintainer', {}, { operatorUnit: null, contact: null }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// cert_expired, duplicate_function.

function certReasons(ctx: Ctx): Reason[] {
  const { policy, asOf, ev } = ctx;
  let validTo: Day | null = ev.tls?.validTo ?? null;
  let basedOn = 'tls';
  if (!validTo && ctx.probesFresh && typeof ctx.latestProbe?.certDaysLeftMin === 'number') {
    validTo = addDays(ctx.latestProbe.day, ctx.latestProbe.certDaysLeftMin);
    basedOn = 'probe';
  }
  if (!validTo || diffDays(asOf, validTo) <= policy.semiZombie.certExpiredGraceDays) return [];
  return [
    reason('cert_expired', policy.severity.cert_expired, addDays(validTo, 1), 'reason.cert_expired', { validTo }, {
      validTo,
      host: ev.tls?.host ?? null,
      daysExpired: diffDays(asOf, validTo),
      basedOn,
    }),
  ];
}

function duplicateReasons(ctx: Ctx): Reason[] {
  const d = ctx.ev.duplicates;
  const of = [...new Set((d?.of ?? []).map((c) => c.trim()).filter((c) => c !== '' && c !== ctx.ev.system.code))].sort();
  if (of.length === 0) return [];
  return [
    reason('duplicate_function', ctx.policy.severity.duplicate_function, d?.notedOn ?? null, 'reason.duplicate_function', { systems: of.join(', ') }, {
      duplicates: of,
      notedOn: d?.notedOn ?? null,
      notedBy: d?.notedBy ?? null,
      note: d?.note ?? null,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Evidence gaps and compliance flags.

function evidenceGaps(ctx: Ctx): EvidenceGap[] {
  const { policy, asOf, ev } = ctx;
  const gaps: EvidenceGap[] = [];
  const window = policy.probes.evidenceWindowDays;
  const from = addDays(asOf, -(window - 1));
  const days = ctx.probeDays.filter((d) => d.day >= from).length;
  if (days < policy.probes.minDays) {
    const params = { window, days, required: policy.probes.minDays };
    gaps.push({ code: 'probe_days', detail: t('en', 'gap.probe_days', params), message: { key: 'gap.probe_days', params }, evidence: { from, to: asOf, probedDays: days, required: policy.probes.minDays } });
  }
  if (!ctx.probesFresh) {
    const latest = ctx.latestProbe?.day ?? null;
    const params = { latest: latest ?? '—' };
    gaps.push({ code: 'probes_stale', detail: t('en', 'gap.probes_stale', params), message: { key: 'gap.probes_stale', params }, evidence: { latestProbeDay: latest, maxSilenceDays: policy.probes.maxSilenceDays } });
  }
  if (ctx.usageCoverageStart === null && ev.system.userScope !== 'public') {
    gaps.push({ code: 'usage_source', detail: t('en', 'gap.usage_source', {}), message: { key: 'gap.usage_source', params: {} }, evidence: { userScope: ev.system.userScope, usageSources: 0 } });
  }
  return gaps;
}

function complianceFlags(ctx: Ctx, life: Life, blocked: Reason[]): Flag[] {
  const s = ctx.ev.system;
  const flags: Flag[] = [];
  const flag = (code: FlagCode, key: MessageKey, params: MessageParams, evidence: JsonObject) =>
    flags.push({ code, detail: t('en', key, params), message: { key, params }, evidence });
  if (s.cloudRequired && s.deployment !== 'gov_cloud') {
    flag('not_on_gov_cloud', 'flag.not_on_gov_cloud', { deployment: s.deployment }, { cloudRequired: true, deployment: s.deployment });
  }
  const ipv6 = ctx.ev.ipv6;
  // Measured on the system's representative endpoint (portal, else app, else api). Unmeasured systems are
  // not flagged: that is a gap of the measurement, not the department's doing.
  const represented = representativeRole(s.endpoints.map((e) => e.role)) !== null;
  if (s.network === 'internet' && represented && ipv6 && ipv6.grade !== 'ready' && (ipv6.grade as string) !== 'unmeasured') {
    flag('ipv6_not_ready', 'flag.ipv6_not_ready', { grade: ipv6.grade }, {
      grade: ipv6.grade,
      measuredOn: ipv6.measuredOn,
      secondLevelRate: ipv6.secondLevelRate ?? null,
      thirdLevelRate: ipv6.thirdLevelRate ?? null,
    });
  }
  if (s.mlpsLevel == null) flag('mlps_missing', 'flag.mlps_missing', {}, { mlpsLevel: null });
  // The national inspection rule "site unreachable", judged on the portal cadence's visits (reports/inspection-rule.ts).
  if (ctx.hasPortal && ctx.ev.inspection?.length) {
    const v = judgeSiteUnreachable(ctx.ev.inspection, ctx.asOf, ctx.policy.inspection);
    if (v.result === 'fail') {
      flag('inspection_unreachable', 'flag.inspection_unreachable', { share: `${Math.round((v.evidence.share ?? 0) * 1000) / 10}%`, visits: v.evidence.visits, from: v.evidence.from, to: v.evidence.to }, { rule: v.rule, ...v.evidence, policy: { ...ctx.policy.inspection } });
    }
  }
  if (life.challengedProbes > 0 || blocked.length > 0) {
    const prober = ctx.ev.prober ?? null;
    const vendors = [...new Set(prober?.challengeVendors ?? [])].sort();
    const address = prober?.address ?? '—';
    const evidence: JsonObject = {
      proberAddress: prober?.address ?? null,
      challengedProbes: life.challengedProbes,
      vendors,
      recentUsage: { from: life.from, to: ctx.asOf, daysWithUse: life.usageDays, lastUsage: life.lastUsage },
      setAside: blocked.map((r) => ({ code: r.code, since: r.since, evidence: r.evidence })),
    };
    if (life.challengedProbes > 0) {
      flag('probe_blocked', 'flag.probe_blocked.challenged', { address, vendor: vendors[0] ?? 'generic', probes: life.challengedProbes }, evidence);
    } else {
      flag('probe_blocked', 'flag.probe_blocked.unreachable', { address, lastUsage: life.lastUsage ?? '—' }, evidence);
    }
  }
  return flags;
}
