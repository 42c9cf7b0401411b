import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeLimiter } from '../../probes/concurrency.js';
import type { ProbeDeps } from '../../probes/deps.js';
import { createProbeResolver } from '../../probes/dns.js';
import { systemClock } from '../../probes/outcome.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { inspectionSections, probeResults, sectionDays, siteDays, systems } from '../../src/db/schema/index.js';
import { createSweep } from '../../src/sweeps/queue.js';
import { runSweepWorker } from '../../src/sweeps/runner.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { startPortalFleet, type PortalFleet } from '../support/fleet-portals.js';

const TZ = 'Asia/Shanghai';
const TODAY = '2026-11-30';

describe.each(backends)('the site inspection on %s', (backend) => {
  let t: TestApp;
  let fleet: PortalFleet;
  let deps: ProbeDeps;
  const sweep = async (codes: string[]) => {
    const s = await createSweep(t.database.db, { trigger: 'api', systems: codes, kinds: ['inspection'] }, new Date());
    return runSweepWorker({ db: t.database.db, deps, workerId: 'w-insp', timeZone: TZ, sweepId: s.id, concurrency: 10, probe: { retries: 0 } });
  };
  const card = async (code: string) => {
    const res = await t.call('GET', `/api/v1/systems/${code}/inspection?asOf=${TODAY}`);
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { items: Array<{ rule: string; result: string; evidence: Record<string, unknown>; policyVersion: string }>; links: Record<string, unknown> };
    return { ...body, result: Object.fromEntries(body.items.map((i) => [i.rule, i.result])) };
  };

  beforeAll(async () => {
    fleet = await startPortalFleet(TODAY);
    t = await startTestApp(backend);
    deps = {
      resolver: createProbeResolver({ servers: fleet.dns.address, timeoutMs: 2000, tries: 1 }),
      policy: createTargetPolicy(),
      timeoutMs: 10_000,
      // The sweep happens at noon on TODAY in Shanghai: the fleet's dates are relative to it.
      clock: { ...systemClock, now: () => new Date(`${TODAY}T04:00:00Z`) },
      limiter: createProbeLimiter(20, 4),
    };
    await t.call('POST', '/api/v1/departments', { body: { code: 'C', name: '临沂市人民政府', level: 'city', kind: 'government' } });
    for (const [code, host] of [['FRESH', 'fresh.gov.test'], ['STALE', 'stale.gov.test'], ['NAVONLY', 'navonly.gov.test'], ['BLANK', 'blank.gov.test'], ['APP', 'fresh.gov.test']] as const) {
      const role = code === 'APP' ? 'app' : 'portal';
      const res = await t.call('POST', '/api/v1/systems', { body: { code, name: code, departmentCode: 'C', lifecycle: 'live', endpoints: [{ url: fleet.url(host), role }] } });
      expect(res.status, await res.clone().text()).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await fleet?.close();
  });

  it('sweeps the portals and stores one row per section and per site per day; each veto item has a passing and a failing portal', async () => {
    const stats = await sweep(['FRESH', 'STALE', 'NAVONLY', 'BLANK', 'APP']);
    expect(stats.targets).toBe(5);
    const { db } = t.database;
    // Only portals are inspected; the app endpoint yields no record.
    expect((await db.select().from(probeResults)).filter((r) => r.kind === 'inspection')).toHaveLength(4);
    const [fresh] = await db.select().from(systems).where(eq(systems.code, 'FRESH'));
    const days = await db.select().from(siteDays).where(eq(siteDays.systemId, fresh!.id));
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ day: TODAY, outcome: 'ok', homepageNewest: '2026-11-28', linksBroken: 0 });
    expect((await db.select().from(sectionDays).where(eq(sectionDays.systemId, fresh!.id))).length).toBe(6);

    const f = await card('FRESH');
    expect(f.result).toEqual({ site_unreachable: 'unmeasured', homepage_not_updated: 'pass', sections_not_updated: 'pass', blank_sections: 'pass', serious_errors: 'pass' });
    expect(f.items.every((i) => i.policyVersion === '2026-12-default')).toBe(true);
    // 适老化 (informational): the 关怀版 entry exists and opens; one homepage image of two has alt text.
    expect((f as unknown as { accessibility: Record<string, unknown> }).accessibility).toMatchObject({ images: 2, imagesWithAlt: 1, altShare: 0.5, careEntry: { found: true, opens: true } });

    const s = await card('STALE');
    expect(s.result).toMatchObject({ homepage_not_updated: 'fail', sections_not_updated: 'fail', blank_sections: 'pass', serious_errors: 'fail' });
    expect(s.links).toMatchObject({ outboundRisks: 2 });
    expect(s.links.broken).toBeGreaterThanOrEqual(1);
    expect(s.links.brokenList).toContainEqual(expect.objectContaining({ url: fleet.url('stale.gov.test', '/missing.html'), page: fleet.url('stale.gov.test') }));

    const n = await card('NAVONLY');
    expect(n.result).toMatchObject({ homepage_not_updated: 'pass', sections_not_updated: 'pass' });
    expect(n.items.find((i) => i.rule === 'homepage_not_updated')!.evidence.judged).toBe('second_level_pages');

    const b = await card('BLANK');
    expect(b.result).toMatchObject({ blank_sections: 'fail', homepage_not_updated: 'pass' });
  }, 300_000);

  it('a second sweep the same day replaces the day rows, never adds', async () => {
    await sweep(['FRESH']);
    const [fresh] = await t.database.db.select().from(systems).where(eq(systems.code, 'FRESH'));
    expect(await t.database.db.select().from(siteDays).where(eq(siteDays.systemId, fresh!.id))).toHaveLength(1);
    expect((await t.database.db.select().from(sectionDays).where(eq(sectionDays.systemId, fresh!.id))).length).toBe(6);
  }, 300_000);

  it('ops register and type sections; a registered section keeps its type over discovery; bad input is problem+json', async () => {
    const list = await t.call('GET', '/api/v1/systems/STALE/sections');
    const items = ((await list.json()) as { items: Array<{ id: number; name: string; type: string; source: string; latest: unknown }> }).items;
    expect(items.length).toBe(6);
    const one = items.find((i) => i.name === '图片新闻')!;
    const patched = await t.call('PATCH', `/api/v1/systems/STALE/sections/${one.id}`, { body: { type: 'other' } });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ type: 'other', source: 'registered' });
    const added = await t.call('POST', '/api/v1/systems/STALE/sections', { body: { url: fleet.url('stale.gov.test', '/art/'), name: '政策文件', type: 'notice_policy' } });
    expect(added.status, await added.clone().text()).toBe(201);
    await sweep(['STALE']);
    const [row] = await t.database.db.select().from(inspectionSections).where(eq(inspectionSections.id, one.id));
    expect(row).toMatchObject({ type: 'other', source: 'registered' });
    // Five stale dynamic sections left: no longer more than 5.
    expect((await card('STALE')).result.sections_not_updated).toBe('pass');

    const bad = await t.call('POST', '/api/v1/systems/STALE/sections', { body: { url: 'ftp://x', name: '', type: 'news' } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    const paths = ((await bad.json()) as { errors: Array<{ path: string }> }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['name', 'type', 'url']);
    expect((await t.call('POST', '/api/v1/systems/APP/sections', { body: { url: fleet.url('fresh.gov.test', '/x/'), name: 'x', type: 'other' } })).status).toBe(400);
    expect((await t.call('PATCH', '/api/v1/systems/STALE/sections/999999', { body: { type: 'other' } })).status).toBe(404);
    expect((await t.call('GET', '/api/v1/systems/NOPE/inspection')).status).toBe(404);
  }, 300_000);
});
