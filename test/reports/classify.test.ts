import { describe, expect, it } from 'vitest';
import { classify, type Classification } from '../../reports/classify.js';
import { addDays, addMonths } from '../../reports/dates.js';
import type { SystemEvidence } from '../../reports/evidence.js';
import { defaultPolicy, policyOrThrow } from '../../reports/policy.js';
import { t } from '../../i18n/index.js';
import { AS_OF, daysBetween, downDay, healthy, nxDay, okDay, replaceProbeDays, unwatched, usage, withSystem } from './fixtures.js';

const run = (ev: SystemEvidence, policy = defaultPolicy, asOf = AS_OF) => classify(ev, policy, asOf);
const codes = (c: Classification) => c.reasons.map((r) => r.code);
const reasonOf = (c: Classification, code: string) => {
  const r = c.reasons.find((x) => x.code === code);
  if (!r) throw new Error(`no ${code} in ${codes(c).join(',')}`);
  return r;
};

describe('classify: verdicts', () => {
  it('a healthy, fully evidenced system is active, with the policy version recorded', () => {
    const c = run(healthy());
    expect(c.status).toBe('active');
    expect(c.reasons).toEqual([]);
    expect(c.flags).toEqual([]);
    expect(c.gaps).toEqual([]);
    expect(c.policyVersion).toBe('2026-12-default');
    expect(c.judged).toBe(true);
  });

  it('retired, planning and construction systems are not judged', () => {
    for (const lifecycle of ['retired', 'planning', 'construction'] as const) {
      const c = run(withSystem(replaceProbeDays(unwatched(healthy()), '2026-01-01', downDay), { lifecycle }));
      expect(c).toMatchObject({ status: 'exempt', judged: false, notJudgedBecause: lifecycle, wouldBe: null, reasons: [] });
    }
  });

  it('decommissioning systems are judged like live ones', () => {
    const c = run(withSystem(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -40), downDay), { lifecycle: 'decommissioning' }));
    expect(c.status).toBe('zombie');
  });

  it('an exemption in force gives exempt but keeps the reasons; an expired one does not', () => {
    const ev = withSystem(healthy({ ownership: { unconfirmedAfterDeadline: true, campaignDeadline: '2026-10-31', ownerMissing: false } }), {
      exemption: { until: AS_OF, reason: '汛期使用' },
    });
    const c = run(ev);
    expect(c.status).toBe('exempt');
    expect(c.wouldBe).toBe('semi_zombie');
    expect(codes(c)).toEqual(['owner_unconfirmed']);
    expect(c.exemption?.until).toBe(AS_OF);
    const expired = run(withSystem(ev, { exemption: { until: addDays(AS_OF, -1), reason: 'x' } }));
    expect(expired.status).toBe('semi_zombie');
    expect(expired.exemption).toBeNull();
  });

  it('insufficient evidence: fewer than 7 probe days', () => {
    const ev = healthy({ probeDays: daysBetween(addDays(AS_OF, -5), AS_OF).map((d) => okDay(d)) });
    const c = run(ev);
    expect(c.status).toBe('insufficient_evidence');
    expect(c.gaps.map((g) => g.code)).toEqual(['probe_days']);
    expect(c.gaps[0]!.evidence).toMatchObject({ probedDays: 6, required: 7 });
  });

  it('insufficient evidence: a non-public system with no usage source', () => {
    const ev = withSystem(healthy({ usage: { sources: [], days: [] } }), { userScope: 'internal' });
    const c = run(ev);
    expect(c.status).toBe('insufficient_evidence');
    expect(c.gaps.map((g) => g.code)).toEqual(['usage_source']);
    // A public system without a usage source is judged on the rest.
    expect(run(healthy({ usage: { sources: [], days: [] } })).status).toBe('active');
  });

  it('insufficient evidence: probing stopped', () => {
    const ev = healthy({ probeDays: daysBetween(addDays(AS_OF, -40), addDays(AS_OF, -10)).map((d) => okDay(d)) });
    const c = run(ev);
    expect(c.status).toBe('insufficient_evidence');
    expect(c.gaps.map((g) => g.code)).toContain('probes_stale');
  });

  it('an established reason wins over thin evidence', () => {
    const ev = healthy({
      probeDays: daysBetween(addDays(AS_OF, -2), AS_OF).map((d) => okDay(d)),
      ownership: { unconfirmedAfterDeadline: true, campaignDeadline: '2026-10-31', ownerMissing: false },
    });
    const c = run(ev);
    expect(c.status).toBe('semi_zombie');
    expect(c.gaps.map((g) => g.code)).toEqual(['probe_days']);
  });

  it('zombie beats semi-zombie when both hold', () => {
    const ev = withSystem(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -35), downDay), { mlpsLevel: null, operatorUnit: null, contact: null });
    const c = run(ev);
    expect(c.status).toBe('zombie');
    expect(c.reasons[0]!.severity).toBe('zombie');
    expect(codes(c)).toEqual(['unreachable', 'no_maintainer']);
  });
});

describe('classify: reason codes', () => {
  it('unreachable: 30+ consecutive days with no successful probe', () => {
    const from = addDays(AS_OF, -30); // 31 days
    const c = run(replaceProbeDays(unwatched(healthy()), from, downDay));
    expect(c.status).toBe('zombie');
    const r = reasonOf(c, 'unreachable');
    expect(r.since).toBe(from);
    expect(r.evidence).toMatchObject({ from, to: AS_OF, calendarDays: 31, probedDays: 31, failed: 31 * 24, ok: 0, outcomes: { connect_timeout: 744 } });
    expect(r.detail).toContain('31 consecutive days');
    expect(codes(c)).not.toContain('availability_low');
  });

  it('unreachable: 29 days is only low availability', () => {
    const c = run(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -28), downDay));
    expect(c.status).toBe('semi_zombie');
    expect(codes(c)).toEqual(['availability_low']);
  });

  it('unreachable: short gaps in the rollups do not break the run, long ones do', () => {
    const down = replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -35), downDay);
    const withGap = (n: number) => ({ ...down, probeDays: down.probeDays.filter((p) => !(p.day > addDays(AS_OF, -20) && p.day <= addDays(AS_OF, -20 + n))) });
    expect(codes(run(withGap(2)))).toContain('unreachable');
    const broken = run(withGap(3));
    expect(codes(broken)).not.toContain('unreachable');
  });

  it('dns_gone: every probe NXDOMAIN for 7+ days', () => {
    const from = addDays(AS_OF, -6);
    const c = run(replaceProbeDays(unwatched(healthy()), from, nxDay));
    expect(c.status).toBe('zombie');
    const r = reasonOf(c, 'dns_gone');
    expect(r.since).toBe(from);
    expect(r.evidence).toMatchObject({ calendarDays: 7, dnsNxdomain: 7 * 24 });
    const six = run(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -5), nxDay));
    expect(codes(six)).toEqual(['availability_low']);
  });

  it('availability_low: monthly availability under 95%', () => {
    const flaky = (d: string) => ({ ...okDay(d), ok: 21, failed: 3, outcomes: { ok: 21, timeout: 3 } });
    const c = run(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -29), flaky));
    expect(c.status).toBe('semi_zombie');
    const r = reasonOf(c, 'availability_low');
    expect(r.evidence).toMatchObject({ probes: 720, ok: 630, failed: 90, availability: 0.875, probedDays: 30 });
    expect(r.message.params).toMatchObject({ availability: '87.5%', threshold: '95.0%' });
    expect(t('zh', r.message.key, r.message.params)).toBe('近30天可用率87.5%，低于95.0%（720次探测中失败90次）');
    // 95.8% is fine.
    const ok = run(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -29), (d) => ({ ...okDay(d), ok: 23, failed: 1, outcomes: { ok: 23, timeout: 1 } })));
    expect(ok.status).toBe('active');
  });

  it('no_usage: no use for 90 days and no content change for 180 days', () => {
    const ev = healthy({
      usage: { sources: [{ kind: 'api', since: '2025-01-01' }], days: usage('2026-05-01', '2026-06-30', 3) },
      content: { observedSince: '2025-01-01', lastChanged: '2026-04-01', homepageLastChanged: null, sitemapNewestLastmod: null },
      probeDays: daysBetween(addDays(AS_OF, -59), AS_OF).map((d) => ({ ...okDay(d), contentHash: 'same' })),
    });
    const c = run(ev);
    expect(c.status).toBe('zombie');
    const r = reasonOf(c, 'no_usage');
    expect(r.evidence).toMatchObject({ usageTotal: 0, lastUsage: '2026-06-30', contentUnchangedSince: '2026-04-01', contentDays: 243 });
    expect(r.since).toBe('2026-07-01');
    expect(codes(c)).not.toContain('low_usage');
    // Content changed 100 days ago: not a zombie; low use and stale content remain.
    const fresher = run({ ...ev, content: { ...ev.content, lastChanged: addDays(AS_OF, -100) } });
    expect(fresher.status).toBe('semi_zombie');
    expect(codes(fresher)).toEqual(expect.arrayContaining(['low_usage', 'stale_content']));
    expect(codes(fresher)).not.toContain('no_usage');
  });

  it('no_usage needs the usage source to cover the whole window', () => {
    const ev = healthy({
      usage: { sources: [{ kind: 'api', since: addDays(AS_OF, -20) }], days: [] },
      content: { observedSince: '2025-01-01', lastChanged: '2025-02-01', homepageLastChanged: '2025-02-01', sitemapNewestLastmod: null },
    });
    const c = run(ev);
    expect(codes(c)).not.toContain('no_usage');
    expect(codes(c)).not.toContain('low_usage');
  });

  it('low_usage: under 10 monthly active users, or under 5% of registered users', () => {
    const base = healthy({ usage: { sources: [{ kind: 'api', since: '2025-01-01' }], days: [{ day: addDays(AS_OF, -3), metric: 'active_users', value: 8 }] } });
    const c = run(withSystem(base, { registeredUsers: null }));
    expect(c.status).toBe('semi_zombie');
    const r = reasonOf(c, 'low_usage');
    expect(r.evidence).toMatchObject({ monthlyActiveUsers: 8, threshold: 10, basedOn: 'active_users' });
    // 10 users a day of 1000 registered: under 5% (50). Daily distinct users are not added up (issue 9 item 3).
    const share = run(withSystem({ ...base, usage: { ...base.usage, days: usage(addDays(AS_OF, -3), AS_OF, 10, 'active_users') } }, { registeredUsers: 1000 }));
    expect(reasonOf(share, 'low_usage').evidence).toMatchObject({ monthlyActiveUsers: 10, threshold: 50 });
    // 10 users of 100 registered: fine.
    expect(run(withSystem({ ...base, usage: { ...base.usage, days: usage(addDays(AS_OF, -3), AS_OF, 10, 'active_users') } }, { registeredUsers: 100 })).status).toBe('active');
  });

  it('seasonal systems are judged on their busiest month of the last 12', () => {
    const ev = withSystem(
      healthy({ usage: { sources: [{ kind: 'api', since: '2025-01-01' }], days: usage('2026-03-01', '2026-04-15', 200, 'logins') } }),
      { season: { months: [3, 4], label: '个税汇算' } },
    );
    expect(run(ev).status).toBe('active');
    const notSeasonal = run(withSystem(ev, { season: null }));
    expect(codes(notSeasonal)).toEqual(['low_usage']);
    // Nothing in 12 months and stale content: a seasonal zombie.
    const dead = run({
      ...ev,
      usage: { ...ev.usage, days: usage('2025-09-01', '2025-10-01', 200) },
      content: { observedSince: '2025-01-01', lastChanged: '2025-10-01', homepageLastChanged: '2025-10-01', sitemapNewestLastmod: null },
    });
    expect(dead.status).toBe('zombie');
    expect(reasonOf(dead, 'no_usage').evidence).toMatchObject({ seasonal: true, usageWindow: { from: addDays(addMonths(AS_OF, -12), 1), to: AS_OF } });
  });

  it('stale_content: content unchanged for 90+ days', () => {
    const ev = withSystem(
      healthy({ content: { observedSince: '2025-01-01', lastChanged: addDays(AS_OF, -95), homepageLastChanged: null, sitemapNewestLastmod: null } }),
      { endpoints: [{ url: 'https://app.linyi.gov.cn/', role: 'app' }] },
    );
    const c = run(ev);
    expect(codes(c)).toEqual(['stale_content']);
    expect(reasonOf(c, 'stale_content').since).toBe(addDays(AS_OF, -95));
    // A newer sitemap lastmod counts as a change.
    const sitemap = run({ ...ev, content: { ...ev.content, sitemapNewestLastmod: addDays(AS_OF, -5) } });
    expect(sitemap.status).toBe('active');
    // A content hash change seen by the probes counts too.
    const hashes = run({ ...ev, probeDays: ev.probeDays.map((p) => ({ ...p, contentHash: p.day >= addDays(AS_OF, -10) ? 'new' : 'old' })) });
    expect(hashes.status).toBe('active');
  });

  it('homepage_not_updated: an internet portal homepage unchanged for 2+ weeks', () => {
    const ev = healthy({ content: { observedSince: '2025-01-01', lastChanged: addDays(AS_OF, -3), homepageLastChanged: addDays(AS_OF, -20), sitemapNewestLastmod: null } });
    const c = run(ev);
    expect(c.status).toBe('semi_zombie');
    expect(codes(c)).toEqual(['homepage_not_updated']);
    expect(reasonOf(c, 'homepage_not_updated').evidence).toMatchObject({ days: 20, threshold: 14, basedOn: 'homepage' });
    // Not a government website: an extranet portal is not held to the 2-week rule.
    expect(run(withSystem(ev, { network: 'egov_extranet' })).status).toBe('active');
  });

  it('owner_unconfirmed: no confirmation after the campaign deadline', () => {
    const ev = healthy({ ownership: { unconfirmedAfterDeadline: true, campaignDeadline: '2026-11-15', ownerMissing: false, confirmedAt: null } });
    const c = run(ev);
    expect(c.status).toBe('semi_zombie');
    expect(reasonOf(c, 'owner_unconfirmed').since).toBe('2026-11-16');
    // Deadline not yet passed.
    expect(run(ev, defaultPolicy, '2026-11-15').status).toBe('active');
  });

  it('owner_missing: unclaimed (semi-zombie) or a dissolved department with no successor (zombie)', () => {
    const unclaimed = run(healthy({ ownership: { unconfirmedAfterDeadline: false, ownerMissing: true } }));
    expect(unclaimed.status).toBe('semi_zombie');
    expect(codes(unclaimed)).toEqual(['owner_missing']);
    const dissolved = run(healthy({ department: { code: 'LY-OLD', name: '原临沂市某局', dissolvedOn: '2026-03-01', successorCode: null } }));
    expect(dissolved.status).toBe('zombie');
    expect(reasonOf(dissolved, 'owner_missing')).toMatchObject({ severity: 'zombie', since: '2026-03-01' });
    const inherited = run(healthy({ department: { code: 'LY-OLD', dissolvedOn: '2026-03-01', successorCode: 'LY-NEW' } }));
    expect(inherited.status).toBe('active');
  });

  it('no_maintainer: no operator unit and no contact', () => {
    const c = run(withSystem(healthy(), { operatorUnit: '  ', contact: { name: null, phone: '', email: null } }));
    expect(codes(c)).toEqual(['no_maintainer']);
    expect(c.status).toBe('semi_zombie');
    expect(run(withSystem(healthy(), { operatorUnit: null, contact: { email: 'ops@linyi.gov.cn' } })).status).toBe('active');
  });

  it('cert_expired: from the latest certificate, or from the probes', () => {
    const c = run(healthy({ tls: { validTo: '2026-11-20', host: 'zwfw.linyi.gov.cn' } }));
    expect(codes(c)).toEqual(['cert_expired']);
    expect(reasonOf(c, 'cert_expired')).toMatchObject({ since: '2026-11-21', evidence: { daysExpired: 10, basedOn: 'tls' } });
    const probe = healthy({ tls: null });
    probe.probeDays = probe.probeDays.map((p) => (p.day === AS_OF ? { ...p, certDaysLeftMin: -4 } : p));
    expect(reasonOf(run(probe), 'cert_expired')).toMatchObject({ since: '2026-11-27', evidence: { basedOn: 'probe' } });
  });

  it('duplicate_function: set by an auditor', () => {
    const c = run(healthy({ duplicates: { of: ['LY-DSJ-002', ' LY-DSJ-003 ', 'LY-DSJ-001'], notedOn: '2026-09-01', notedBy: 'auditor-1' } }));
    expect(c.status).toBe('semi_zombie');
    const r = reasonOf(c, 'duplicate_function');
    expect(r.evidence).toMatchObject({ duplicates: ['LY-DSJ-002', 'LY-DSJ-003'] });
    expect(r.since).toBe('2026-09-01');
    expect(t('zh', r.message.key, r.message.params)).toBe('功能与LY-DSJ-002, LY-DSJ-003重复，可被替代');
  });

  it('every reason carries an English detail and a catalogue message in both languages', () => {
    const ev = withSystem(
      healthy({
        ownership: { unconfirmedAfterDeadline: true, campaignDeadline: '2026-10-01', ownerMissing: true },
        tls: { validTo: '2026-11-01' },
        duplicates: { of: ['X'] },
        content: { observedSince: '2025-01-01', lastChanged: '2026-01-01', homepageLastChanged: '2026-01-01', sitemapNewestLastmod: null },
      }),
      { operatorUnit: null, contact: null },
    );
    const c = run(ev);
    expect(codes(c).sort()).toEqual(['cert_expired', 'duplicate_function', 'homepage_not_updated', 'no_maintainer', 'owner_missing', 'owner_unconfirmed', 'stale_content'].sort());
    for (const r of c.reasons) {
      expect(r.detail).toBe(t('en', r.message.key, r.message.params));
      expect(t('zh', r.message.key, r.message.params)).not.toMatch(/\{[a-z]/i);
      expect(r.detail).not.toMatch(/\{[a-z]/i);
    }
  });
});

describe('classify: flags', () => {
  it('compliance flags are apart from the status', () => {
    const ev = withSystem(healthy({ ipv6: { grade: 'partial', measuredOn: AS_OF } }), { deployment: 'self_hosted', mlpsLevel: null });
    const c = run(ev);
    expect(c.status).toBe('active');
    expect(c.flags.map((f) => f.code)).toEqual(['not_on_gov_cloud', 'ipv6_not_ready', 'mlps_missing']);
    expect(t('zh', c.flags[0]!.message.key, c.flags[0]!.message.params)).toBe('应部署在政务云，实际部署：自建机房');
    expect(c.flags[1]!.detail).toBe('Internet portal not IPv6-ready (partial)');
  });

  it('IPv6 is only asked of internet-facing portals, and not flagged when unmeasured', () => {
    expect(run(withSystem(healthy({ ipv6: { grade: 'no_ipv6', measuredOn: AS_OF } }), { network: 'egov_extranet' })).flags).toEqual([]);
    expect(run(healthy({ ipv6: null })).flags).toEqual([]);
    expect(run(withSystem(healthy(), { cloudRequired: false, deployment: 'hosted' })).flags).toEqual([]);
  });

  it('flags inspection_unreachable, citing the rule, when a week of portal visits fails the national rule', () => {
    const days = (notOpened: number) => Array.from({ length: 7 }, (_, i) => ({ day: addDays(AS_OF, -i), visits: 20, notOpened }));
    const failing = run({ ...healthy(), inspection: days(2) });
    const flag = failing.flags.find((f) => f.code === 'inspection_unreachable');
    expect(flag?.evidence).toMatchObject({ rule: 'site_unreachable', visits: 140, notOpened: 14, share: 0.1, policy: { windowDays: 7, minVisitsPerDay: 20, failShare: 0.05 } });
    expect(t('zh', flag!.message.key, flag!.message.params)).toContain('10%');
    expect(run({ ...healthy(), inspection: days(0) }).flags.map((f) => f.code)).not.toContain('inspection_unreachable');
    // One visit a day cannot judge the rule.
    expect(run({ ...healthy(), inspection: [{ day: AS_OF, visits: 1, notOpened: 1 }] }).flags.map((f) => f.code)).not.toContain('inspection_unreachable');
  });

  it('does not flag ipv6_not_ready on a portal graded unmeasured (our policy or a challenge kept us out)', () => {
    expect(run(healthy({ ipv6: { grade: 'unmeasured', measuredOn: AS_OF } })).flags).toEqual([]);
  });
});

describe('classify: determinism and inputs', () => {
  it('ignores rows dated after asOf', () => {
    const ev = healthy();
    const future = { ...ev, probeDays: [...ev.probeDays, ...daysBetween('2026-12-01', '2027-02-01').map((d) => downDay(d))] };
    expect(run(future)).toEqual(run(ev));
  });

  it('does not depend on the order of the evidence arrays', () => {
    const ev = replaceProbeDays(healthy(), addDays(AS_OF, -10), (d) => ({ ...okDay(d), ok: 20, failed: 4 }));
    const shuffled = { ...ev, probeDays: [...ev.probeDays].reverse(), usage: { ...ev.usage, days: [...ev.usage.days].reverse() } };
    expect(run(shuffled)).toEqual(run(ev));
  });

  it('thresholds come from the policy', () => {
    const ev = replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -11), downDay);
    expect(run(ev).status).toBe('semi_zombie');
    const strict = policyOrThrow({ version: 'strict-1', zombie: { unreachableDays: 10 } });
    const c = run(ev, strict);
    expect(c.status).toBe('zombie');
    expect(c.policyVersion).toBe('strict-1');
  });

  it('rejects a malformed asOf', () => {
    expect(() => classify(healthy(), defaultPolicy, '2026-13-01')).toThrow(/asOf/);
  });
});
