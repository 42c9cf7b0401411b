import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../reports/canonical.js';
import { classify, compareVerdicts, type Classification } from '../../reports/classify.js';
import { REASON_CODES, VERDICT_RANK, type JudgedStatus } from '../../reports/codes.js';
import { addDays, maxDay, type Day } from '../../reports/dates.js';
import type { ProbeDay, SystemEvidence, UsageDay } from '../../reports/evidence.js';
import { defaultPolicy } from '../../reports/policy.js';

/*
 * Properties of the verdict.
 *
 * Order: zombie < semi_zombie < insufficient_evidence < active. `insufficient_evidence` sits just below
 * `active`: it is only given when no reason holds, so it means "nothing wrong found, but too little
 * evidence to say active". `exempt` is outside the order: it depends on the exemption and lifecycle
 * alone, which none of the changes below touch, so an exempt system stays exempt.
 *
 * "More evidence of life" is a change that adds life without adding coverage: replacing a failed probe
 * day by a fully successful one (same day, same number of probes), more usage (usage sources unchanged),
 * a content change newer than anything known, ownership confirmed. Changes of coverage — a new usage
 * source, probes on more days — are more evidence but not evidence of life: they may reveal a problem
 * (insufficient_evidence → semi_zombie) and are deliberately not in these properties.
 */

const ASOFS: Day[] = ['2026-11-30', '2026-03-15', '2027-01-01', '2024-02-29'];
const HISTORY = 70;

/** A rare event: true about once in `n`. */
const rare = (n: number) => fc.integer({ min: 1, max: n }).map((x) => x === 1);

interface ProbeShape {
  probes: number;
  ok: number;
  nx: number;
}

const probePatternArb = fc.record({
  kind: fc.constantFrom('healthy', 'healthy', 'down', 'nx', 'flaky', 'sparse'),
  n: fc.integer({ min: 0, max: 45 }),
  flakyOk: fc.integer({ min: 18, max: 24 }),
  failedDays: fc.array(fc.integer({ min: 0, max: HISTORY - 1 }), { maxLength: 5 }),
  missingDays: fc.array(fc.integer({ min: 0, max: HISTORY - 1 }), { maxLength: 4 }),
  hashChangeAt: fc.tuple(rare(3), fc.integer({ min: 0, max: HISTORY - 1 })).map(([on, i]) => (on ? i : null)),
  certLeft: fc.option(fc.integer({ min: -10, max: 120 }), { nil: null }),
});

/** Probe day `i` days before asOf under a pattern. */
function shapeOf(p: { kind: string; n: number; flakyOk: number; failedDays: number[] }, i: number): ProbeShape | null {
  const probes = 24;
  if (p.kind === 'sparse' && i % 6 !== 0) return null;
  if (p.kind === 'down' && i < p.n) return { probes, ok: 0, nx: 0 };
  if (p.kind === 'nx' && i < Math.min(p.n, 12)) return { probes, ok: 0, nx: probes };
  if (p.kind === 'flaky' && i < 30) return { probes, ok: p.flakyOk, nx: 0 };
  if (p.failedDays.includes(i)) return { probes, ok: 12, nx: 0 };
  return { probes, ok: probes, nx: 0 };
}

function probeDay(day: Day, s: ProbeShape, hash: string | null, cert: number | null): ProbeDay {
  const failed = s.probes - s.ok;
  const outcomes: ProbeDay['outcomes'] = {};
  if (s.ok) outcomes.ok = s.ok;
  if (s.nx) outcomes.dns_nxdomain = s.nx;
  if (failed - s.nx) outcomes.timeout = failed - s.nx;
  return { day, probes: s.probes, ok: s.ok, failed, dnsNxdomain: s.nx, outcomes, certDaysLeftMin: cert, contentHash: hash };
}

const offsetDay = (asOf: Day, max: number) => fc.option(fc.integer({ min: 0, max }).map((k) => addDays(asOf, -k)), { nil: null });

/** A portal's site inspection: `stale` dynamic sections a month old and `blank` empty ones beside a fresh one. */
function siteEvidence(asOf: Day, stale: number, blank: number): NonNullable<SystemEvidence['siteInspection']> {
  const section = (name: string, type: 'dynamic' | 'other', newest: Day | null, items: number) => ({ name, url: `https://sys.example.gov.cn/${name}/`, type, lastDay: asOf, lastOutcome: 'ok', items, newest });
  return {
    days: [{ day: asOf, outcome: 'ok', homepageItems: 5, homepageDated: 5, homepageNewest: asOf, navigationOnly: false, linksChecked: 10, linksBroken: 0, brokenLinks: [], outboundRisks: [], wordingHits: 0, wording: [] }],
    sections: [
      section('fresh', 'dynamic', asOf, 5),
      ...Array.from({ length: stale }, (_, i) => section(`stale${i}`, 'dynamic', addDays(asOf, -30), 5)),
      ...Array.from({ length: blank }, (_, i) => section(`blank${i}`, 'other', null, 0)),
    ],
    visits: [],
  };
}

function evidenceArb(asOf: Day): fc.Arbitrary<SystemEvidence> {
  return fc
    .record({
      probe: probePatternArb,
      lifecycle: fc.constantFrom('live', 'live', 'live', 'live', 'live', 'live', 'live', 'decommissioning', 'retired', 'planning'),
      userScope: fc.constantFrom('public', 'public', 'internal', 'cross_department'),
      registeredUsers: fc.option(fc.integer({ min: 0, max: 600 }), { nil: null }),
      seasonal: rare(5),
      portal: fc.boolean(),
      network: fc.constantFrom('internet', 'internet', 'egov_extranet', 'private'),
      noMaintainer: rare(10),
      usageSince: fc.tuple(rare(6), fc.integer({ min: 0, max: 500 })).map(([none, k]) => (none ? null : addDays(asOf, -k))),
      usageDaily: fc.record({ from: fc.integer({ min: 0, max: 420 }), to: fc.integer({ min: 0, max: 420 }), value: fc.integer({ min: 0, max: 5 }), metric: fc.constantFrom('visits', 'active_users', 'logins', 'transactions') }),
      usageExtra: fc.array(
        fc.record({ k: fc.integer({ min: 0, max: 420 }), metric: fc.constantFrom('visits', 'active_users', 'logins', 'transactions'), value: fc.integer({ min: 0, max: 15 }) }),
        { maxLength: 6 },
      ),
      observedSince: offsetDay(asOf, 400),
      lastChanged: offsetDay(asOf, 300),
      homepageLastChanged: fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 40 })).map(([on, k]) => (on ? addDays(asOf, -k) : null)),
      sitemap: fc.tuple(rare(4), fc.integer({ min: 0, max: 200 })).map(([on, k]) => (on ? addDays(asOf, -k) : null)),
      unconfirmed: rare(8),
      deadline: fc.option(fc.integer({ min: -30, max: 90 }).map((k) => addDays(asOf, -k)), { nil: null }),
      ownerMissing: rare(10),
      dissolved: fc.tuple(rare(12), fc.integer({ min: 0, max: 100 })).map(([on, k]) => (on ? addDays(asOf, -k) : null)),
      successor: fc.option(fc.constant('LY-NEW'), { nil: null }),
      tlsValidTo: fc.option(fc.integer({ min: -20, max: 300 }).map((k) => addDays(asOf, k)), { nil: null }),
      duplicate: rare(10),
      mlps: fc.constantFrom(null, 2, 3),
      ipv6: fc.constantFrom(null, 'ready', 'partial', 'no_ipv6'),
      // site inspection (issue 11): stale and blank sections of a portal
      site: fc.option(fc.record({ stale: fc.integer({ min: 0, max: 8 }), blank: fc.integer({ min: 0, max: 8 }) }), { nil: null, freq: 2 }),
      // Cloud resources (issue 12): one VM, busy every Nth day, missing every Mth, with `days` of evidence.
      vm: fc.option(fc.record({ busyEvery: fc.constantFrom(0, 2, 10, 40), days: fc.constantFrom(20, 45, 100), missingEvery: fc.constantFrom(0, 3, 15) }), { nil: null, freq: 2 }),
    })
    .map((g): SystemEvidence => {
      const probeDays: ProbeDay[] = [];
      for (let i = 0; i < HISTORY; i++) {
        if (g.probe.missingDays.includes(i)) continue;
        const shape = shapeOf(g.probe, i);
        if (!shape) continue;
        const hash = shape.ok > 0 ? (g.probe.hashChangeAt !== null && i <= g.probe.hashChangeAt ? 'b' : 'a') : null;
        probeDays.push(probeDay(addDays(asOf, -i), shape, hash, i === 0 ? g.probe.certLeft : null));
      }
      const u = g.usageDaily;
      const usageDays: UsageDay[] = [];
      for (let k = Math.min(u.from, u.to); k <= Math.max(u.from, u.to) && u.value > 0; k++) usageDays.push({ day: addDays(asOf, -k), metric: u.metric as UsageDay['metric'], value: u.value });
      for (const x of g.usageExtra) usageDays.push({ day: addDays(asOf, -x.k), metric: x.metric as UsageDay['metric'], value: x.value });
      return {
        system: {
          code: 'SYS-1',
          name: '测试系统',
          departmentCode: 'DEP-1',
          lifecycle: g.lifecycle as SystemEvidence['system']['lifecycle'],
          userScope: g.userScope as SystemEvidence['system']['userScope'],
          registeredUsers: g.registeredUsers,
          launchedOn: null,
          cloudRequired: true,
          deployment: 'gov_cloud',
          network: g.network as SystemEvidence['system']['network'],
          mlpsLevel: g.mlps as 2 | 3 | null,
          endpoints: [{ url: 'https://sys.example.gov.cn/', role: g.portal ? 'portal' : 'app' }],
          season: g.seasonal ? { months: [6, 7] } : null,
          operatorUnit: g.noMaintainer ? null : '运维中心',
          contact: null,
        },
        department: { code: 'DEP-1', dissolvedOn: g.dissolved, successorCode: g.successor },
        probeDays,
        usage: { sources: g.usageSince ? [{ kind: 'api', since: g.usageSince }] : [], days: usageDays },
        content: { observedSince: g.observedSince, lastChanged: g.lastChanged, homepageLastChanged: g.homepageLastChanged, sitemapNewestLastmod: g.sitemap },
        ownership: { unconfirmedAfterDeadline: g.unconfirmed, campaignDeadline: g.deadline, ownerMissing: g.ownerMissing, confirmedAt: null },
        duplicates: g.duplicate ? { of: ['SYS-2'] } : null,
        ipv6: g.ipv6 ? { grade: g.ipv6 as 'ready', measuredOn: asOf } : null,
        tls: g.tlsValidTo ? { validTo: g.tlsValidTo } : null,
        siteInspection: g.site ? siteEvidence(asOf, g.site.stale, g.site.blank) : null,
        resources: g.vm
          ? {
              resources: [
                {
                  externalId: 'vm-1',
                  kind: 'vm',
                  vcpu: 2,
                  memoryGb: 4,
                  storageGb: 40,
                  days: Array.from({ length: g.vm.days }, (_, i) =>
                    g.vm!.missingEvery && i % g.vm!.missingEvery === 1
                      ? { day: addDays(asOf, -i), cpuP95: null, netBytes: null, missing: 'timeout' }
                      : { day: addDays(asOf, -i), cpuP95: g.vm!.busyEvery && i % g.vm!.busyEvery === 0 ? 50 : 2, netBytes: 1000 },
                  ),
                },
              ],
            }
          : null,
      };
    });
}

const scenario = fc.constantFrom(...ASOFS).chain((asOf) => fc.tuple(fc.constant(asOf), evidenceArb(asOf)));

/** True when `after` is no worse than `before`. */
function noWorse(before: Classification, after: Classification): boolean {
  if (before.status === 'exempt' || after.status === 'exempt') return before.status === after.status && before.judged === after.judged;
  return compareVerdicts(after.status as JudgedStatus, before.status as JudgedStatus) >= 0;
}

// "Evidence of life" changes.

function replaceFailedDay(ev: SystemEvidence, pick: number): SystemEvidence {
  const candidates = ev.probeDays.map((p, i) => ({ p, i })).filter((x) => x.p.failed > 0);
  if (candidates.length === 0) return ev;
  const { p, i } = candidates[pick % candidates.length]!;
  const healthy: ProbeDay = { ...p, ok: p.probes, failed: 0, dnsNxdomain: 0, outcomes: { ok: p.probes } };
  return { ...ev, probeDays: ev.probeDays.map((x, j) => (j === i ? healthy : x)) };
}

/**
 * More usage: a higher figure for a day and metric already reported (a second row of the same day and
 * metric, or a raised value), or a first figure for a system that reported none. A first figure of a
 * more exact metric than the system reports (active users where only visits came) is new coverage, not
 * more life: it may reveal that few people use it, and is left out on purpose.
 */
function moreUsage(ev: SystemEvidence, asOf: Day, pick: number, k: number, amount: number, add: boolean): SystemEvidence {
  const days = [...ev.usage.days];
  if (days.length === 0) days.push({ day: addDays(asOf, -k), metric: (['visits', 'active_users', 'logins', 'transactions'] as const)[pick % 4]!, value: amount });
  else if (add) {
    const r = days[pick % days.length]!;
    days.push({ day: r.day, metric: r.metric, value: amount });
  } else {
    const i = pick % days.length;
    days[i] = { ...days[i]!, value: days[i]!.value + amount };
  }
  return { ...ev, usage: { ...ev.usage, days } };
}

function newerContentChange(ev: SystemEvidence, asOf: Day, k: number): SystemEvidence {
  const c = ev.content;
  const firstHashed = ev.probeDays.filter((p) => p.contentHash && p.day <= asOf).map((p) => p.day).sort()[0];
  const lower = maxDay(c.observedSince, c.lastChanged, c.homepageLastChanged, c.sitemapNewestLastmod, firstHashed) ?? asOf;
  const d = maxDay(lower, addDays(asOf, -k))!;
  const day = d > asOf ? asOf : d;
  return { ...ev, content: { ...c, lastChanged: day, homepageLastChanged: c.homepageLastChanged ? day : c.homepageLastChanged } };
}

function ownershipConfirmed(ev: SystemEvidence, asOf: Day): SystemEvidence {
  return { ...ev, ownership: { ...ev.ownership, confirmedAt: asOf, unconfirmedAfterDeadline: false, ownerMissing: false } };
}

const RUNS = { numRuns: 400 };

describe('classify properties', () => {
  it('a failed probe day replaced by a successful one never makes the verdict worse', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ([asOf, ev], pick) => {
        const before = classify(ev, defaultPolicy, asOf);
        const after = classify(replaceFailedDay(ev, pick), defaultPolicy, asOf);
        expect(noWorse(before, after), `${before.status} -> ${after.status}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('more usage never makes the verdict worse', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.integer({ min: 0, max: 420 }), fc.integer({ min: 1, max: 500 }), fc.boolean(), ([asOf, ev], pick, k, amount, add) => {
        const before = classify(ev, defaultPolicy, asOf);
        const after = classify(moreUsage(ev, asOf, pick, k, amount, add), defaultPolicy, asOf);
        expect(noWorse(before, after), `${before.status} -> ${after.status}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('a newer content change never makes the verdict worse', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 400 }), ([asOf, ev], k) => {
        const before = classify(ev, defaultPolicy, asOf);
        const after = classify(newerContentChange(ev, asOf, k), defaultPolicy, asOf);
        expect(noWorse(before, after), `${before.status} -> ${after.status}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('confirmed ownership never makes the verdict worse', () => {
    fc.assert(
      fc.property(scenario, ([asOf, ev]) => {
        const before = classify(ev, defaultPolicy, asOf);
        const after = classify(ownershipConfirmed(ev, asOf), defaultPolicy, asOf);
        expect(noWorse(before, after), `${before.status} -> ${after.status}`).toBe(true);
      }),
      RUNS,
    );
  });

  it('any sequence of life changes never makes the verdict worse', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('probe' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('usage' as const), pick: fc.nat(), k: fc.integer({ min: 0, max: 420 }), amount: fc.integer({ min: 1, max: 50 }), add: fc.boolean() }),
      fc.record({ kind: fc.constant('content' as const), k: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('owner' as const) }),
    );
    fc.assert(
      fc.property(scenario, fc.array(step, { minLength: 1, maxLength: 8 }), ([asOf, ev], steps) => {
        let cur = ev;
        let prev = classify(cur, defaultPolicy, asOf);
        for (const s of steps) {
          if (s.kind === 'probe') cur = replaceFailedDay(cur, s.pick);
          else if (s.kind === 'usage') cur = moreUsage(cur, asOf, s.pick, s.k, s.amount, s.add);
          else if (s.kind === 'content') cur = newerContentChange(cur, asOf, s.k);
          else cur = ownershipConfirmed(cur, asOf);
          const next = classify(cur, defaultPolicy, asOf);
          expect(noWorse(prev, next), `${prev.status} -> ${next.status} after ${s.kind}`).toBe(true);
          prev = next;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('same evidence, policy and date give the same verdict, whatever the order of the arrays', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ([asOf, ev], seed) => {
        const a = classify(ev, defaultPolicy, asOf);
        const b = classify(structuredClone(ev), defaultPolicy, asOf);
        const rotate = <T>(xs: T[]) => (xs.length ? [...xs.slice(seed % xs.length), ...xs.slice(0, seed % xs.length)].reverse() : xs);
        const c = classify({ ...ev, probeDays: rotate(ev.probeDays), usage: { ...ev.usage, days: rotate(ev.usage.days) } }, defaultPolicy, asOf);
        expect(canonicalJson(b)).toBe(canonicalJson(a));
        expect(canonicalJson(c)).toBe(canonicalJson(a));
      }),
      { numRuns: 200 },
    );
  });

  it('the generated evidence covers every verdict and every reason (so the properties above bite)', () => {
    const seen = new Map<string, number>();
    for (const [asOf, ev] of fc.sample(scenario, { numRuns: 3000, seed: 42 })) {
      const c = classify(ev, defaultPolicy, asOf);
      seen.set(c.status, (seen.get(c.status) ?? 0) + 1);
      for (const r of c.reasons) seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
    }
    for (const k of ['active', 'semi_zombie', 'zombie', 'insufficient_evidence', 'exempt', ...REASON_CODES]) {
      expect(seen.get(k) ?? 0, k).toBeGreaterThanOrEqual(k === 'active' || k === 'semi_zombie' ? 150 : 20);
    }
  });

  it('a failed probe replaced by a challenged one never makes the verdict worse', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), fc.integer({ min: 1, max: 24 }), ([asOf, ev], pick, n) => {
        const candidates = ev.probeDays.map((p, i) => ({ p, i })).filter((x) => x.p.failed > 0);
        if (candidates.length === 0) return;
        const { p, i } = candidates[pick % candidates.length]!;
        // Up to n failed probes of that day were in truth WAF challenges.
        const k = Math.min(n, p.failed - p.dnsNxdomain);
        if (k <= 0) return;
        const outcomes = { ...p.outcomes, timeout: (p.outcomes.timeout ?? 0) - k, challenged: k };
        const changed: ProbeDay = { ...p, outcomes };
        const before = classify(ev, defaultPolicy, asOf);
        const after = classify({ ...ev, probeDays: ev.probeDays.map((x, j) => (j === i ? changed : x)) }, defaultPolicy, asOf);
        expect(noWorse(before, after), `${before.status} -> ${after.status}`).toBe(true);
        if (after.judged && p.day <= asOf && p.day > addDays(asOf, -defaultPolicy.probes.evidenceWindowDays)) expect(after.flags.map((f) => f.code)).toContain('probe_blocked');
      }),
      RUNS,
    );
  });

  // Checked against the evidence itself, not against classify's own derivation.
  it('every probe reason is true of the probe days it names', () => {
    const answered = (p: ProbeDay) => (p.outcomes.ok ?? 0) + (p.outcomes.http_error ?? 0) + (p.outcomes.tls_error ?? 0) + (p.outcomes.challenged ?? 0);
    fc.assert(
      fc.property(scenario, ([asOf, ev]) => {
        const c = classify(ev, defaultPolicy, asOf);
        const days = ev.probeDays.filter((p) => p.day <= asOf);
        for (const r of c.reasons) {
          expect(r.since === null || r.since <= asOf).toBe(true);
          if (r.code === 'unreachable' || r.code === 'dns_gone') {
            const from = r.evidence.from as string;
            const to = r.evidence.to as string;
            const run = days.filter((p) => p.day >= from && p.day <= to);
            expect(run.length).toBeGreaterThan(0);
            for (const p of run) {
              expect(answered(p), `${r.code} on ${p.day}`).toBe(0);
              if (r.code === 'dns_gone') expect(p.dnsNxdomain).toBe(p.probes);
            }
            expect((r.evidence.calendarDays as number) >= (r.code === 'unreachable' ? 30 : 7)).toBe(true);
            // Nobody used it lately: recent usage would have set the reason aside.
            if (r.code === 'unreachable') expect(ev.usage.days.some((u) => u.value > 0 && u.day <= asOf && u.day > addDays(asOf, -30))).toBe(false);
          }
          if (r.code === 'availability_low') {
            const inWindow = days.filter((p) => p.day > addDays(asOf, -30));
            const probes = inWindow.reduce((x, p) => x + p.probes, 0);
            const ok = inWindow.reduce((x, p) => x + answered(p), 0);
            expect(ok / probes).toBeLessThan(0.95);
          }
          if (r.code === 'low_usage' && !ev.system.season) {
            const users = ev.usage.days.filter((u) => u.metric === 'active_users' && u.day <= asOf && u.day > addDays(asOf, -30));
            if (users.length) expect(Math.max(...users.map((u) => u.value))).toBeLessThan(r.evidence.threshold as number);
          }
          if (r.code === 'owner_missing' || r.code === 'no_maintainer' || r.code === 'duplicate_function') expect(r.since === null || typeof r.since === 'string').toBe(true);
        }
        // An answered day in the last days of the run means no unreachable.
        const latest = days.map((p) => p.day).sort().at(-1);
        const latestDay = days.find((p) => p.day === latest);
        if (latestDay && answered(latestDay) > 0) expect(c.reasons.map((r) => r.code)).not.toContain('unreachable');
        // Owner gone with no successor is always a zombie, whatever else holds.
        if (c.judged && ev.department.dissolvedOn !== null && ev.department.dissolvedOn <= asOf && !ev.department.successorCode) expect(c.wouldBe).toBe('zombie');
      }),
      RUNS,
    );
  });
});
