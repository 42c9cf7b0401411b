import { describe, expect, it } from 'vitest';
import { REASON_CODES } from '../../reports/codes.js';
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
