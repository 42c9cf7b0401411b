import { eq, sql } from 'drizzle-orm';
import { addDays, dayNumber, type Day } from '../../reports/dates.js';
import type { Db } from '../../src/db/client.js';
import { contentChanges, departments, endpoints, endpointState, probeDays, probeResults, systems, usageDays } from '../../src/db/schema/index.js';
import type { TestApp } from '../support/app.js';

/** The fixed clock of the verdict tests: 2026-11-20 12:00 in Asia/Shanghai. */
export const NOW = new Date('2026-11-20T04:00:00Z');
export const TODAY: Day = '2026-11-20';
export const TZ = 'Asia/Shanghai';

/** Instant of a local day at `hour` (Asia/Shanghai). */
export const at = (day: Day, hour = 12) => new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), hour - 8));

/**
 * A small city: 临沂市 with 兰山区 (and its 教育和体育局), 罗庄区, the city's 大数据局 and a dissolved
 * office without successor. Systems are registered through the API, then back-dated to 2026-05-01.
 */
export async function cityFixture(t: TestApp): Promise<void> {
  const depts = [
    { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' },
    { code: '371300-DSJ', name: '临沂市大数据局', shortName: '市大数据局', level: 'city', kind: 'department', parentCode: '371300' },
    { code: '371302', name: '兰山区人民政府', shortName: '兰山区', level: 'county', kind: 'government', parentCode: '371300' },
    { code: '371302-JT', name: '兰山区教育和体育局', shortName: '兰山区教体局', level: 'county', kind: 'department', parentCode: '371302' },
    { code: '371311', name: '罗庄区人民政府', shortName: '罗庄区', level: 'county', kind: 'government', parentCode: '371300' },
    { code: '371300-OLD', name: '临沂市原信息中心', level: 'city', kind: 'department', parentCode: '371300' },
  ];
  for (const body of depts) {
    const res = await t.call('POST', '/api/v1/departments', { body });
    if (res.status !== 201) throw new Error(`department ${body.code}: ${res.status} ${await res.text()}`);
  }
  const op = { operatorUnit: '临沂市大数据中心' };
  const list = [
    { code: 'ALIVE', name: '临沂市政府门户网站', departmentCode: '371300-DSJ', endpoints: [{ url: 'https://www.linyi.example/', role: 'portal' }], deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 3 },
    { code: 'DEAD', name: '兰山区教育信息网', departmentCode: '371302-JT', endpoints: [{ url: 'http://edu.lanshan.example/', role: 'portal' }], deployment: 'self_hosted', cloudRequired: true },
    { code: 'GONE', name: '罗庄区旧门户', departmentCode: '371311', endpoints: [{ url: 'http://old.luozhuang.example/', role: 'portal' }] },
    { code: 'FLAKY', name: '兰山区政务服务平台', departmentCode: '371302', network: 'egov_extranet', endpoints: [{ url: 'http://zw.lanshan.example/', role: 'app' }] },
    { code: 'QUIET', name: '市大数据局内部协同系统', departmentCode: '371300-DSJ', network: 'egov_extranet', userScope: 'internal', endpoints: [{ url: 'http://oa.dsj.example/', role: 'app' }] },
    { code: 'NEW', name: '兰山区新建系统', departmentCode: '371302', network: 'private', endpoints: [{ url: 'http://new.lanshan.example/', role: 'app' }] },
    { code: 'ORPHAN', name: '原信息中心数据交换平台', departmentCode: '371300-OLD', network: 'egov_extranet', endpoints: [{ url: 'http://exchange.old.example/', role: 'api' }] },
  ];
  for (const body of list) {
    const res = await t.call('POST', '/api/v1/systems', { body: { ...op, ...body } });
    if (res.status !== 201) throw new Error(`system ${body.code}: ${res.status} ${await res.text()}`);
  }
  const { db } = t.database;
  await db.update(systems).set({ createdAt: at('2026-05-01', 9), updatedAt: at('2026-05-01', 9) });
  await db.update(departments).set({ dissolvedOn: '2026-08-31' }).where(eq(departments.code, '371300-OLD'));
  await evidenceFixture(db);
}

export async function ids(db: Db): Promise<Record<string, { id: number; endpointId: number; url: string }>> {
  const rows = await db.select({ id: systems.id, code: systems.code, endpointId: endpoints.id, url: endpoints.url }).from(systems).innerJoin(endpoints, eq(endpoints.systemId, systems.id));
  return Object.fromEntries(rows.map((r) => [r.code, { id: r.id, endpointId: r.endpointId, url: r.url }]));
}

export interface DayFigures {
  probes: number;
  ok: number;
  outcomes?: Record<string, number>;
  dnsNxdomain?: number;
}

/** One probe_days row per day from `from` to `to` (inclusive). */
export async function probeDayRows(db: Db, systemId: number, from: Day, to: Day, f: (day: Day) => DayFigures | null): Promise<void> {
  const rows: (typeof probeDays.$inferInsert)[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const x = f(d);
    if (!x) continue;
    const outcomes = x.outcomes ?? (x.ok === x.probes ? { ok: x.ok } : { ok: x.ok, timeout: x.probes - x.ok });
    rows.push({ systemId, day: d, probes: x.probes, ok: x.ok, failed: x.probes - x.ok, dnsNxdomain: x.dnsNxdomain ?? 0, outcomes, sumMs: x.probes * 300, maxMs: 900 });
  }
  if (rows.length) await db.insert(probeDays).values(rows).onConflictDoUpdate({ target: [probeDays.systemId, probeDays.day], set: { probes: sql`excluded.probes`, ok: sql`excluded.ok`, failed: sql`excluded.failed`, dnsNxdomain: sql`excluded.dns_nxdomain`, outcomes: sql`excluded.outcomes` } });
}

const healthy = (): DayFigures => ({ probes: 24, ok: 24 });

/**
 * Evidence as of 2026-11-20 (and history back to May):
 *  ALIVE  healthy, homepage changed on 11-17, usage pushed daily;
 *  DEAD   nothing answered since 10-01 (zombie: unreachable);
 *  GONE   NXDOMAIN since 11-10 (zombie: dns_gone);
 *  FLAKY  90 % of probes succeed (semi-zombie: availability_low);
 *  QUIET  internal, usage source since June, no use since July, page unchanged since May (zombie: no_usage);
 *  NEW    three probe days (insufficient evidence);
 *  ORPHAN healthy, but its department was dissolved with no successor (zombie: owner_missing).
 */
export async function evidenceFixture(db: Db): Promise<void> {
  const s = await ids(db);
  const from: Day = '2026-06-01';
  await probeDayRows(db, s.ALIVE!.id, from, TODAY, healthy);
  await probeDayRows(db, s.DEAD!.id, from, TODAY, (d) => (d < '2026-10-01' ? healthy() : { probes: 24, ok: 0, outcomes: { connect_refused: 24 } }));
  await probeDayRows(db, s.GONE!.id, from, TODAY, (d) => (d < '2026-11-10' ? healthy() : { probes: 24, ok: 0, dnsNxdomain: 24, outcomes: { dns_nxdomain: 24 } }));
  await probeDayRows(db, s.FLAKY!.id, from, TODAY, (d) => (dayNumber(d) % 10 === 0 ? { probes: 24, ok: 0 } : healthy()));
  await probeDayRows(db, s.QUIET!.id, from, TODAY, healthy);
  await probeDayRows(db, s.NEW!.id, '2026-11-18', TODAY, healthy);
  await probeDayRows(db, s.ORPHAN!.id, from, TODAY, healthy);

  // Content: first observations and changes.
  const cc: (typeof contentChanges.$inferInsert)[] = [
    { systemId: s.ALIVE!.id, endpointId: s.ALIVE!.endpointId, at: at('2026-06-01', 3), contentHash: 'a1' },
    { systemId: s.ALIVE!.id, endpointId: s.ALIVE!.endpointId, at: at('2026-09-01', 3), contentHash: 'a2' },
    { systemId: s.ALIVE!.id, endpointId: s.ALIVE!.endpointId, at: at('2026-11-17', 3), contentHash: 'a3' },
    { systemId: s.QUIET!.id, endpointId: s.QUIET!.endpointId, at: at('2026-05-02', 3), contentHash: 'q1' },
    { systemId: s.DEAD!.id, endpointId: s.DEAD!.endpointId, at: at('2026-06-01', 3), contentHash: 'd1' },
    { systemId: s.DEAD!.id, endpointId: s.DEAD!.endpointId, at: at('2026-09-20', 3), contentHash: 'd2' },
  ];
  await db.insert(contentChanges).values(cc);
  await db.insert(endpointState).values([
    {
      endpointId: s.ALIVE!.endpointId,
      systemId: s.ALIVE!.id,
      lastProbeAt: at(TODAY, 2),
      lastOutcome: 'ok',
      lastOkAt: at(TODAY, 2),
      contentHash: 'a3',
      contentChangedAt: at('2026-11-17', 3),
      cert: { issuer: 'CN=Test CA', validTo: '2027-03-01T00:00:00.000Z', daysToExpiry: 100 },
      ipv6: { grade: 'ready', secondLevelRate: 0.98, thirdLevelRate: 0.95 },
      ipv6At: at(TODAY, 2),
      sitemapLastmod: at('2026-11-18', 0),
    },
    { endpointId: s.DEAD!.endpointId, systemId: s.DEAD!.id, lastProbeAt: at(TODAY, 2), lastOutcome: 'connect_refused', ipv6: { grade: 'no_ipv6' }, ipv6At: at('2026-09-01', 2) },
  ]);

  // Usage: ALIVE pushes daily visits; QUIET's source starts in June and shows use only in early July.
  const usage: (typeof usageDays.$inferInsert)[] = [];
  for (let d: Day = '2026-08-01'; d <= TODAY; d = addDays(d, 1)) usage.push({ systemId: s.ALIVE!.id, day: d, metric: 'visits', source: 'push', value: 500 });
  for (let d: Day = '2026-06-01'; d <= TODAY; d = addDays(d, 1)) {
    const busy = d >= '2026-07-01' && d <= '2026-07-10';
    usage.push({ systemId: s.QUIET!.id, day: d, metric: 'logins', source: 'log', value: busy ? 5 : 0 });
  }
  await db.insert(usageDays).values(usage);
}

/** A raw liveness probe result (what a sweep stores), e.g. to show a decommissioned endpoint still answering. */
export async function probeResult(db: Db, systemId: number, endpointId: number, url: string, when: Date, outcome: string, httpStatus: number | null = null): Promise<void> {
  await db.insert(probeResults).values({ systemId, endpointId, kind: 'liveness', url, at: when, outcome, httpStatus, durationMs: 120, detail: {} });
  await db
    .insert(endpointState)
    .values({ endpointId, systemId, lastProbeAt: when, lastOutcome: outcome })
    .onConflictDoUpdate({ target: endpointState.endpointId, set: { lastProbeAt: when, lastOutcome: outcome } });
}
