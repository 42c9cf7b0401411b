import { describe, expect, it } from 'vitest';
import { defaultPolicy, parsePolicy, policyOrThrow, PolicyError } from '../../reports/policy.js';

describe('policy', () => {
  it('the default policy is the table of shared/policy.md', () => {
    expect(defaultPolicy.version).toBe('2026-12-default');
    expect(defaultPolicy.zombie).toEqual({ unreachableDays: 30, dnsGoneDays: 7, noUsageDays: 90, noContentChangeDays: 180 });
    expect(defaultPolicy.semiZombie).toMatchObject({
      availabilityMin: 0.95,
      minMonthlyActiveUsers: 10,
      minActiveUserShare: 0.05,
      staleContentDays: 90,
      homepageStaleDays: 14,
    });
    expect(defaultPolicy.probes.minDays).toBe(7);
    expect(defaultPolicy.seasonal.usageWindowMonths).toBe(12);
    expect(defaultPolicy.ipv6).toEqual({ homepageTimeoutMs: 15000, successMin: 0.95, parityMin: 0.9, secondLevelMin: 0.95, thirdLevelMin: 0.9, latencyRatioMax: 1.2 });
    expect(defaultPolicy.findings).toEqual({ answerDeadlineDays: 30, keepExemptionMonths: 6 });
    expect(Object.isFrozen(defaultPolicy.zombie)).toBe(true);
  });

  it('a policy file may give only what it changes', () => {
    const r = parsePolicy({ version: '2027-01-strict', zombie: { unreachableDays: 14 }, semiZombie: { availabilityMin: 0.99 } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.policy.zombie).toEqual({ ...defaultPolicy.zombie, unreachableDays: 14 });
    expect(r.policy.semiZombie.availabilityMin).toBe(0.99);
    expect(r.policy.semiZombie.homepageStaleDays).toBe(14);
  });

  it('a policy with wrong types lists every bad field by path', () => {
    const r = parsePolicy({ version: 7, zombie: { unreachableDays: 'thirty', dnsGoneDays: -1 }, semiZombie: { availabilityMin: 95 }, severity: { no_maintainer: 'critical' }, zombi: {} });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.path)).toEqual(['severity.no_maintainer', 'semiZombie.availabilityMin', 'version', 'zombi', 'zombie.dnsGoneDays', 'zombie.unreachableDays'].sort());
    expect(r.errors.find((e) => e.path === 'zombi')!.message).toBe('unknown field');
    for (const e of r.errors) expect(e.message.length).toBeGreaterThan(0);
  });

  it('version is required', () => {
    const r = parsePolicy({ zombie: { unreachableDays: 30 } });
    expect(r).toMatchObject({ ok: false, errors: [{ path: 'version' }] });
    expect(parsePolicy({ version: '  ' })).toMatchObject({ ok: false, errors: [{ path: 'version' }] });
    expect(parsePolicy('not an object')).toMatchObject({ ok: false, errors: [{ path: '(root)' }] });
  });

  it('cross-field checks name the field', () => {
    const r = parsePolicy({ version: 'x', probes: { minDays: 40 } });
    expect(r).toMatchObject({ ok: false, errors: [{ path: 'probes.minDays' }, { path: 'probes.minDays' }] });
  });

  it('policyOrThrow throws a PolicyError naming the paths', () => {
    expect(() => policyOrThrow({ version: 'v', zombie: { unreachableDays: 'x' } })).toThrow(PolicyError);
    expect(() => policyOrThrow({ version: 'v', zombie: { unreachableDays: 'x' } })).toThrow(/zombie\.unreachableDays/);
  });
});
