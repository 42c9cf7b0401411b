import { describe, expect, it } from 'vitest';
import { classify, type Classification } from '../../reports/classify.js';
import { ANSWERED_OUTCOMES, PROBE_OUTCOMES, serverAnswered } from '../../reports/codes.js';
import { verifyDecommission } from '../../reports/findings.js';
import { addDays } from '../../reports/dates.js';
import type { ProbeDay, SystemEvidence } from '../../reports/evidence.js';
import { defaultPolicy } from '../../reports/policy.js';
import { t } from '../../i18n/index.js';
import { AS_OF, downDay, healthy, replaceProbeDays, unwatched, usage, withSystem } from './fixtures.js';

/** Issue 9: verdicts an auditor would sign. One describe per item. */

const run = (ev: SystemEvidence, asOf = AS_OF) => classify(ev, defaultPolicy, asOf);
const codes = (c: Classification) => c.reasons.map((r) => r.code);
const flag = (c: Classification, code: string) => c.flags.find((f) => f.code === code);

const challengedDay = (day: string, probes = 24): ProbeDay => ({ day, probes, ok: 0, failed: probes, dnsNxdomain: 0, outcomes: { challenged: probes }, certDaysLeftMin: 200, contentHash: null });

describe('item 1: a blocked probe is not a dead system', () => {
  const from = addDays(AS_OF, -39);

  it('a WAF-challenged site with 1,000 users a day is not a zombie: probe_blocked, with the vendor and our address', () => {
    const ev = replaceProbeDays(healthy({ usage: { sources: [{ kind: 'api', since: '2025-01-01' }], days: usage(addDays(AS_OF, -119), AS_OF, 1000, 'active_users') } }), from, challengedDay);
    ev.prober = { address: '203.0.113.7', challengeVendors: ['jiasule'] };
    const c = run(ev);
    expect(c.status).toBe('active');
    expect(codes(c)).toEqual([]);
    const f = flag(c, 'probe_blocked')!;
    expect(f.evidence).toMatchObject({ proberAddress: '203.0.113.7', challengedProbes: 30 * 24, vendors: ['jiasule'] });
    expect(t('zh', f.message.key, f.message.params)).toContain('203.0.113.7');
    expect(t('zh', f.message.key, f.message.params)).toContain('知道创宇/加速乐');
    expect(f.detail).toContain("allow the prober's address 203.0.113.7");
  });

  it('challenged probes alone, with no usage feed, are not unreachable either: the server answered', () => {
    const c = run(replaceProbeDays(unwatched(healthy()), from, challengedDay));
    expect(codes(c)).not.toContain('unreachable');
    expect(codes(c)).not.toContain('availability_low');
    expect(flag(c, 'probe_blocked')).toBeDefined();
  });

  it('recent usage sets unreachable aside: probe_blocked, and the verdict rests on the other evidence', () => {
    const down = replaceProbeDays(healthy(), from, downDay);
    down.prober = { address: '10.0.0.5' };
    const c = run(down);
    expect(c.status).toBe('active');
    const f = flag(c, 'probe_blocked')!;
    expect(f.message.key).toBe('flag.probe_blocked.unreachable');
    expect(f.evidence).toMatchObject({ proberAddress: '10.0.0.5', challengedProbes: 0, setAside: [{ code: 'unreachable' }] });
    // Other evidence still counts.
    const orphan = run(withSystem(down, { operatorUnit: null, contact: null }));
    expect(orphan.status).toBe('semi_zombie');
    expect(codes(orphan)).toEqual(['no_maintainer']);
    // Without usage it is a zombie, as before; and no probe_blocked flag.
    const dead = run(unwatched(down));
    expect(dead.status).toBe('zombie');
    expect(codes(dead)).toEqual(['unreachable']);
    expect(flag(dead, 'probe_blocked')).toBeUndefined();
  });

  it('usage that stopped before the last 30 days is not recent', () => {
    const ev = replaceProbeDays(healthy({ usage: { sources: [{ kind: 'api', since: '2025-01-01' }], days: usage('2026-06-01', addDays(AS_OF, -30), 100) } }), from, downDay);
    expect(codes(run(ev))).toContain('unreachable');
  });

  it('dns_gone is not set aside by usage: NXDOMAIN is the answer of the name system, not our vantage point', () => {
    const nx = (day: string): ProbeDay => ({ day, probes: 24, ok: 0, failed: 24, dnsNxdomain: 24, outcomes: { dns_nxdomain: 24 } });
    expect(codes(run(replaceProbeDays(healthy(), addDays(AS_OF, -9), nx)))).toEqual(['dns_gone']);
  });

  it('a few challenged probes count as answered in the availability', () => {
    const mixed = (day: string): ProbeDay => ({ day, probes: 24, ok: 20, failed: 4, dnsNxdomain: 0, outcomes: { ok: 20, challenged: 4 } });
    const c = run(replaceProbeDays(unwatched(healthy()), addDays(AS_OF, -29), mixed));
    expect(codes(c)).toEqual([]);
    expect(flag(c, 'probe_blocked')).toBeDefined();
  });
});


describe('item 2: a server that answers is reachable', () => {
  const from = addDays(AS_OF, -39);
  const failing = (outcome: string) => (day: string): ProbeDay => ({ day, probes: 24, ok: 0, failed: 24, dnsNxdomain: 0, outcomes: { [outcome]: 24 }, certDaysLeftMin: null, contentHash: null });

  it('one definition: ok, http_error, tls_error and challenged, nothing else', () => {
    expect([...ANSWERED_OUTCOMES].sort()).toEqual(['challenged', 'http_error', 'ok', 'tls_error']);
    for (const o of PROBE_OUTCOMES) expect(serverAnswered(o)).toBe((ANSWERED_OUTCOMES as readonly string[]).includes(o));
  });

  it('an expired certificate for 40 days is cert_expired (semi-zombie), not unreachable', () => {
    const ev = replaceProbeDays(unwatched(healthy({ tls: { validTo: addDays(AS_OF, -40), host: 'zwfw.linyi.gov.cn' } })), from, failing('tls_error'));
    const c = run(ev);
    expect(c.status).toBe('semi_zombie');
    expect(codes(c)).toEqual(['cert_expired']);
    expect(c.reasons[0]!.evidence).toMatchObject({ daysExpired: 40 });
    // For as long as it lasts: still there 100 days later, gone once the certificate is renewed.
    const later = addDays(AS_OF, 100);
    const longer = { ...ev, probeDays: [...ev.probeDays, ...Array.from({ length: 100 }, (_, i) => failing('tls_error')(addDays(AS_OF, i + 1)))] };
    const stillExpired = codes(classify(longer, defaultPolicy, later));
    expect(stillExpired).toContain('cert_expired');
    expect(stillExpired).not.toContain('unreachable');
    expect(run({ ...ev, tls: { validTo: '2027-12-31', host: 'zwfw.linyi.gov.cn' } }).status).toBe('active');
  });

  it('HTTP errors every day are not unreachable and keep availability whole', () => {
    for (const outcome of ['http_error', 'tls_error']) {
      const c = run(replaceProbeDays(unwatched(healthy()), from, failing(outcome)));
      expect(codes(c)).not.toContain('unreachable');
      expect(codes(c)).not.toContain('availability_low');
    }
    // What did not answer still counts against it.
    expect(codes(run(replaceProbeDays(unwatched(healthy()), from, failing('connection_reset'))))).toEqual(['unreachable']);
  });

  it('the decommission check uses the same definition: a server that answers is a live endpoint', () => {
    for (const outcome of ['http_error', 'tls_error', 'challenged'] as const) {
      const d = verifyDecommission({ endpoints: [{ url: 'https://old.linyi.gov.cn/', outcome, httpStatus: outcome === 'http_error' ? 500 : null }], dns: [] });
      expect(d.decision).toBe('reopen');
      expect(d.reasons.map((r) => r.code)).toEqual(['endpoint_live']);
    }
    const challengedOnShared = verifyDecommission({ endpoints: [{ url: 'https://www.linyi.gov.cn/old/', outcome: 'challenged', httpStatus: 403 }], dns: [], sharedHosts: ['www.linyi.gov.cn'] });
    expect(challengedOnShared.reasons.map((r) => r.code)).toEqual(['path_still_served']);
  });
});

describe('item 3: active users are people, not requests', () => {
  // What `xuncha usage import-log` stores per day: requests as visits, distinct clients as active users.
  const logImport = (clients: number, requests: number) => [
    ...usage(addDays(AS_OF, -119), AS_OF, requests, 'visits'),
    ...usage(addDays(AS_OF, -119), AS_OF, clients, 'active_users'),
  ];

  it('6 distinct clients a day of 2,000 registered users is low usage, judged on active users', () => {
    const ev = withSystem(healthy({ usage: { sources: [{ kind: 'log', since: '2025-01-01' }], days: logImport(6, 300) } }), { registeredUsers: 2000, network: 'egov_extranet', endpoints: [{ url: 'http://app.linyi.example/', role: 'app' }] });
    const c = run(ev);
    expect(codes(c)).toEqual(['low_usage']);
    const r = c.reasons[0]!;
    expect(r.evidence).toMatchObject({ basedOn: 'active_users', monthlyActiveUsers: 6, threshold: 100, figure: 'largest_row' });
    expect(r.evidence.sums).toMatchObject({ visits: 9000, active_users: 180 });
    expect(t('zh', r.message.key, r.message.params)).toContain('按活跃用户数');
    // 120 distinct clients a day is not.
    expect(run({ ...ev, usage: { ...ev.usage, days: logImport(120, 300) } }).status).toBe('active');
  });

  it('with no active-user figures the reason says it was judged on visits', () => {
    const ev = healthy({ usage: { sources: [{ kind: 'api', since: '2025-01-01' }], days: usage(addDays(AS_OF, -3), AS_OF, 2, 'visits') } });
    const r = run(withSystem(ev, { registeredUsers: null })).reasons.find((x) => x.code === 'low_usage')!;
    expect(r.evidence).toMatchObject({ basedOn: 'visits', monthlyActiveUsers: 8, figure: 'window_sum' });
    expect(r.message.key).toBe('reason.low_usage.by_metric');
    expect(t('zh', r.message.key, r.message.params)).toContain('按访问量判断');
    expect(t('en', r.message.key, r.message.params)).toContain('judged on visits');
  });

  it('metrics are never mixed: active users decide even when visits are many', () => {
    const ev = healthy({ usage: { sources: [{ kind: 'api', since: '2025-01-01' }], days: [...usage(addDays(AS_OF, -29), AS_OF, 10_000, 'logins'), ...usage(addDays(AS_OF, -29), AS_OF, 3, 'active_users')] } });
    expect(run(withSystem(ev, { registeredUsers: null })).reasons.map((r) => r.evidence.basedOn)).toEqual(['active_users']);
  });
});

describe('item 4: content age uses the oldest proof', () => {
  it('a portal that is down is unreachable, not also homepage_not_updated', () => {
    const ev = replaceProbeDays(unwatched(healthy({ content: { observedSince: '2025-01-01', lastChanged: addDays(AS_OF, -40), homepageLastChanged: addDays(AS_OF, -40), sitemapNewestLastmod: null } })), addDays(AS_OF, -34), downDay);
    expect(codes(run(ev))).toEqual(['unreachable']);
    // Up again: the old homepage is judged.
    const up = { ...ev, probeDays: [...ev.probeDays.filter((p) => p.day < AS_OF), { day: AS_OF, probes: 24, ok: 24, failed: 0, dnsNxdomain: 0, outcomes: { ok: 24 } }] };
    expect(codes(run(up))).toContain('homepage_not_updated');
  });

  it('Last-Modified and sitemap lastmod older than the first sighting date the content', () => {
    const ev = healthy({ content: { observedSince: addDays(AS_OF, -1), lastChanged: '2025-03-01', homepageLastChanged: '2025-03-01', sitemapNewestLastmod: '2025-02-20' } });
    const c = run(ev);
    expect(c.reasons.find((r) => r.code === 'stale_content')?.since).toBe('2025-03-01');
    expect(c.reasons.find((r) => r.code === 'homepage_not_updated')?.since).toBe('2025-03-01');
  });
});

describe('item 8: one endpoint represents a system (portal, else app, else api)', () => {
  it('an internet-facing app-only system measured not ready is flagged like a portal would be', () => {
    const app = withSystem(healthy({ ipv6: { grade: 'partial', measuredOn: AS_OF } }), { endpoints: [{ url: 'https://app.linyi.gov.cn/', role: 'app' }] });
    expect(run(app).flags.map((f) => f.code)).toContain('ipv6_not_ready');
    const adminOnly = withSystem(app, { endpoints: [{ url: 'https://admin.linyi.gov.cn/', role: 'admin' }] });
    expect(run(adminOnly).flags.map((f) => f.code)).not.toContain('ipv6_not_ready');
  });
});
