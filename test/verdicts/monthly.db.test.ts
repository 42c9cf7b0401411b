import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputsHash, type MonthlyReportInput } from '../../reports/monthly/index.js';
import { ipv6Changes, monthlyReports, statusHistory, systems } from '../../src/db/schema/index.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { loadMonthlyInput, monthlyReportInput } from '../../src/verdicts/monthly.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TODAY, TZ, at, cityFixture, ids, probeDayRows } from './fixture.js';

const FORMATS = [
  ['html', /^text\/html/],
  ['md', /^text\/markdown/],
  ['csv', /^text\/csv/],
  ['xlsx', /^application\/vnd\.openxmlformats-officedocument\.spreadsheetml\.sheet/],
  ['json', /^application\/json/],
] as const;

describe.each(backends)('monthly report on %s', (backend) => {
  let t: TestApp;
  const stored = async () => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(monthlyReports))[0]!.n;
  const get = (query: string, token?: string) => t.call('GET', `/api/v1/reports/monthly?${query}`, { token });

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
    // The nightly classifications at the ends of September and October (runs of their own day), then today's.
    await classifyAll(t.database.db, { asOf: '2026-09-30', now: at('2026-09-30', 23), timeZone: TZ });
    await classifyAll(t.database.db, { asOf: '2026-10-31', now: at('2026-10-31', 23), timeZone: TZ });
    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
  });
  afterAll(async () => t?.close());

  it('loads the month-end input from status history and the probe rollups', async () => {
    const { input } = await monthlyReportInput(t.database.db, '2026-10', { now: NOW, timeZone: TZ });
    expect(input).toMatchObject({ month: '2026-10', asOf: '2026-10-31', policyVersion: '2026-12-default', availabilityMin: 0.95 });
    const by = Object.fromEntries(input.systems.map((s) => [s.code, s]));
    expect(Object.keys(by).sort()).toEqual(['ALIVE', 'DEAD', 'FLAKY', 'GONE', 'NEW', 'ORPHAN', 'QUIET']);
    // DEAD had been down since 10-01: a zombie at the end of October, still active at the end of September.
    expect(by.DEAD!.status).toBe('zombie');
    expect(by.DEAD!.reasons.map((r) => r.code)).toContain('unreachable');
    expect(input.previousSystems.find((s) => s.code === 'DEAD')!.status).not.toBe('zombie');
    expect(by.ALIVE!.availability).toEqual({ probes: 31 * 24, ok: 31 * 24 });
    expect(by.DEAD!.availability).toEqual({ probes: 31 * 24, ok: 0 });
    // NEW had no probe before November.
    expect(by.NEW!.availability).toBeNull();
    expect(input.departments.find((d) => d.code === '371302-JT')).toMatchObject({ parentCode: '371302', level: 'county' });
    // Findings opened by the September and October runs, in their state at the end of October.
    expect(input.findings.length).toBeGreaterThan(0);
    expect(input.findings.every((f) => f.status === 'open' && f.openedOn <= '2026-11-01')).toBe(true);
  });

  it('shows the IPv6 grades of the month reported, not the ones measured since', async () => {
    const s = await ids(t.database.db);
    // ALIVE's portal was measured not ready in September; the fixture's latest result (ready) is from November.
    await t.database.db.insert(ipv6Changes).values({ endpointId: s.ALIVE!.endpointId, systemId: s.ALIVE!.id, at: at('2026-09-15', 3), grade: 'not_ready', secondLevelRate: 0.4, thirdLevelRate: 0.2 });
    const grade = (input: MonthlyReportInput, code: string) => input.systems.find((x) => x.code === code)?.ipv6?.grade ?? null;
    // Loaded afresh (a stored month would answer from its frozen input).
    const load = (month: string, asOf: string) => loadMonthlyInput(t.database.db, month, asOf, '2026-01-01', asOf === TODAY, { now: NOW, timeZone: TZ });
    const october = await load('2026-10', '2026-10-31');
    expect(grade(october, 'ALIVE')).toBe('not_ready');
    expect(october.systems.find((x) => x.code === 'ALIVE')!.ipv6).toMatchObject({ secondLevelRate: 0.4, thirdLevelRate: 0.2 });
    expect(grade(october, 'DEAD')).toBe('no_ipv6');
    const november = await load('2026-11', TODAY);
    expect(grade(november, 'ALIVE')).toBe('ready');
    // Before any measurement there is no grade at all.
    const august = await load('2026-08', '2026-08-31');
    expect(grade(august, 'ALIVE')).toBeNull();
    expect(grade(august, 'DEAD')).toBeNull();
  });

  it('renders every format in both languages; a past month is stored once and renders the same bytes', async () => {
    const hashes = new Set<string>();
    for (const [format, type] of FORMATS) {
      for (const lang of ['zh', 'en'] as const) {
        const first = await get(`month=2026-10&format=${format}&lang=${lang}`);
        expect(first.status, `${format} ${lang}: ${await first.clone().text()}`).toBe(200);
        expect(first.headers.get('content-type')).toMatch(type);
        expect(first.headers.get('x-report-stored')).toBe('true');
        hashes.add(first.headers.get('x-inputs-hash')!);
        const a = Buffer.from(await first.arrayBuffer());
        const b = Buffer.from(await (await get(`month=2026-10&format=${format}&lang=${lang}`)).arrayBuffer());
        expect(a.length).toBeGreaterThan(100);
        expect(b.equals(a), `${format} ${lang} renders identically`).toBe(true);
      }
    }
    expect(hashes.size).toBe(1);
    expect(await stored()).toBe(1);

    const zh = await (await get('month=2026-10')).text();
    expect(zh).toContain('一、总体情况');
    expect(zh).toContain('兰山区教育信息网');
    const en = await (await get('month=2026-10&lang=en&format=md')).text();
    expect(en).toMatch(/Overview/i);

    const json = JSON.parse(await (await get('month=2026-10&format=json')).text());
    const report = json.report;
    expect(report.meta).toMatchObject({ month: '2026-10', asOf: '2026-10-31', policyVersion: '2026-12-default', hasPrevious: true, inputsHash: [...hashes][0] });
    expect(report.overview.systems.now).toBe(7);
    expect(report.overview.cloud).toMatchObject({ numerator: 1, denominator: 2, rate: 0.5 });
    expect(report.overview.zombie.now).toBeGreaterThanOrEqual(2);
    expect(report.problems.zombies.map((z: { code: string }) => z.code)).toContain('DEAD');
    expect(report.regions.map((r: { unit: { code: string } }) => r.unit.code)).toEqual(expect.arrayContaining(['371302', '371311', '_city']));
  });

  it('keeps a stored month unchanged when later evidence or classifications arrive', async () => {
    const before = Buffer.from(await (await get('month=2026-10&format=csv')).arrayBuffer());
    const { db } = t.database;
    const s = await ids(db);
    await probeDayRows(db, s.NEW!.id, '2026-10-20', '2026-10-31', () => ({ probes: 24, ok: 24 }));
    await db.insert(statusHistory).values({ systemId: s.NEW!.id, at: NOW, asOf: '2026-10-31', status: 'active', reasons: [], flags: [], policyVersion: 'late' });
    await db.update(systems).set({ deployment: 'gov_cloud' }).where(eq(systems.code, 'DEAD'));
    // Re-classifying the month's last day, recorded, leaves the stored report alone too.
    await classifyAll(db, { asOf: '2026-10-31', now: NOW, timeZone: TZ, record: true });
    const after = Buffer.from(await (await get('month=2026-10&format=csv')).arrayBuffer());
    expect(after.equals(before)).toBe(true);
    const [row] = await db.select().from(monthlyReports).where(eq(monthlyReports.month, '2026-10'));
    expect(inputsHash(row!.input as MonthlyReportInput)).toBe(row!.inputsHash);
  });

  it('computes the current month as of today without storing it', async () => {
    const res = await get('month=2026-11&format=json');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-report-stored')).toBe('false');
    const report = JSON.parse(await res.text()).report;
    expect(report.meta.asOf).toBe('2026-11-20');
    // November's "previous month" is the published October report.
    expect(report.meta.hasPrevious).toBe(true);
    expect(await stored()).toBe(1);
  });

  it('answers bad months with a clear 4xx and stores nothing', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['month=2026-13', 400, /month/],
      ['month=abc', 400, /month/],
      ['month=2026-1', 400, /month/],
      ['', 400, /month/],
      ['month=2026-12', 422, /has not started yet/],
      ['month=2031-01', 422, /has not started yet/],
      ['month=2026-04', 422, /earliest data is from 2026-05-01/],
      ['month=1999-12', 422, /earliest data/],
      ['month=2026-10&lang=fr', 400, /lang/],
      ['month=2026-10&format=pdf', 400, /format/],
    ];
    for (const [q, status, detail] of cases) {
      const res = await get(q);
      expect(res.status, q).toBe(status);
      expect(res.headers.get('content-type'), q).toMatch(/problem\+json/);
      const p = await res.json();
      expect(`${p.detail} ${JSON.stringify(p.errors ?? [])}`, q).toMatch(detail);
    }
    expect(await stored()).toBe(1);
  });

  it('is for the bureau: department tokens get 403, viewers may read', async () => {
    expect((await get('month=2026-10', await t.token('department', '371302'))).status).toBe(403);
    expect((await get('month=2026-10', await t.token('viewer'))).status).toBe(200);
    expect((await get('month=2026-10', null as unknown as string)).status).toBe(401);
  });
});
