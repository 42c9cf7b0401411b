import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../reports/classify.js';
import { addDays } from '../../reports/dates.js';
import { defaultPolicy } from '../../reports/policy.js';
import { eq } from 'drizzle-orm';
import { buildMonthlyReport, localizeReport } from '../../reports/monthly/index.js';
import { contentChanges, endpoints, endpointState, probeResults, statusHistory, systems, usageDays } from '../../src/db/schema/index.js';
import { loadEvidence } from '../../src/verdicts/evidence.js';
import { monthlyReportInput } from '../../src/verdicts/monthly.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TODAY, TZ, at, cityFixture, ids, probeDayRows } from './fixture.js';

describe.each(backends)('evidence of life from stored probes on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
  });
  afterAll(async () => t?.close());

  it('a challenged portal shows the WAF vendor and the prober address, and is not unreachable', async () => {
    const { db } = t.database;
    const dead = (await ids(db)).DEAD!;
    // Forty days of challenges, as the sweep would store them.
    await probeDayRows(db, dead.id, addDays(TODAY, -39), TODAY, () => ({ probes: 2, ok: 0, outcomes: { challenged: 2 } }));
    await db.insert(probeResults).values([
      { systemId: dead.id, endpointId: dead.endpointId, kind: 'liveness', url: dead.url, at: at(addDays(TODAY, -10)), outcome: 'challenged', httpStatus: 403, detail: { vendor: 'safedog', localAddress: '198.51.100.20' } },
      { systemId: dead.id, endpointId: dead.endpointId, kind: 'liveness', url: dead.url, at: at(TODAY, 9), outcome: 'challenged', httpStatus: 412, detail: { vendor: 'jiasule', localAddress: '198.51.100.21' } },
    ]);
    const [ev] = await loadEvidence(db, { asOf: TODAY, policy: defaultPolicy, timeZone: TZ, systemIds: [dead.id] });
    expect(ev!.prober).toEqual({ address: '198.51.100.21', challengeVendors: ['jiasule', 'safedog'] });
    const c = classify(ev!, defaultPolicy, TODAY);
    expect(c.reasons.map((r) => r.code)).not.toContain('unreachable');
    expect(c.flags.find((f) => f.code === 'probe_blocked')?.evidence).toMatchObject({ proberAddress: '198.51.100.21', vendors: ['jiasule', 'safedog'] });
    // A configured PROBER_ADDRESS (the NAT's public address) wins over the probe's local one.
    const [configured] = await loadEvidence(db, { asOf: TODAY, policy: defaultPolicy, timeZone: TZ, systemIds: [dead.id], proberAddress: '203.0.113.9' });
    expect(configured!.prober?.address).toBe('203.0.113.9');
  });

  it('daily distinct users from a log import are not added up: the month has as many as its busiest day', async () => {
    const { db } = t.database;
    const quiet = (await ids(db)).QUIET!;
    const rows: (typeof usageDays.$inferInsert)[] = [];
    for (let i = 0; i < 60; i++) {
      const day = addDays(TODAY, -i);
      rows.push({ systemId: quiet.id, day, metric: 'active_users', source: 'log', value: i === 5 ? 7 : 6 }, { systemId: quiet.id, day, metric: 'visits', source: 'log', value: 300 });
    }
    await db.insert(usageDays).values(rows).onConflictDoNothing();
    const [ev] = await loadEvidence(db, { asOf: TODAY, policy: defaultPolicy, timeZone: TZ, systemIds: [quiet.id] });
    const low = classify({ ...ev!, system: { ...ev!.system, registeredUsers: 2000 } }, defaultPolicy, TODAY).reasons.find((r) => r.code === 'low_usage');
    expect(low?.evidence).toMatchObject({ basedOn: 'active_users', monthlyActiveUsers: 7, threshold: 100 });
  });

  it('a page first seen yesterday with Last-Modified 2025-03-01 and sitemap lastmod 2025-02-20 is unchanged since 2025-03-01', async () => {
    const { db } = t.database;
    const res = await t.call('POST', '/api/v1/systems', {
      body: { code: 'FROZEN', name: '兰山区旧政务公开网', departmentCode: '371302', operatorUnit: '兰山区大数据中心', endpoints: [{ url: 'http://frozen.lanshan.example/', role: 'portal' }] },
    });
    expect(res.status).toBe(201);
    const frozen = (await ids(db)).FROZEN!;
    await probeDayRows(db, frozen.id, addDays(TODAY, -1), TODAY, () => ({ probes: 24, ok: 24 }));
    await db.insert(contentChanges).values({ systemId: frozen.id, endpointId: frozen.endpointId, at: at(addDays(TODAY, -1), 3), contentHash: 'f1' });
    await db.insert(endpointState).values({
      endpointId: frozen.endpointId,
      systemId: frozen.id,
      lastProbeAt: at(TODAY, 2),
      lastOutcome: 'ok',
      lastOkAt: at(TODAY, 2),
      contentHash: 'f1',
      lastModified: new Date('2025-03-01T02:00:00Z'),
      sitemapLastmod: new Date('2025-02-20T00:00:00Z'),
    });
    const [ev] = await loadEvidence(db, { asOf: TODAY, policy: defaultPolicy, timeZone: TZ, systemIds: [frozen.id] });
    expect(ev!.content).toEqual({ observedSince: addDays(TODAY, -1), lastChanged: '2025-03-01', homepageLastChanged: '2025-03-01', sitemapNewestLastmod: '2025-02-20' });
    const c = classify(ev!, defaultPolicy, TODAY);
    expect(c.reasons.find((r) => r.code === 'stale_content')?.since).toBe('2025-03-01');
    expect(c.reasons.find((r) => r.code === 'homepage_not_updated')?.since).toBe('2025-03-01');
  });

  it('an internet-facing system whose only endpoint is an app is measured for IPv6 on that app (representative endpoint)', async () => {
    const { db } = t.database;
    const res = await t.call('POST', '/api/v1/systems', {
      body: { code: 'APPONLY', name: '爱山东临沂分厅', departmentCode: '371300-DSJ', operatorUnit: '临沂市大数据中心', network: 'internet', endpoints: [{ url: 'https://app.linyi.example/', role: 'app' }, { url: 'https://admin.linyi.example/', role: 'admin' }] },
    });
    expect(res.status).toBe(201);
    const app = (await ids(db)).APPONLY!;
    await db.update(systems).set({ createdAt: at('2026-05-01', 9) }).where(eq(systems.id, app.id));
    const all = await db.select().from(endpoints).where(eq(endpoints.systemId, app.id));
    const appEp = all.find((e) => e.role === 'app')!;
    const adminEp = all.find((e) => e.role === 'admin')!;
    await probeDayRows(db, app.id, addDays(TODAY, -20), TODAY, () => ({ probes: 24, ok: 24 }));
    await db.insert(endpointState).values([
      { endpointId: appEp.id, systemId: app.id, lastProbeAt: at(TODAY, 2), lastOutcome: 'ok', ipv6: { grade: 'ready', secondLevelRate: 1, thirdLevelRate: 1 }, ipv6At: at(TODAY, 2) },
      { endpointId: adminEp.id, systemId: app.id, lastProbeAt: at(TODAY, 2), lastOutcome: 'ok', ipv6: { grade: 'no_ipv6' }, ipv6At: at(TODAY, 3) },
    ]);
    const [ev] = await loadEvidence(db, { asOf: TODAY, policy: defaultPolicy, timeZone: TZ, systemIds: [app.id] });
    expect(ev!.ipv6).toMatchObject({ grade: 'ready' });
    await classifyAll(db, { now: NOW, timeZone: TZ });
    const { input } = await monthlyReportInput(db, '2026-11', { now: NOW, timeZone: TZ });
    expect(input.systems.find((x) => x.code === 'APPONLY')!.ipv6).toMatchObject({ grade: 'ready' });
    const report = buildMonthlyReport(input);
    const doc = localizeReport(report, 'zh');
    const text = JSON.stringify(doc.sections.find((x) => x.id === 'appendix'));
    expect(text).toContain('有门户网站的取门户，否则取应用，再否则取接口');
    expect(JSON.stringify(localizeReport(report, 'en').sections)).toContain('its portal, else its app, else its API');
  });

  it('monthly availability counts the probes the server answered: HTTP and TLS errors and challenges', async () => {
    const { db } = t.database;
    const flaky = (await ids(db)).FLAKY!;
    await probeDayRows(db, flaky.id, '2026-11-01', TODAY, () => ({ probes: 4, ok: 1, outcomes: { ok: 1, tls_error: 1, http_error: 1, timeout: 1 } }));
    await classifyAll(db, { now: NOW, timeZone: TZ });
    const { input } = await monthlyReportInput(db, '2026-11', { now: NOW, timeZone: TZ });
    const s = input.systems.find((x) => x.code === 'FLAKY')!;
    expect(s.availability).toEqual({ probes: 80, ok: 60 });
    const dead = input.systems.find((x) => x.code === 'DEAD')!;
    expect(dead.availability!.ok).toBe(dead.availability!.probes);
  });
});

describe.each(backends)('report figures are the report day\'s on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
  });
  afterAll(async () => t?.close());

  it('the 主要问题 sentence gives availability as of the month end, not as of the day the status last changed', async () => {
    const { db } = t.database;
    await classifyAll(db, { now: NOW, timeZone: TZ });
    const flaky = (await ids(db)).FLAKY!;
    const [stored] = await db.select({ reasons: statusHistory.reasons }).from(statusHistory).where(eq(statusHistory.systemId, flaky.id));
    const storedParams = (stored!.reasons as Array<{ code: string; message: { params: Record<string, unknown> } }>).find((r) => r.code === 'availability_low')!.message.params;
    // After the verdict: ten more days, half of the probes unanswered. The status stays semi_zombie/availability_low.
    await probeDayRows(db, flaky.id, addDays(TODAY, 1), '2026-11-30', () => ({ probes: 24, ok: 12 }));
    const { input } = await monthlyReportInput(db, '2026-11', { now: new Date('2026-12-02T04:00:00Z'), timeZone: TZ });
    const reason = input.systems.find((s) => s.code === 'FLAKY')!.reasons.find((r) => r.code === 'availability_low')!;
    const [ev] = await loadEvidence(db, { asOf: '2026-11-30', policy: defaultPolicy, timeZone: TZ, systemIds: [flaky.id] });
    const truth = classify(ev!, defaultPolicy, '2026-11-30').reasons.find((r) => r.code === 'availability_low')!;
    expect(truth.message.params.availability).not.toBe(storedParams.availability);
    expect(reason.message?.params).toEqual(truth.message.params);
  });
});
