import { describe, expect, it } from 'vitest';
import { FLAG_CODES, REASON_CODES } from '../../reports/codes.js';
import { FLAG_RULES } from '../../reports/flags/index.js';
import { addDays } from '../../reports/dates.js';
import { defaultPolicy } from '../../reports/policy.js';
import { RULES, prepare } from '../../reports/rules/index.js';
import { AS_OF, downDay, healthy, replaceProbeDays, unwatched, withSystem } from './fixtures.js';

describe('RULES', () => {
  it('every reason code belongs to exactly one rule, and every rule code is a reason code', () => {
    const claimed = RULES.flatMap((r) => [...r.codes]);
    expect([...claimed].sort()).toEqual([...REASON_CODES].sort());
    expect(new Set(claimed).size).toBe(claimed.length);
  });

  it('a rule only gives the codes it declares', () => {
    // Evidence on which many rules fire at once: down for weeks, no maintainer, expired certificate, duplicate.
    let ev = unwatched(replaceProbeDays(healthy(), addDays(AS_OF, -20), (d) => downDay(d)));
    ev = withSystem(ev, { operatorUnit: null, contact: null });
    ev = { ...ev, tls: { validTo: addDays(AS_OF, -30), host: 'x.example' }, duplicates: { of: ['LY-OTHER-1'], notedOn: AS_OF, notedBy: 'x', note: null } };
    const ctx = prepare(ev, defaultPolicy, AS_OF);
    const given = RULES.map((rule) => ({ codes: rule.codes, found: rule.evaluate(ctx).map((r) => r.code) }));
    expect(given.flatMap((g) => g.found).length).toBeGreaterThanOrEqual(4);
    for (const g of given) for (const code of g.found) expect(g.codes).toContain(code);
  });
});

describe('FLAG_RULES', () => {
  it('every flag code belongs to exactly one flag rule', () => {
    const claimed = FLAG_RULES.flatMap((r) => [...r.codes]);
    expect([...claimed].sort()).toEqual([...FLAG_CODES].sort());
    expect(new Set(claimed).size).toBe(claimed.length);
  });

  it('a flag rule only gives the codes it declares', () => {
    const ev = withSystem(healthy(), { deployment: 'self_hosted', mlpsLevel: null });
    const ctx = { ...prepare({ ...ev, ipv6: { grade: 'no_ipv6', measuredOn: AS_OF } }, defaultPolicy, AS_OF), life: { alive: false, challengedProbes: 0, usageDays: 0, lastUsage: null, from: AS_OF }, blocked: [] };
    const given = FLAG_RULES.map((rule) => ({ codes: rule.codes, found: rule.evaluate(ctx).map((f) => f.code) }));
    expect(given.flatMap((g) => g.found)).toEqual(['not_on_gov_cloud', 'ipv6_not_ready', 'mlps_missing']);
    for (const g of given) for (const code of g.found) expect(g.codes).toContain(code);
  });
});
