import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../reports/canonical.js';
import { addDays, addMonths, addMonthsToMonth, dayOfInstant, diffDays, isDay, monthEnd } from '../../reports/dates.js';
import { niceMax } from '../../reports/monthly/charts.js';

function shuffleKeys(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, seed));
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    const rotated = entries.length ? [...entries.slice(seed % entries.length), ...entries.slice(0, seed % entries.length)].reverse() : entries;
    return Object.fromEntries(rotated.map(([k, x]) => [k, shuffleKeys(x, seed)]));
  }
  return v;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, é: 'x' })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"é":"x"}');
    expect(canonicalJson({ b: [1], a: 2 }, 2)).toBe('{\n  "a": 2,\n  "b": [\n    1\n  ]\n}');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(new Date('2026-11-30T00:00:00Z'))).toBe('"2026-11-30T00:00:00.000Z"');
  });

  it('refuses what JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite number at \$\.a/);
    expect(() => canonicalJson({ a: new Map() })).toThrow(/Map/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });

  it('key order never changes the bytes, and the value survives a round trip', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (v, seed) => {
        const a = canonicalJson(v);
        expect(canonicalJson(shuffleKeys(v, seed))).toBe(a);
        expect(canonicalJson(JSON.parse(a))).toBe(a);
      }),
    );
  });

  it('sha256Hex is lowercase hex of the UTF-8 bytes', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('巡查')).toBe(sha256Hex(Buffer.from('巡查', 'utf8')));
  });
});

describe('calendar days', () => {
  it('validates and does arithmetic on calendar days', () => {
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2026-02-29')).toBe(false);
    expect(isDay('2026-1-01')).toBe(false);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-12-05', 6)).toBe('2027-06-05');
    expect(addMonths('2026-03-31', -13)).toBe('2025-02-28');
    expect(addMonthsToMonth('2026-01', -1)).toBe('2025-12');
    expect(monthEnd('2024-02')).toBe('2024-02-29');
    expect(dayOfInstant(new Date('2026-11-30T16:00:00Z'))).toBe('2026-12-01');
  });

  it('addDays and diffDays agree', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: -5000, max: 5000 }), (d, n) => {
        const day = d.toISOString().slice(0, 10);
        expect(diffDays(addDays(day, n), day)).toBe(n);
        expect(isDay(addDays(day, n))).toBe(true);
      }),
    );
  });
});

describe('chart axis', () => {
  it('picks a round axis top that holds the largest bar', () => {
    expect(niceMax(0)).toBe(4);
    expect(niceMax(11)).toBe(12);
    expect(niceMax(13)).toBe(16);
    expect(niceMax(843)).toBe(1000);
    expect(niceMax(5)).toBe(8);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (m) => {
        expect(niceMax(m)).toBeGreaterThanOrEqual(m);
      }),
    );
  });
});
