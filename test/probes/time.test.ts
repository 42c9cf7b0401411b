import { describe, expect, it } from 'vitest';
import { createDayKey, endOfDay, localDay, parseHttpDate, parseW3cDatetime, startOfDay, startOfDayInZone } from '../../probes/time.js';

describe('HTTP dates', () => {
  it('parses the three forms of RFC 9110 as GMT', () => {
    const expected = '1994-11-06T08:49:37.000Z';
    expect(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT')?.toISOString()).toBe(expected);
    expect(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT')?.toISOString()).toBe(expected);
    expect(parseHttpDate('Sun Nov  6 08:49:37 1994')?.toISOString()).toBe(expected);
  });

  it('rejects what is not an HTTP date', () => {
    expect(parseHttpDate('2026-10-10')).toBeNull();
    expect(parseHttpDate('Sun, 31 Feb 2026 08:49:37 GMT')).toBeNull();
    expect(parseHttpDate('')).toBeNull();
    expect(parseHttpDate(undefined)).toBeNull();
  });
});

describe('W3C datetimes (sitemap lastmod)', () => {
  it('honours offsets and Z', () => {
    expect(parseW3cDatetime('2026-03-04T10:15:00+08:00')?.toISOString()).toBe('2026-03-04T02:15:00.000Z');
    expect(parseW3cDatetime('2026-03-04T10:15Z')?.toISOString()).toBe('2026-03-04T10:15:00.000Z');
    expect(parseW3cDatetime('2026-03-04T10:15:00.5-0130')?.toISOString()).toBe('2026-03-04T11:45:00.500Z');
  });

  it('reads dates without a zone as local dates of the chosen zone', () => {
    expect(parseW3cDatetime('2026-03-04')?.toISOString()).toBe('2026-03-03T16:00:00.000Z');
    expect(parseW3cDatetime('2026-03-04', 'UTC')?.toISOString()).toBe('2026-03-04T00:00:00.000Z');
    expect(parseW3cDatetime('2026')?.toISOString()).toBe('2025-12-31T16:00:00.000Z');
  });

  it('rejects nonsense', () => {
    expect(parseW3cDatetime('yesterday')).toBeNull();
    expect(parseW3cDatetime('2026-13-01')).toBeNull();
  });
});

describe('days in a time zone', () => {
  it('puts an instant on the calendar day of the zone', () => {
    const shanghai = createDayKey('Asia/Shanghai');
    expect(shanghai(Date.parse('2026-10-09T16:00:00Z'))).toBe('2026-10-10');
    expect(shanghai(Date.parse('2026-10-09T15:59:59Z'))).toBe('2026-10-09');
  });

  it('follows daylight saving time', () => {
    const berlin = createDayKey('Europe/Berlin');
    // 22:30 UTC is 00:30 next day in summer (UTC+2) but 23:30 the same day in winter (UTC+1).
    expect(berlin(Date.parse('2026-07-01T22:30:00Z'))).toBe('2026-07-02');
    expect(berlin(Date.parse('2026-01-01T22:30:00Z'))).toBe('2026-01-01');
    expect(startOfDayInZone(2026, 3, 29, 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });
});

describe('local days (rollups, verdicts, campaign deadlines)', () => {
  it('puts an instant on the Shanghai calendar day by default', () => {
    expect(localDay(new Date('2026-10-31T15:59:59Z'))).toBe('2026-10-31');
    expect(localDay(new Date('2026-10-31T16:00:00Z'))).toBe('2026-11-01');
    expect(localDay(new Date('2026-10-31T16:00:00Z'), 'UTC')).toBe('2026-10-31');
  });

  it('starts and ends days at local midnight, across month and year ends', () => {
    expect(startOfDay('2026-11-01').toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(endOfDay('2026-10-31').toISOString()).toBe('2026-10-31T16:00:00.000Z');
    expect(endOfDay('2026-12-31').toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect(endOfDay('2028-02-28', 'UTC').toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it('ends the day before a daylight-saving change at the right local midnight', () => {
    // Berlin moves to UTC+2 on 2026-03-29: that day starts at 23:00 UTC the evening before.
    expect(endOfDay('2026-03-28', 'Europe/Berlin').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(endOfDay('2026-03-29', 'Europe/Berlin').toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });
});
