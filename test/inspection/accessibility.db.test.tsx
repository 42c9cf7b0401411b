import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowserPool } from '../../probes/browser.js';
import { createProbeLimiter } from '../../probes/concurrency.js';
import type { ProbeDeps } from '../../probes/deps.js';
import { createProbeResolver } from '../../probes/dns.js';
import { systemClock } from '../../probes/outcome.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { buildMonthlyReport } from '../../reports/monthly/build.js';
import { accessibilityDays, probeResults, systems } from '../../src/db/schema/index.js';
import { createSweep } from '../../src/sweeps/queue.js';
import { runSweepWorker } from '../../src/sweeps/runner.js';
import { monthlyReportInput } from '../../src/verdicts/monthly.js';
import { InspectionSection } from '../../src/web/pages/inspection.js';
import type { InspectionDto } from '../../src/verdicts/inspection.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CHROMIUM, hasChromium } from '../support/browser.js';
import { backends } from '../support/db.js';
import { startPortalFleet, type PortalFleet } from '../support/fleet-portals.js';

// The accessibility kind end to end (issue 11): sweep → accessibility_days → API, system page, monthly report.
const TZ = 'Asia/Shanghai';
const TODAY = '2026-11-30';
const NOW = new Date(`${TODAY}T04:00:00Z`);

describe.skipIf(!hasChromium).each(backends)('the accessibility kind on %s', (backend) => {
  let t: TestApp;
  let fleet: PortalFleet;
  let deps: ProbeDeps;
  const sweep = async (codes: string[], kinds: Array<'inspection' | 'accessibility'>, d: ProbeDeps = deps) => {
    const s = await createSweep(t.database.db, { trigger: 'api', systems: codes, kinds }, NOW);
    return runSweepWorker({ db: t.database.db, deps: d, workerId: `w-a11y-${kinds.join('-')}`, timeZone: TZ, sweepId: s.id, concurrency: 4, probe: { retries: 0 }, now: () => NOW });
  };
  const card = async (code: string) => {
    const res = await t.call('GET', `/api/v1/systems/${code}/inspection?asOf=${TODAY}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as InspectionDto;
  };
  const systemId = async (code: string) => (await t.database.db.select().from(systems).where(eq(systems.code, code)))[0]!.id;

  beforeAll(async () => {
    fleet = await startPortalFleet(TODAY);
    t = await startTestApp(backend, { now: () => NOW });
    deps = {
      resolver: createProbeResolver({ servers: fleet.dns.address, timeoutMs: 2000, tries: 1 }),
      policy: createTargetPolicy(),
      timeoutMs: 30_000,
      clock: { ...systemClock, now: () => NOW },
      limiter: createProbeLimiter(20, 4),
      browser: createBrowserPool({ executablePath: CHROMIUM, idleCloseMs: 60_000 }),
    };
    await t.call('POST', '/api/v1/departments', { body: { code: 'C', name: '临沂市人民政府', level: 'city', kind: 'government' } });
    await t.call('POST', '/api/v1/departments', { body: { code: 'LS', name: '兰山区人民政府', level: 'county', kind: 'government', parentCode: 'C' } });
    await t.call('POST', '/api/v1/departments', { body: { code: 'LZ', name: '罗庄区人民政府', level: 'county', kind: 'government', parentCode: 'C' } });
    for (const [code, host, dept, role] of [
      ['BAD', 'a11y-bad.gov.test', 'LS', 'portal'],
      ['FRESH', 'fresh.gov.test', 'LS', 'portal'],
      ['CLEAN', 'a11y-clean.gov.test', 'LZ', 'portal'],
      ['APP', 'a11y-bad.gov.test', 'LZ', 'app'],
    ] as const) {
      const res = await t.call('POST', '/api/v1/systems', { body: { code, name: `${code}门户`, departmentCode: dept, lifecycle: 'live', endpoints: [{ url: fleet.url(host), role }] } });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    // The inventory dates from the injected day (the monthly report starts at the first data).
    await t.database.db.update(systems).set({ createdAt: NOW });
  }, 120_000);
  afterAll(async () => {
    await deps?.browser?.close();
    await t?.close();
    await fleet?.close();
  });

  it('before any check, axe is null; after the site inspection and the accessibility sweep, the homepage and a recent section are checked', async () => {
    expect((await card('BAD')).accessibility).toBeNull();
    // The site inspection discovers the sections (and measures alt text and the care entry).
    await sweep(['BAD', 'FRESH', 'CLEAN'], ['inspection']);
    const stats = await sweep(['BAD', 'FRESH', 'CLEAN', 'APP'], ['accessibility']);
    expect(stats.targets).toBe(4);
    const { db } = t.database;
    // Only portals: the app endpoint yields no record.
    expect((await db.select().from(probeResults)).filter((r) => r.kind === 'accessibility')).toHaveLength(3);

    const bad = await card('BAD');
    const axe = bad.accessibility!.axe!;
    expect(axe).toMatchObject({ checkedOn: TODAY, outcome: 'ok', reason: null, section: 'checked' });
    expect(axe.pages.map((p) => [p.role, p.url])).toEqual([
      ['homepage', fleet.url('a11y-bad.gov.test')],
      ['section', fleet.url('a11y-bad.gov.test', '/xwdt/')],
    ]);
    const rules = Object.fromEntries(axe.pages[0]!.rules.map((r) => [r.id, r]));
    expect(rules['image-alt']).toMatchObject({ impact: 'critical', help: 'Images must have alternative text', helpZh: '图像必须有替代文本' });
    expect(rules['label']?.impact).toBe('critical');
    expect(rules['color-contrast']?.impact).toBe('serious');
    expect(rules['html-has-lang']?.impact).toBe('serious');
    expect(axe.violations.critical.rules).toBe(axe.pages[0]!.violations.critical.rules + axe.pages[1]!.violations.critical.rules);

    const clean = (await card('CLEAN')).accessibility!;
    expect(clean.axe!.violations.critical.rules + clean.axe!.violations.serious.rules).toBe(0);
    expect(clean.careEntry).toMatchObject({ found: true, opens: true });

    // The system page shows the figures with Chinese labels and the rules with their help text.
    const zh = String(<InspectionSection lang="zh" card={bad} />);
    for (const s of ['适老化与无障碍', '严重', '重大', '一般', '轻微', 'image-alt', '图像必须有替代文本', '栏目页']) expect(zh).toContain(s);
    const en = String(<InspectionSection lang="en" card={bad} />);
    for (const s of ['Critical', 'Serious', 'Images must have alternative text', 'Section page']) expect(en).toContain(s);
  }, 600_000);

  it('a second check the same day replaces the day row', async () => {
    await sweep(['BAD'], ['accessibility']);
    expect(await t.database.db.select().from(accessibilityDays).where(eq(accessibilityDays.systemId, await systemId('BAD')))).toHaveLength(1);
  }, 300_000);

  it('the OpenAPI document describes accessibility.axe', async () => {
    const doc = (await (await t.call('GET', '/api/v1/openapi.json')).json()) as { components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(doc.components.schemas.AxeCheck?.properties).toHaveProperty('violations');
    expect(doc.components.schemas.AxePage?.properties).toHaveProperty('subresources');
  });

  it('the monthly report has a per-county accessibility table with the figures of its portals', async () => {
    const { input } = await monthlyReportInput(t.database.db, '2026-11', { now: NOW, timeZone: TZ });
    const report = buildMonthlyReport(input);
    const cards = { BAD: await card('BAD'), FRESH: await card('FRESH'), CLEAN: await card('CLEAN') };
    const serious = (c: InspectionDto) => (c.accessibility!.axe!.violations.critical.rules + c.accessibility!.axe!.violations.serious.rules > 0 ? 1 : 0);
    const opens = (c: InspectionDto) => (c.accessibility!.careEntry?.found && c.accessibility!.careEntry.opens ? 1 : 0);
    const byRegion = Object.fromEntries(report.accessibility.regions.map((r) => [r.region.code, r]));
    // 兰山区: BAD and FRESH. The median of two alt shares is their mean.
    expect(byRegion.LS).toMatchObject({
      portals: 2,
      measured: 2,
      criticalOrSerious: serious(cards.BAD) + serious(cards.FRESH),
      medianAltShare: (cards.BAD.accessibility!.altShare! + cards.FRESH.accessibility!.altShare!) / 2,
      careEntryShare: (opens(cards.BAD) + opens(cards.FRESH)) / 2,
    });
    expect(byRegion.LZ).toMatchObject({ portals: 1, measured: 1, criticalOrSerious: 0, careEntryShare: 1 });
    expect(report.accessibility.total).toMatchObject({ portals: 3, measured: 3, criticalOrSerious: serious(cards.BAD) + serious(cards.FRESH) });
    // Informational: no verdict reason or flag comes from it.
    expect(JSON.stringify(input.systems.map((s) => [s.reasons, s.flags]))).not.toMatch(/access|axe/);
  }, 300_000);

  it('without a browser the day is recorded unmeasured (no_browser), not a failure', async () => {
    const stats = await sweep(['CLEAN'], ['accessibility'], { ...deps, browser: null });
    expect(stats.failed + stats.ok).toBe(1);
    const axe = (await card('CLEAN')).accessibility!.axe!;
    expect(axe).toMatchObject({ outcome: 'unmeasured', reason: 'no_browser', pages: [] });
    const zh = String(<InspectionSection lang="zh" card={await card('CLEAN')} />);
    expect(zh).toContain('未配置浏览器');
  }, 300_000);
});
