import { describe, expect, it } from 'vitest';
import { addDays } from '../../reports/dates.js';
import { judgeSiteUnreachable, type InspectionDay } from '../../reports/inspection-rule.js';
import { defaultPolicy } from '../../reports/policy.js';

const AS_OF = '2026-11-20';
const week = (f: (i: number) => Omit<InspectionDay, 'day'>): InspectionDay[] => Array.from({ length: 7 }, (_, i) => ({ day: addDays(AS_OF, -i), ...f(i) }));

describe('the national inspection rule "site unreachable" (pure)', () => {
  const t = defaultPolicy.inspection;

  it('has the thresholds of the rule in the versioned policy: 1 week, 20+ visits a day, 5%', () => {
    expect(t).toEqual({ windowDays: 7, minVisitsPerDay: 20, failShare: 0.05 });
  });

  it('fails a site when 5% or more of a week of 20-a-day visits did not open within 15 s', () => {
    // 140 visits, 7 not opened: exactly 5%.
    const v = judgeSiteUnreachable(week((i) => ({ visits: 20, notOpened: i === 0 ? 7 : 0 })), AS_OF, t);
    expect(v).toEqual({ rule: 'site_unreachable', result: 'fail', evidence: { from: '2026-11-14', to: AS_OF, visits: 140, notOpened: 7, share: 0.05, daysMeasured: 7, daysShort: [] } });
  });

  it('passes under 5%', () => {
    expect(judgeSiteUnreachable(week((i) => ({ visits: 20, notOpened: i < 6 ? 1 : 0 })), AS_OF, t).result).toBe('pass');
  });

  it('cannot judge a week with a day of fewer than 20 visits (one visit a day never judges the rule)', () => {
    const v = judgeSiteUnreachable(week((i) => ({ visits: i === 3 ? 19 : 20, notOpened: 20 })), AS_OF, t);
    expect(v.result).toBe('unmeasured');
    expect(v.evidence.daysShort).toEqual(['2026-11-17']);
    expect(judgeSiteUnreachable(week(() => ({ visits: 1, notOpened: 1 })), AS_OF, t).result).toBe('unmeasured');
    // Days outside the window do not count.
    expect(judgeSiteUnreachable(week(() => ({ visits: 24, notOpened: 0 })), addDays(AS_OF, 1), t).result).toBe('unmeasured');
  });
});
