import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_CRON, everyMinutes, nextPortalVisit, visitsPerDay } from '../../src/sweeps/portal-cadence.js';

describe('portal cadence (pure)', () => {
  it('defaults to every 72 minutes: 20 spaced visits a local day, the same slots every day', () => {
    expect(everyMinutes(DEFAULT_PORTAL_CRON)).toBe(72);
    expect(visitsPerDay(72)).toBe(20);
    const tz = 'Asia/Shanghai';
    let at = new Date('2026-11-30T16:00:00Z'); // 2026-12-01 00:00 in Shanghai
    const visits: Date[] = [];
    for (let i = 0; i < 21; i++) visits.push((at = nextPortalVisit(at, 72, tz)));
    // 01:12 … 22:48, then next midnight.
    expect(visits[0]!.toISOString()).toBe('2026-11-30T17:12:00.000Z');
    expect(visits[18]!.toISOString()).toBe('2026-12-01T14:48:00.000Z');
    expect(visits[19]!.toISOString()).toBe('2026-12-01T16:00:00.000Z');
    const gaps = visits.slice(1).map((v, i) => (v.getTime() - visits[i]!.getTime()) / 60_000);
    expect(new Set(gaps)).toEqual(new Set([72]));
  });

  it('restarts at local midnight when N does not divide the day, and rejects what is not @every Nm', () => {
    expect(nextPortalVisit(new Date('2026-12-01T15:50:00Z'), 100, 'Asia/Shanghai').toISOString()).toBe('2026-12-01T16:00:00.000Z');
    expect(visitsPerDay(100)).toBe(15);
    expect(everyMinutes('@every 0m')).toBeNull();
    expect(everyMinutes('*/72 * * * *')).toBeNull();
  });
});
