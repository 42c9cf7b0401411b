import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_IPV6_THRESHOLDS,
  gradeIpv6,
  ipv6ThresholdsSchema,
  measureIpv6,
  probeIpv6,
  latencyPairs,
  registrableDomain,
  sampleLinks,
  sameSite,
  type Ipv6Evidence,
} from '../../probes/ipv6.js';
import { FLEET } from '../support/fleet.js';
import { startFleetHarness } from '../support/fleet-setup.js';

const { fleet, probe } = await startFleetHarness();
afterAll(() => fleet.close());

const options = { ...probe, attempts: 2 };

describe('gradeIpv6 (pure)', () => {
  const ready: Ipv6Evidence = {
    aaaa: true,
    nsAaaa: true,
    v4Ok: true,
    v6Ok: true,
    v6SuccessRate: 1,
    v4Ms: 400,
    v6Ms: 420,
    parity: 0.97,
    secondLevelRate: 1,
    thirdLevelRate: 0.92,
    latencyRatio: 1.05,
    latencyPairs: 5,
  };

  it('uses the thresholds of policy.md by default', () => {
    expect(DEFAULT_IPV6_THRESHOLDS).toMatchObject({
      homepageTimeoutMs: 15_000,
      minSuccessRate: 0.95,
      minParity: 0.9,
      minSecondLevelRate: 0.95,
      minThirdLevelRate: 0.9,
      maxLatencyRatio: 1.2,
    });
  });

  it('grades a site meeting every threshold ready', () => {
    expect(gradeIpv6(ready)).toEqual({ grade: 'ready', reasons: [] });
  });

  it('grades no AAAA as no_ipv6', () => {
    expect(gradeIpv6({ ...ready, aaaa: false, v6Ok: false }).grade).toBe('no_ipv6');
  });

  it('grades AAAA without a homepage over IPv6 as not_ready, naming the outcome', () => {
    const result = gradeIpv6({ ...ready, v6Ok: false, v6Outcome: 'connect_timeout' });
    expect(result.grade).toBe('not_ready');
    expect(result.reasons).toEqual([{ code: 'homepage_unreachable_v6', detail: 'homepage over IPv6: connect_timeout' }]);
  });

  it.each([
    [{ v6SuccessRate: 0.9 }, 'success_rate_low'],
    [{ parity: 0.5 }, 'parity_low'],
    [{ secondLevelRate: 0.94 }, 'second_level_links_low'],
    [{ thirdLevelRate: 0.89 }, 'third_level_links_low'],
    [{ latencyRatio: 1.5, v6Ms: 600 }, 'latency_high'],
    [{ v6Ms: 16_000, latencyRatio: 1.1, v4Ms: 15_500 }, 'homepage_slow_v6'],
  ] as const)('grades %o partial with reason %s', (change, code) => {
    const result = gradeIpv6({ ...ready, ...change });
    expect(result.grade).toBe('partial');
    expect(result.reasons.map((r) => r.code)).toEqual([code]);
  });

  it('ignores a high latency ratio when the difference is within the slack', () => {
    expect(gradeIpv6({ ...ready, v4Ms: 2, v6Ms: 5, latencyRatio: 2.5 }).grade).toBe('ready');
  });

  it('judges latency only on enough paired samples (median of 5 or more pairs)', () => {
    const slow = { ...ready, v6Ms: 600, latencyRatio: 1.5, latencyDiffMs: 200 };
    expect(gradeIpv6({ ...slow, latencyPairs: 4 }).grade).toBe('ready');
    expect(gradeIpv6({ ...slow, latencyPairs: 5 }).reasons.map((r) => r.code)).toEqual(['latency_high']);
    expect(gradeIpv6({ ...slow, latencyPairs: 3 }, { minLatencyPairs: 3 }).grade).toBe('partial');
    expect(DEFAULT_IPV6_THRESHOLDS.minLatencyPairs).toBe(5);
  });

  it('needs both the relative and the absolute allowance exceeded before latency counts', () => {
    // 2x slower but only 30 ms: noise of a loaded prober, not a slow IPv6 path.
    expect(gradeIpv6({ ...ready, latencyPairs: 5, latencyRatio: 2, latencyDiffMs: 30 }).grade).toBe('ready');
    // 80 ms slower but only 1.1x: within the relative allowance.
    expect(gradeIpv6({ ...ready, latencyPairs: 5, latencyRatio: 1.1, latencyDiffMs: 80 }).grade).toBe('ready');
    expect(gradeIpv6({ ...ready, latencyPairs: 5, latencyRatio: 1.3, latencyDiffMs: 80 }).grade).toBe('partial');
    expect(gradeIpv6({ ...ready, latencyPairs: 5, latencyRatio: 1.3, latencyDiffMs: 80 }, { latencySlackMs: 100 }).grade).toBe('ready');
  });

  it('takes latency as medians of per-pair figures, so one slow load does not move it', () => {
    const pairs = [
      { v4Ms: 10, v6Ms: 11 },
      { v4Ms: 10, v6Ms: 12 },
      { v4Ms: 12, v6Ms: 400 },
      { v4Ms: 9, v6Ms: 10 },
      { v4Ms: 11, v6Ms: 11 },
    ];
    expect(latencyPairs(pairs)).toEqual({ count: 5, ratio: 1.1111, diffMs: 1 });
    expect(latencyPairs([])).toEqual({ count: 0, ratio: null, diffMs: null });
  });

  it('grades a site our own policy blocks, or that answers a challenge, unmeasured, never not_ready', () => {
    for (const outcome of ['blocked_by_policy', 'challenged'] as const) {
      const r = gradeIpv6({ ...ready, v6Ok: false, v6SuccessRate: 0, v6Outcome: outcome as never, unmeasuredOutcome: outcome as never });
      expect(r.grade).toBe('unmeasured');
      expect(r.reasons).toEqual([{ code: 'unmeasured', detail: `homepage over IPv6: ${outcome}` }]);
    }
  });

  it('does not count unmeasured figures against a site', () => {
    expect(gradeIpv6({ ...ready, parity: null, secondLevelRate: null, thirdLevelRate: null, latencyRatio: null }).grade).toBe('ready');
  });

  it('accepts configured thresholds and validates them', () => {
    expect(gradeIpv6({ ...ready, parity: 0.85 }, { minParity: 0.8 }).grade).toBe('ready');
    expect(gradeIpv6({ ...ready, nsAaaa: false }, { requireNsAaaa: true }).reasons.map((r) => r.code)).toEqual(['ns_no_ipv6']);
    expect(() => ipv6ThresholdsSchema.parse({ minParity: 2 })).toThrow();
  });
});

describe('same-site links (pure)', () => {
  it('finds the registrable domain, including Chinese government suffixes', () => {
    expect(registrableDomain('www.linyi.gov.cn')).toBe('linyi.gov.cn');
    expect(registrableDomain('zwfw.sd.gov.cn')).toBe('sd.gov.cn');
    expect(registrableDomain('www.lanshan.gov.cn.')).toBe('lanshan.gov.cn');
    expect(registrableDomain('news.fleet.test')).toBe('fleet.test');
    expect(registrableDomain('127.0.0.1')).toBe('127.0.0.1');
    expect(sameSite('http://www.linyi.gov.cn/a', 'https://data.linyi.gov.cn/b')).toBe(true);
    expect(sameSite('http://www.linyi.gov.cn/a', 'http://www.gov.cn/')).toBe(false);
  });

  it('samples deterministically, whatever the input order', () => {
    const urls = Array.from({ length: 120 }, (_, i) => `http://www.linyi.gov.cn/news/${i}`);
    const a = sampleLinks(urls, 50);
    const b = sampleLinks([...urls].reverse(), 50);
    expect(a).toHaveLength(50);
    expect(b).toEqual(a);
    expect(sampleLinks(urls.slice(0, 10), 50)).toHaveLength(10);
  });
});

describe.skipIf(!fleet.ipv6)('measureIpv6 against the fleet', () => {
  it('grades a dual-stack portal serving the same site over both families ready', async () => {
    const r = await probeIpv6(fleet.url(FLEET.dual, '/'), options);
    expect(r.grade).toBe('ready');
    expect(r.reasons).toEqual([]);
    expect(r).toMatchObject({ aaaa: true, v4Ok: true, v6Ok: true, v6SuccessRate: 1, secondLevelRate: 1, thirdLevelRate: 1 });
    expect(r.parity).toBeGreaterThanOrEqual(0.9);
    expect(r.aaaaRecords).toEqual(['::1']);
    expect(r.v6).toHaveLength(2);
    expect(r.v6.every((s) => s.remoteAddress === '::1')).toBe(true);
    expect(r.v4.every((s) => s.remoteAddress === '127.0.0.1')).toBe(true);
    expect(r.secondLevel).toMatchObject({ found: 6, sampled: 6, okOverIpv6: 6 });
    expect(r.thirdLevel).toMatchObject({ found: 24, sampled: 24, okOverIpv6: 24 });
    expect(r.latencyRatio).toBeGreaterThan(0);
  });

  it('reports name servers with AAAA where the zone shows them', async () => {
    const r = await measureIpv6(fleet.url(FLEET.dual, '/'), { ...options, checkLinks: false });
    expect(r.nameServers).toEqual(['ns1.fleet.test', 'ns2.fleet.test']);
    expect(r.nameServersWithAaaa).toEqual(['ns1.fleet.test']);
    expect(r.nsAaaa).toBe(true);
  });

  it('reports nsAaaa false when the name servers have no AAAA', async () => {
    const r = await measureIpv6(fleet.url(FLEET.legacy, '/'), { ...options, checkLinks: false });
    expect(r.nameServers).toEqual(['ns.legacy.test']);
    expect(r.nsAaaa).toBe(false);
  });

  it('reports nsAaaa null when no NS record is visible', async () => {
    const r = await measureIpv6(fleet.url(FLEET.mismatch, '/'), { ...options, checkLinks: false });
    expect(r.nameServers).toBeNull();
    expect(r.nsAaaa).toBeNull();
  });

  it('grades a site with a different page over IPv6 partial (parity)', async () => {
    const r = await probeIpv6(fleet.url(FLEET.diff, '/'), options);
    expect(r.grade).toBe('partial');
    expect(r.parity).toBeLessThan(0.5);
    expect(r.reasons.map((x) => x.code)).toContain('parity_low');
  });

  it('grades a site whose links lead to an IPv4-only host partial (link rates)', async () => {
    const r = await probeIpv6(fleet.url(FLEET.links, '/'), options);
    expect(r.grade).toBe('partial');
    // 10 homepage links, 2 of them on the IPv4-only host.
    expect(r.secondLevel).toMatchObject({ found: 10, sampled: 10, okOverIpv6: 8 });
    expect(r.secondLevelRate).toBe(0.8);
    // 8 pages × (4 local + 1 IPv4-only) + 2 IPv4-only pages × 4 links = 48 third-level links, 32 over IPv6.
    expect(r.thirdLevel).toMatchObject({ found: 48, sampled: 48, okOverIpv6: 32 });
    expect(r.thirdLevelRate).toBeCloseTo(2 / 3, 3);
    expect(r.secondLevel.failures.every((f) => f.url.includes(FLEET.v4) && f.outcome === 'dns_nodata')).toBe(true);
    expect(r.reasons.map((x) => x.code)).toEqual(['second_level_links_low', 'third_level_links_low']);
  });

  it('caps the link sample', async () => {
    const r = await measureIpv6(fleet.url(FLEET.links, '/'), { ...options, linkSample: 5, attempts: 1 });
    expect(r.secondLevel).toMatchObject({ found: 10, sampled: 5 });
    expect(r.thirdLevel.sampled).toBe(5);
  });

  it('grades AAAA with a homepage failing over IPv6 not_ready', async () => {
    const r = await probeIpv6(fleet.url(FLEET.brokenV6, '/'), options);
    expect(r.grade).toBe('not_ready');
    expect(r).toMatchObject({ aaaa: true, v4Ok: true, v6Ok: false, v6SuccessRate: 0, v6Outcome: 'connection_reset' });
  });

  it('grades an IPv4-only name no_ipv6', async () => {
    const r = await probeIpv6(fleet.url(FLEET.v4, '/'), options);
    expect(r.grade).toBe('no_ipv6');
    expect(r).toMatchObject({ aaaa: false, v4Ok: true, v6Ok: false, v6: [] });
    expect(r.secondLevelRate).toBe(0);
  });

  it('handles an IPv6-only name: no IPv4 page to compare, graded on what IPv6 shows', async () => {
    const r = await probeIpv6(fleet.url(FLEET.v6, '/'), options);
    expect(r).toMatchObject({ aaaa: true, v4Ok: false, v6Ok: true, parity: null, latencyRatio: null });
    expect(r.grade).toBe('ready');
  });
});

describe('measureIpv6 where our policy blocks the address', () => {
  it('grades an AAAA our target policy refuses (IPv4-mapped metadata address) unmeasured', async () => {
    const r = await probeIpv6(fleet.url(FLEET.mappedMetadata, '/'), options);
    expect(r).toMatchObject({ aaaa: true, v6Ok: false, unmeasuredOutcome: 'blocked_by_policy', grade: 'unmeasured' });
  });
});

describe('measureIpv6 without a site', () => {
  it('grades a name that does not exist no_ipv6 without throwing', async () => {
    const r = await probeIpv6(fleet.url(FLEET.nxdomain, '/'), options);
    expect(r).toMatchObject({ aaaa: false, v4Ok: false, v6Ok: false, grade: 'no_ipv6' });
    expect(r.secondLevel.rate).toBeNull();
  });
});
