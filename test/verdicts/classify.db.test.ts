import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../reports/canonical.js';
import { defaultPolicy } from '../../reports/policy.js';
import { findings, ipv6Changes, policies, statusHistory, systems } from '../../src/db/schema/index.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { loadEvidence, usageSegments } from '../../src/verdicts/evidence.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TODAY, TZ, at, cityFixture, ids, probeDayRows } from './fixture.js';

describe.each(backends)('evidence loading and classification on %s', (backend) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
  });
  afterAll(async () => t?.close());

  it('loads the evidence of every system in a few set-based queries', async () => {
    const evidence = await loadEvidence(t.database.db, { asOf: TODAY, policy: defaultPolicy, timeZone: TZ });
    const by = Object.fromEntries(evidence.map((e) => [e.system.code, e]));
    expect(Object.keys(by).sort()).toEqual(['ALIVE', 'DEAD', 'FLAKY', 'GONE', 'NEW', 'ORPHAN', 'QUIET']);

    const alive = by.ALIVE!;
    expect(alive.system).toMatchObject({ departmentCode: '371300-DSJ', network: 'internet', deployment: 'gov_cloud', mlpsLevel: 3, operatorUnit: '临沂市大数据中心' });
    expect(alive.system.endpoints).toEqual([{ url: 'https://www.linyi.example/', role: 'portal' }]);
    // Only the window the probe rules need, ending on asOf.
    const days = alive.probeDays.map((d) => d.day).sort();
    expect(days.at(-1)).toBe(TODAY);
    expect(days.length).toBeGreaterThanOrEqual(30);
    expect(days.length).toBeLessThan(60);
    expect(alive.content).toEqual({ observedSince: '2026-06-01', lastChanged: '2026-11-17', homepageLastChanged: '2026-11-17', sitemapNewestLastmod: '2026-11-18' });
    expect(alive.ipv6).toEqual({ grade: 'ready', measuredOn: TODAY, secondLevelRate: 0.98, thirdLevelRate: 0.95 });
    expect(alive.tls).toEqual({ validTo: '2027-03-01', host: 'www.linyi.example' });
    expect(alive.usage.sources).toEqual([{ kind: 'push', since: '2026-08-01' }]);

    // Usage folded into the rule windows: same sums, same last day of use.
    const quiet = by.QUIET!;
    expect(quiet.usage.sources).toEqual([{ kind: 'log', since: '2026-06-01' }]);
    expect(quiet.usage.days).toEqual([{ day: '2026-07-10', metric: 'logins', value: 50 }]);
    expect(quiet.content).toMatchObject({ observedSince: '2026-05-02', lastChanged: null });
    const segments = usageSegments(TODAY, defaultPolicy);
    const aliveVisits = alive.usage.days.filter((d) => d.day >= segments.at(-1)!).reduce((s, d) => s + d.value, 0);
    expect(aliveVisits).toBe(500 * 30);

    expect(by.ORPHAN!.department).toEqual({ code: '371300-OLD', name: '临沂市原信息中心', dissolvedOn: '2026-08-31', successorCode: null });
    expect(by.DEAD!.content).toMatchObject({ lastChanged: '2026-09-20', homepageLastChanged: '2026-09-20' });
    expect(by.NEW!.probeDays).toHaveLength(3);
  });

  it('classifies every system, writes status and history, and opens findings with a frozen evidence pack', async () => {
    const { db } = t.database;
    const r = await classifyAll(db, { now: NOW, timeZone: TZ });
    expect(r).toMatchObject({ asOf: TODAY, policyVersion: defaultPolicy.version, systems: 7, changed: 7, findingsOpened: 5 });
    expect(r.counts).toEqual({ active: 1, semi_zombie: 1, zombie: 4, insufficient_evidence: 1, exempt: 0 });

    // The default policy is stored and active, so the reports can name it.
    const stored = await db.select().from(policies);
    expect(stored.map((p) => [p.version, p.active])).toEqual([[defaultPolicy.version, true]]);

    const rows = await db.select({ code: systems.code, status: systems.status, reasons: systems.statusReasons, statusAt: systems.statusAt, version: systems.version }).from(systems).orderBy(asc(systems.code));
    const status = Object.fromEntries(rows.map((x) => [x.code, x.status]));
    expect(status).toEqual({ ALIVE: 'active', DEAD: 'zombie', FLAKY: 'semi_zombie', GONE: 'zombie', NEW: 'insufficient_evidence', ORPHAN: 'zombie', QUIET: 'zombie' });
    const codes = (code: string) => (rows.find((x) => x.code === code)!.reasons as { code: string }[]).map((x) => x.code);
    expect(codes('DEAD')).toContain('unreachable');
    expect(codes('GONE')).toContain('dns_gone');
    expect(codes('FLAKY')).toEqual(['availability_low']);
    expect(codes('QUIET')).toContain('no_usage');
    expect(codes('ORPHAN')).toEqual(['owner_missing']);
    // Status is read-only data: no version bump.
    expect(rows.every((x) => x.version === 1 && x.statusAt?.getTime() === NOW.getTime())).toBe(true);

    const history = await db.select().from(statusHistory);
    expect(history).toHaveLength(7);
    expect(history.every((h) => h.asOf === TODAY && h.policyVersion === defaultPolicy.version)).toBe(true);

    const opened = await db.select({ f: findings, code: systems.code }).from(findings).innerJoin(systems, eq(systems.id, findings.systemId)).orderBy(asc(systems.code));
    expect(opened.map((o) => [o.code, o.f.verdict, o.f.status])).toEqual([
      ['DEAD', 'zombie', 'open'],
      ['FLAKY', 'semi_zombie', 'open'],
      ['GONE', 'zombie', 'open'],
      ['ORPHAN', 'zombie', 'open'],
      ['QUIET', 'zombie', 'open'],
    ]);
    for (const o of opened) {
      expect(sha256Hex(canonicalJson(o.f.evidence))).toBe(o.f.evidenceSha256);
      expect(o.f.evidence).toMatchObject({ kind: 'xuncha.evidence-pack', systemCode: o.code, findingId: String(o.f.id), asOf: TODAY });
    }
    const quietPack = opened.find((o) => o.code === 'QUIET')!.f.evidence as { usageSeries: unknown[]; contentHashes: unknown[] };
    expect(quietPack.usageSeries.length).toBeGreaterThan(80); // the daily series of the judged window, zeros included
    expect(quietPack.contentHashes).toEqual([{ day: '2026-05-02', url: 'http://oa.dsj.example/', hash: 'q1' }]);
  });

  it('runs again without duplicates, and later evidence never changes a stored evidence pack', async () => {
    const { db } = t.database;
    const before = await db.select({ id: findings.id, sha: findings.evidenceSha256, evidence: findings.evidence }).from(findings).orderBy(asc(findings.id));

    const again = await classifyAll(db, { now: NOW, timeZone: TZ });
    expect(again).toMatchObject({ changed: 0, findingsOpened: 0 });
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(statusHistory)).toEqual([{ n: 7 }]);

    // The next day DEAD answers again: its status changes, its finding keeps the evidence it was opened on.
    const s = await ids(db);
    await probeDayRows(db, s.DEAD!.id, '2026-11-21', '2026-11-21', () => ({ probes: 24, ok: 24 }));
    const next = new Date(NOW.getTime() + 86_400_000);
    const r = await classifyAll(db, { now: next, timeZone: TZ });
    expect(r.asOf).toBe('2026-11-21');
    expect(r.findingsOpened).toBe(0);
    const [dead] = await db.select({ status: systems.status }).from(systems).where(eq(systems.code, 'DEAD'));
    expect(dead!.status).not.toBe('zombie');
    const deadHistory = await db.select().from(statusHistory).where(eq(statusHistory.systemId, s.DEAD!.id)).orderBy(asc(statusHistory.id));
    expect(deadHistory.map((h) => [h.asOf, h.status])).toEqual([
      [TODAY, 'zombie'],
      ['2026-11-21', dead!.status],
    ]);

    const after = await db.select({ id: findings.id, sha: findings.evidenceSha256, evidence: findings.evidence }).from(findings).orderBy(asc(findings.id));
    expect(after).toEqual(before);
  });

  it('classifying a past day records history for that day without touching the current status', async () => {
    const { db } = t.database;
    const current = await db.select({ code: systems.code, status: systems.status }).from(systems).orderBy(asc(systems.code));
    const r = await classifyAll(db, { asOf: '2026-09-15', now: new Date(NOW.getTime() + 2 * 86_400_000), timeZone: TZ, record: true });
    expect(r.asOf).toBe('2026-09-15');
    // On 09-15 DEAD was still healthy and GONE resolved; ORPHAN's department already dissolved.
    const past = await db.select({ code: systems.code, status: statusHistory.status }).from(statusHistory).innerJoin(systems, eq(systems.id, statusHistory.systemId)).where(eq(statusHistory.asOf, '2026-09-15'));
    const byCode = Object.fromEntries(past.map((p) => [p.code, p.status]));
    expect(byCode.GONE).not.toBe('zombie');
    expect(byCode.ORPHAN).toBe('zombie');
    expect(await db.select({ code: systems.code, status: systems.status }).from(systems).orderBy(asc(systems.code))).toEqual(current);
    expect(r.findingsOpened).toBe(0);
  });

  it('a past day is read, not rewritten: report-only by default, on the IPv6 grade of that day', async () => {
    const { db } = t.database;
    const s = await ids(db);
    // ALIVE's portal was not ready in September; the fixture's latest result (ready) is from today.
    await db.insert(ipv6Changes).values([
      { endpointId: s.ALIVE!.endpointId, systemId: s.ALIVE!.id, at: at('2026-09-01', 3), grade: 'not_ready', secondLevelRate: 0.4, thirdLevelRate: 0.2 },
      { endpointId: s.ALIVE!.endpointId, systemId: s.ALIVE!.id, at: NOW, grade: 'ready', secondLevelRate: 0.98, thirdLevelRate: 0.95 },
    ]);
    const snapshot = async () => ({
      systems: await db.select({ code: systems.code, status: systems.status, reasons: systems.statusReasons, statusAt: systems.statusAt }).from(systems).orderBy(asc(systems.code)),
      history: await db.select().from(statusHistory).orderBy(asc(statusHistory.id)),
      findings: await db.select().from(findings).orderBy(asc(findings.id)),
    });
    const before = await snapshot();
    const later = new Date(NOW.getTime() + 3 * 86_400_000);

    const report = await classifyAll(db, { asOf: '2026-09-16', now: later, timeZone: TZ });
    expect(report).toMatchObject({ asOf: '2026-09-16', mode: 'report', changed: 0, findingsOpened: 0 });
    const alive = report.items.find((i) => i.code === 'ALIVE')!;
    expect(alive.flags).toContain('ipv6_not_ready');
    expect(await snapshot()).toEqual(before);

    const recorded = await classifyAll(db, { asOf: '2026-09-16', now: later, timeZone: TZ, record: true });
    expect(recorded.mode).toBe('record');
    expect(recorded.changed).toBeGreaterThan(0);
    const after = await snapshot();
    expect(after.systems).toEqual(before.systems);
    expect(after.findings).toEqual(before.findings);
    const [aliveRow] = after.history.filter((h) => h.systemId === s.ALIVE!.id && h.asOf === '2026-09-16');
    expect(aliveRow!.flags).toContain('ipv6_not_ready');
    // Today's grade is still today's.
    const [today] = await loadEvidence(db, { asOf: TODAY, policy: defaultPolicy, timeZone: TZ, systemIds: [s.ALIVE!.id] });
    expect(today!.ipv6).toMatchObject({ grade: 'ready' });
  });
});
