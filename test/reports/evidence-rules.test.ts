import { describe, expect, it } from 'vitest';
import { classify, type Classification } from '../../reports/classify.js';
import { addDays } from '../../reports/dates.js';
import type { ProbeDay, SystemEvidence } from '../../reports/evidence.js';
import { defaultPolicy } from '../../reports/policy.js';
import { t } from '../../src/i18n/index.js';
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

