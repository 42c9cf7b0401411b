import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, Ipv6Grade, Network, ReasonCode, Status, UsageMetric, UserScope } from '../../reports/codes.js';
import { diffDays, type Day } from '../../reports/dates.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { CITY, flakyDay, startCityFleet, type CityFleet } from '../support/fleet-city.js';
import { at, driveCity, simClock, type DriveStats } from './drive.js';

/**
 * Issue 9, "How it is shown": a loopback city of 17 systems with distinct behaviours, driven through 41
 * days (2026-10-22 … 2026-12-01) by an injected clock — the 02:00 sweep and the classification after
 * it every day, IPv6 and sitemaps on three days, usage feeds pushed daily through the API — then the
 * verdicts, the findings and the November report checked against the table below, whose every line
 * says why, from shared/policy.md ("policy") and the issue.
 */

const FIRST: Day = '2026-10-22';
const LAST: Day = '2026-12-01';
const DAYS = diffDays(LAST, FIRST) + 1;
/** Reset days of the flaky host over the run. */
const RESET_DAYS = Array.from({ length: DAYS }, (_, i) => i).filter(flakyDay).length;
const MONTH = '2026-11';
const MONTH_END: Day = '2026-11-30';
/** IPv6 and sitemap sweeps: twice in a row (a grade changes only on two sweeps that agree), a week apart. */
const WEEKLY_DAYS: Day[] = ['2026-11-21', '2026-11-28'];
/** The hang lane's timeout: a target that never answers times out at any timeout, so a short one is exact. */
const HANG_TIMEOUT_MS = 250;
/** Every other target answers at once on loopback: a timeout this long is never reached, however loaded the machine. */
const ANSWERING_TIMEOUT_MS = 10_000;

type Flag = 'not_on_gov_cloud' | 'ipv6_not_ready' | 'mlps_missing' | 'probe_blocked';

interface Row {
  code: string;
  name: string;
  department: string;
  endpoint: { url: (f: CityFleet) => string; role: 'portal' | 'app' };
  network: Network;
  userScope: UserScope;
  deployment: Deployment;
  cloudRequired: boolean;
  mlpsLevel: number | null;
  registeredUsers?: number;
  /** What the system's usage feed pushes each day; absent: the system has no usage feed. */
  usage?: Partial<Record<UsageMetric, number>>;
  lane: 'answering' | 'hang';
  expect: {
    /** Latest liveness outcome, with the HTTP status or TLS reason where one is part of it. */
    outcome: string;
    httpStatus?: number;
    tlsReason?: string;
    /** Outcomes of every liveness probe of the run, when more than one outcome is expected. */
    outcomes?: Record<string, number>;
    /** Latest IPv6 grade of the system's endpoint; null: not measured (not internet-facing). */
    ipv6: Ipv6Grade | 'unmeasured' | null;
    status: Status;
    /** The verdict's reason codes, all of them. */
    reasons: ReasonCode[];
    /** `since` of the reasons where it is the point. */
    since?: Partial<Record<ReasonCode, Day>>;
    flags: Flag[];
  };
  /** One line each: why, from policy.md and the issue. */
  why: { outcome: string; ipv6: string; verdict: string };
  /** Where the expected verdict follows the contract but an auditor reading policy.md may disagree: for the lead. */
  dispute?: string;
}

const TABLE: Row[] = [
  {
    code: 'LY-PORTAL', name: '临沂市人民政府门户网站', department: '371300', endpoint: { url: (f) => f.url(CITY.dual), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 3,
    usage: { visits: 3000, active_users: 800 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: 'ready', status: 'active', reasons: [], flags: [] },
    why: {
      outcome: 'answers 200 every day over IPv4 and IPv6',
      ipv6: 'policy "IPv6 ready": AAAA, same homepage over IPv6, every link loads over IPv6',
      verdict: 'policy: no zombie or semi-zombie condition holds (daily new item, 800 active users a day)',
    },
  },
  {
    code: 'LS-PORTAL', name: '兰山区人民政府门户网站', department: '371302', endpoint: { url: (f) => f.url(CITY.v4), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'self_hosted', cloudRequired: true, mlpsLevel: 2,
    usage: { visits: 500, active_users: 120 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: 'no_ipv6', status: 'active', reasons: [], flags: ['not_on_gov_cloud', 'ipv6_not_ready'] },
    why: {
      outcome: 'answers 200 every day over IPv4',
      ipv6: 'policy "IPv6 ready" starts with an AAAA record: it has none',
      verdict: 'policy: alive and used, so active; flags apart from status: cloudRequired but self-hosted (上云), not IPv6 ready',
    },
  },
  {
    code: 'LL-JTJ-SITE', name: '兰陵县教育和体育局网站', department: '371324-JTJ', endpoint: { url: (f) => f.url(CITY.error500), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 2, lane: 'answering',
    expect: { outcome: 'http_error', httpStatus: 500, ipv6: 'no_ipv6', status: 'active', reasons: [], flags: ['ipv6_not_ready'] },
    why: {
      outcome: 'the server answers, with HTTP 500, every day',
      ipv6: 'no AAAA record',
      verdict: 'issue item 2 and the contract: http_error is an answer, and availability counts answered probes, so no probe rule holds; public, no usage feed: nothing else to judge',
    },
    dispute:
      'policy cites the national indicators, which count a page that does not open as unreachable: a site serving only HTTP 500 for 41 days reads as semi_zombie availability_low to an auditor; the contract makes it active',
  },
  {
    code: 'LS-GRID', name: '兰山区网格化社会治理系统', department: '371302', endpoint: { url: (f) => f.addressUrl('/hang'), role: 'app' },
    network: 'egov_extranet', userScope: 'internal', deployment: 'self_hosted', cloudRequired: false, mlpsLevel: 2, lane: 'hang',
    expect: { outcome: 'timeout', ipv6: null, status: 'zombie', reasons: ['unreachable'], since: { unreachable: FIRST }, flags: [] },
    why: {
      outcome: 'accepts the connection and never answers: a timeout at any timeout',
      ipv6: 'extranet system: the IPv6 rate is about internet-facing systems',
      verdict: 'policy zombie: all endpoints unreachable for 30+ consecutive days (41, since the first sweep); no usage evidence to say otherwise',
    },
    // Semi-zombie (availability_low) from day 7, zombie from day 30: the finding opened on day 7 must follow.
  },
  {
    code: 'LL-PORTAL-OLD', name: '兰陵县人民政府门户网站（旧版）', department: '371324', endpoint: { url: (f) => f.url(CITY.frozen), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'self_hosted', cloudRequired: true, mlpsLevel: 2,
    usage: { visits: 20 }, lane: 'answering',
    expect: {
      outcome: 'ok', httpStatus: 200, ipv6: 'no_ipv6', status: 'semi_zombie', reasons: ['stale_content', 'homepage_not_updated'],
      since: { stale_content: '2025-03-01', homepage_not_updated: '2025-03-01' }, flags: ['not_on_gov_cloud', 'ipv6_not_ready'],
    },
    why: {
      outcome: 'answers 200 with the same page every day',
      ipv6: 'no AAAA record',
      verdict: 'policy semi_zombie: content unchanged 90+ days and homepage unchanged 2+ weeks; issue item 4: since Last-Modified 2025-03-01, the latest proof of change (sitemap 2025-02-20 is older)',
    },
  },
  {
    code: 'MZJ-SITE', name: '临沂市民政局网站', department: '371300-MZJ', endpoint: { url: (f) => f.url(CITY.expired), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'hosted', cloudRequired: false, mlpsLevel: 2, lane: 'answering',
    expect: { outcome: 'tls_error', tlsReason: 'expired', ipv6: 'no_ipv6', status: 'semi_zombie', reasons: ['cert_expired'], since: { cert_expired: '2021-01-02' }, flags: ['ipv6_not_ready'] },
    why: {
      outcome: 'the TLS handshake completes with a certificate that expired on 2021-01-01',
      ipv6: 'no AAAA record',
      verdict: 'policy semi_zombie: expired certificate; issue item 2: tls_error means the server answered, so never unreachable',
    },
  },
  {
    code: 'LS-ZWFW', name: '兰山区政务服务网', department: '371302', endpoint: { url: (f) => f.url(CITY.loop), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 2, lane: 'answering',
    expect: { outcome: 'redirect_loop', ipv6: 'no_ipv6', status: 'zombie', reasons: ['unreachable'], since: { unreachable: FIRST }, flags: ['ipv6_not_ready'] },
    why: {
      outcome: '/ → /loop/a → /loop/b → /loop/a',
      ipv6: 'no AAAA record',
      verdict: 'policy zombie: unreachable 30+ days — no page is ever served, and redirect_loop is not one of the contract\'s "answered" outcomes',
    },
    dispute: 'its server answers every request (with 301/302): by item 2\'s own principle it is reachable, and a decommission check would call it gone while it still runs',
  },
  {
    code: 'DSJ-YWTB', name: '临沂市一网通办平台', department: '371300-DSJ', endpoint: { url: (f) => f.url(CITY.waf), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 3,
    usage: { visits: 6000, active_users: 1000 }, lane: 'answering',
    expect: { outcome: 'challenged', httpStatus: 503, ipv6: 'unmeasured', status: 'active', reasons: [], flags: ['probe_blocked'] },
    why: {
      outcome: 'policy: a WAF challenge (HTTP 503 with a challenge script, 加速乐) is not a dead site; contract outcome `challenged`',
      ipv6: 'contract: IPv6 grade `unmeasured` where a challenge kept us from measuring',
      verdict: 'policy "never zombie for unreachability": challenged and 1,000 users a day; flag probe_blocked (allow-list the prober)',
    },
    // Until a challenged target is `unmeasured`, its grade is not_ready and it carries ipv6_not_ready too.
  },
  {
    code: 'LL-XZXX', name: '兰陵县乡镇信息公开平台', department: '371324', endpoint: { url: (f) => f.url(CITY.empty), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'other', cloudRequired: false, mlpsLevel: null,
    usage: { visits: 50 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: 'no_ipv6', status: 'semi_zombie', reasons: ['homepage_not_updated'], since: { homepage_not_updated: FIRST }, flags: ['ipv6_not_ready', 'mlps_missing'] },
    why: {
      outcome: 'HTTP 200 with an empty body: the server answers',
      ipv6: 'no AAAA record',
      verdict: 'policy semi_zombie: portal homepage unchanged 2+ weeks (an empty page since the first sweep); 等保 level missing is a flag',
    },
  },
  {
    code: 'LS-ZWGK', name: '兰山区政务公开网', department: '371302', endpoint: { url: (f) => f.url(CITY.moved301), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 2,
    usage: { visits: 300 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: 'no_ipv6', status: 'active', reasons: [], flags: ['ipv6_not_ready'] },
    why: {
      outcome: 'a 301 to another host, whose page answers 200: the probe follows it',
      ipv6: 'no AAAA record for the name the inventory gives',
      verdict: 'policy: reachable, updated daily, used — active',
    },
  },
  {
    code: 'LL-YQFK', name: '兰陵县疫情防控信息平台', department: '371324', endpoint: { url: (f) => f.url(CITY.gone), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'self_hosted', cloudRequired: true, mlpsLevel: 2, lane: 'answering',
    expect: {
      outcome: 'dns_nxdomain', ipv6: 'no_ipv6', status: 'zombie', reasons: ['dns_gone', 'unreachable'], since: { dns_gone: FIRST, unreachable: FIRST },
      flags: ['not_on_gov_cloud', 'ipv6_not_ready'],
    },
    why: {
      outcome: 'the name is not in the zone: NXDOMAIN',
      ipv6: 'no AAAA record (no record at all)',
      verdict: 'policy zombie: DNS gone (NXDOMAIN) 7+ days, and all endpoints unreachable 30+ days',
    },
    // dns_gone from day 7, unreachable added on day 30: the open finding must carry both.
  },
  {
    code: 'MZJ-SHJZ', name: '临沂市社会救助业务系统', department: '371300-MZJ', endpoint: { url: (f) => f.addressUrl('/extranet/'), role: 'app' },
    network: 'egov_extranet', userScope: 'internal', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 3, registeredUsers: 2000,
    usage: { visits: 400, active_users: 3 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: null, status: 'semi_zombie', reasons: ['low_usage'], flags: [] },
    why: {
      outcome: 'an extranet app reached by IP address, answering 200',
      ipv6: 'extranet system: not counted in the internet IPv6 rate',
      verdict: 'policy semi_zombie: monthly active users under 5% of 2,000 registered (3 a day; 90 even if every day were other people); issue item 3: judged on active users, not on 400 visits a day',
    },
  },
  {
    code: 'DSJ-OA', name: '临沂市大数据局协同办公系统', department: '371300-DSJ', endpoint: { url: (f) => f.url(CITY.office), role: 'app' },
    network: 'private', userScope: 'internal', deployment: 'self_hosted', cloudRequired: false, mlpsLevel: 2, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: null, status: 'insufficient_evidence', reasons: [], flags: [] },
    why: {
      outcome: 'answers 200',
      ipv6: 'private network: not measured',
      verdict: 'policy insufficient_evidence: no usage source and a non-public system',
    },
  },
  {
    code: 'LS-JYJ', name: '兰山区教育和体育局网站', department: '371302', endpoint: { url: (f) => f.url(CITY.flaky), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 2, lane: 'answering',
    expect: {
      outcome: 'ok', httpStatus: 200, outcomes: { ok: 31, connection_reset: 10 }, ipv6: 'no_ipv6', status: 'semi_zombie', reasons: ['availability_low'], flags: ['ipv6_not_ready'],
    },
    why: {
      outcome: 'resets every connection one day in four (10 of 41 days), answers 200 on the others',
      ipv6: 'no AAAA record',
      verdict: 'policy semi_zombie: monthly availability under 95% (about 75%); not a zombie, it answers most days',
    },
  },
  {
    code: 'DSJ-ASD', name: '爱山东临沂分厅', department: '371300-DSJ', endpoint: { url: (f) => f.url(CITY.app6), role: 'app' },
    network: 'internet', userScope: 'public', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 3,
    usage: { active_users: 500 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: 'ready', status: 'active', reasons: [], flags: [] },
    why: {
      outcome: 'answers 200 over both families',
      ipv6: 'policy "IPv6 ready" (an app endpoint: issue item 8, it represents the system when there is no portal)',
      verdict: 'policy: alive, 500 active users a day — active',
    },
  },
  {
    code: 'LS-JYPT', name: '兰山区智慧教育平台', department: '371302', endpoint: { url: (f) => f.url(CITY.brokenV6), role: 'portal' },
    network: 'internet', userScope: 'public', deployment: 'hosted', cloudRequired: true, mlpsLevel: 2,
    usage: { visits: 800 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: 'not_ready', status: 'active', reasons: [], flags: ['not_on_gov_cloud', 'ipv6_not_ready'] },
    why: {
      outcome: 'answers 200 (the liveness probe prefers IPv4)',
      ipv6: 'policy "IPv6 ready" needs the homepage over IPv6: it has AAAA, but the IPv6 front end resets',
      verdict: 'policy: alive and used — active; not IPv6 ready and not on the cloud are flags',
    },
  },
  {
    code: 'LL-BDC', name: '兰陵县不动产登记业务系统', department: '371324', endpoint: { url: (f) => f.url(CITY.biz), role: 'app' },
    network: 'egov_extranet', userScope: 'internal', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 3, registeredUsers: 300,
    usage: { visits: 900, active_users: 40 }, lane: 'answering',
    expect: { outcome: 'ok', httpStatus: 200, ipv6: null, status: 'active', reasons: [], flags: [] },
    why: {
      outcome: 'answers 200',
      ipv6: 'extranet system: not measured',
      verdict: 'policy: 40 active users a day of 300 registered is above 5% — active',
    },
  },
];

const DEPARTMENTS = [
  { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' },
  { code: '371300-DSJ', name: '临沂市大数据局', shortName: '市大数据局', level: 'city', kind: 'department', parentCode: '371300' },
  { code: '371300-MZJ', name: '临沂市民政局', shortName: '市民政局', level: 'city', kind: 'department', parentCode: '371300' },
  { code: '371302', name: '兰山区人民政府', shortName: '兰山区', level: 'county', kind: 'government', parentCode: '371300' },
  { code: '371324', name: '兰陵县人民政府', shortName: '兰陵县', level: 'county', kind: 'government', parentCode: '371300' },
  { code: '371324-JTJ', name: '兰陵县教育和体育局', shortName: '县教体局', level: 'county', kind: 'department', parentCode: '371324' },
];


describe.each(backends)(`a loopback city over ${DAYS} days on %s`, (backend) => {
  let fleet: CityFleet;
  let t: TestApp;
  let stats: DriveStats;
  const clock = simClock(at(FIRST, '00:00'));

  beforeAll(async () => {
    fleet = await startCityFleet();
    t = await startTestApp(backend, { now: () => clock.now() });
    for (const body of DEPARTMENTS) {
      const res = await t.call('POST', '/api/v1/departments', { body });
      if (res.status !== 201) throw new Error(`department ${body.code}: ${res.status} ${await res.text()}`);
    }
    for (const r of TABLE) {
      const body = {
        code: r.code, name: r.name, departmentCode: r.department, lifecycle: 'live', network: r.network, userScope: r.userScope,
        deployment: r.deployment, cloudRequired: r.cloudRequired, mlpsLevel: r.mlpsLevel, registeredUsers: r.registeredUsers ?? null,
        operatorUnit: '临沂市大数据中心', contact: { name: '张工', phone: '0539-8000000' },
        endpoints: [{ url: r.endpoint.url(fleet), role: r.endpoint.role }],
      };
      const res = await t.call('POST', '/api/v1/systems', { body });
      if (res.status !== 201) throw new Error(`system ${r.code}: ${res.status} ${await res.text()}`);
    }
    // The inventory was entered before the first sweep (the database stamps rows with the real time).
    await t.database.db.execute(sql`update systems set created_at = ${at(FIRST, '00:00').toISOString()}::timestamptz`);

    const hang = TABLE.filter((r) => r.lane === 'hang').map((r) => r.code);
    stats = await driveCity({
      t,
      fleet,
      clock,
      first: FIRST,
      last: LAST,
      lanes: [
        { systems: TABLE.filter((r) => r.lane === 'answering').map((r) => r.code), timeoutMs: ANSWERING_TIMEOUT_MS },
        { systems: hang, timeoutMs: HANG_TIMEOUT_MS, waiting: () => fleet.nextHang() },
      ],
      weekly: { days: WEEKLY_DAYS, systems: TABLE.filter((r) => r.network === 'internet').map((r) => r.code), kinds: ['ipv6', 'freshness'] },
      usage: Object.fromEntries(TABLE.filter((r) => r.usage).map((r) => [r.code, () => r.usage!])),
    });
  }, 300_000);

  afterAll(async () => {
    await t?.close();
    await fleet?.close();
  });

  it('ran every day: a sweep per lane, the classification after it and each feed’s push', () => {
    if (process.env.SCENARIO_DEBUG) console.log('scenario phases (ms):', JSON.stringify(stats.ms), 'cpu', JSON.stringify(stats.cpuMs));
    expect(RESET_DAYS).toBe(10);
    expect({ ...stats, ms: undefined, cpuMs: undefined }).toEqual({ ms: undefined, cpuMs: undefined, days: DAYS, sweeps: DAYS * 2 + WEEKLY_DAYS.length, classifications: DAYS, usagePosts: DAYS * TABLE.filter((r) => r.usage).length });
  });

  describe.each(TABLE)('$code ($name)', (row) => {
    it(`probe outcome: ${row.expect.outcome} — ${row.why.outcome}`, async () => {
      const res = await t.call('GET', `/api/v1/systems/${row.code}/probes?kind=liveness&limit=1000`);
      expect(res.status).toBe(200);
      const { items } = (await res.json()) as { items: Array<{ at: string; outcome: string; httpStatus: number | null; detail: Record<string, unknown> }> };
      expect(items).toHaveLength(DAYS);
      const latest = items[0]!;
      expect(latest.at).toBe(at(LAST, '02:00').toISOString());
      expect(latest.outcome).toBe(row.expect.outcome);
      if (row.expect.httpStatus !== undefined) expect(latest.httpStatus).toBe(row.expect.httpStatus);
      if (row.expect.tlsReason !== undefined) expect(latest.detail.tlsReason).toBe(row.expect.tlsReason);
      const outcomes: Record<string, number> = {};
      for (const i of items) outcomes[i.outcome] = (outcomes[i.outcome] ?? 0) + 1;
      expect(outcomes).toEqual(row.expect.outcomes ?? { [row.expect.outcome]: DAYS });
    });

    it(`IPv6 grade: ${row.expect.ipv6 ?? 'not measured'} — ${row.why.ipv6}`, async () => {
      const res = await t.call('GET', `/api/v1/systems/${row.code}/probes?kind=ipv6&limit=10`);
      const { items } = (await res.json()) as { items: Array<{ at: string; detail: { grade?: string } }> };
      if (row.expect.ipv6 === null) {
        expect(items).toEqual([]);
        return;
      }
      expect(items.map((i) => i.at)).toEqual([...WEEKLY_DAYS].reverse().map((d) => at(d, '03:00').toISOString()));
      // Every measurement, not only the latest: a grade that flaps between sweeps is a wrong grade.
      expect(items.map((i) => i.detail.grade)).toEqual(WEEKLY_DAYS.map(() => row.expect.ipv6));
    });

    it(
      `verdict: ${row.expect.status} ${JSON.stringify(row.expect.reasons)} — ${row.why.verdict}${row.dispute ? ` (disputed: ${row.dispute})` : ''}`,
      async () => {
        const res = await t.call('GET', `/api/v1/systems/${row.code}`);
        const sys = (await res.json()) as { status: string; statusReasons: Array<{ code: string; since?: string | null }> };
        expect({ status: sys.status, reasons: sys.statusReasons.map((r) => r.code).sort() }).toEqual({ status: row.expect.status, reasons: [...row.expect.reasons].sort() });
        for (const [code, since] of Object.entries(row.expect.since ?? {})) {
          expect(sys.statusReasons.find((r) => r.code === code)?.since, `${code} since`).toBe(since);
        }
      },
    );

    it(`compliance flags: ${JSON.stringify(row.expect.flags)}`, async () => {
      expect((await latestFlags(t, row.code)).sort()).toEqual([...row.expect.flags].sort());
    });

    const problem = row.expect.status === 'zombie' || row.expect.status === 'semi_zombie';
    it(
      `finding: ${problem ? `one open case, ${row.expect.status} ${JSON.stringify(row.expect.reasons)}` : 'none'}`,
      async () => {
        const res = await t.call('GET', `/api/v1/findings?system=${row.code}&limit=100`);
        expect(res.status).toBe(200);
        const { items } = (await res.json()) as { items: Array<{ status: string; verdict: string; departmentCode: string; reasons: Array<{ code: string }> }> };
        const open = items.filter((f) => f.status !== 'closed');
        if (!problem) {
          expect(open).toEqual([]);
          return;
        }
        // A finding follows its system: one case, in the system's current verdict and reasons.
        expect(open.map((f) => ({ verdict: f.verdict, department: f.departmentCode, reasons: f.reasons.map((r) => r.code).sort() }))).toEqual([
          { verdict: row.expect.status, department: row.department, reasons: [...row.expect.reasons].sort() },
        ]);
      },
    );
  });

  describe(`the ${MONTH} monthly report`, () => {
    const expected = expectedFigures(TABLE);
    let report: {
      meta: { asOf: string };
      overview: {
        cloud: { numerator: number; denominator: number; rate: number | null };
        ipv6: { numerator: number; denominator: number; rate: number | null; measured: number };
        statusCounts: Record<Status, { now: number }>;
      };
      problems: {
        zombies: Array<{ code: string }>;
        semiZombies: Array<{ code: string; reasons: Array<{ code: string; message: { params: Record<string, unknown> } | null }> }>;
      };
    };

    beforeAll(async () => {
      clock.set(at(LAST, '10:00'));
      const res = await t.call('GET', `/api/v1/reports/monthly?month=${MONTH}&format=json`);
      expect(res.status, await res.clone().text()).toBe(200);
      report = ((await res.json()) as { report: typeof report }).report;
      expect(report.meta.asOf).toBe(MONTH_END);
    });

    it(`上云率 is ${expected.cloud.numerator}/${expected.cloud.denominator}: systems on the government cloud ÷ systems that should be (policy, the monthly report)`, () => {
      expect(report.overview.cloud).toMatchObject({ ...expected.cloud, rate: Math.round((expected.cloud.numerator / expected.cloud.denominator) * 10000) / 10000 });
    });

    it(
      `IPv6 支持率 is ${expected.ipv6.numerator}/${expected.ipv6.denominator}: internet-facing systems graded ready by their representative endpoint (portal, else app), ${expected.ipv6.measured} measured`,
      () => {
        expect(report.overview.ipv6).toMatchObject({ numerator: expected.ipv6.numerator, denominator: expected.ipv6.denominator, measured: expected.ipv6.measured });
        expect(report.overview.ipv6.rate).toBeCloseTo(expected.ipv6.numerator / expected.ipv6.denominator, 4);
      },
    );

    it(
      `counts by status ${JSON.stringify(expected.counts)} and the systems it names, from the table's verdicts`,
      () => {
        const counts = Object.fromEntries(Object.entries(report.overview.statusCounts).map(([k, v]) => [k, v.now]));
        expect(counts).toEqual(expected.counts);
        expect(report.problems.zombies.map((z) => z.code).sort()).toEqual(expected.zombies);
        expect(report.problems.semiZombies.map((z) => z.code).sort()).toEqual(expected.semiZombies);
      },
    );

    // The flaky site's availability over the 30 days ending on the month's last day, and how long two
    // homepages had not changed by then, counted from the fleet's calendar.
    const window = Array.from({ length: 30 }, (_, i) => diffDays(MONTH_END, FIRST) - i);
    const flakyAvailability = percent(window.filter((i) => !flakyDay(i)).length / window.length);
    const frozenDays = diffDays(MONTH_END, '2025-03-01');
    const emptyDays = diffDays(MONTH_END, FIRST);
    it(
      `主要问题 figures are the month end's: LS-JYJ availability ${flakyAvailability}, LL-PORTAL-OLD homepage ${frozenDays} days, LL-XZXX homepage ${emptyDays} days`,
      () => {
        const params = (code: string, reason: string) => report.problems.semiZombies.find((z) => z.code === code)?.reasons.find((r) => r.code === reason)?.message?.params;
        expect({
          flaky: params('LS-JYJ', 'availability_low')?.availability,
          frozen: params('LL-PORTAL-OLD', 'homepage_not_updated')?.days,
          empty: params('LL-XZXX', 'homepage_not_updated')?.days,
        }).toEqual({ flaky: flakyAvailability, frozen: frozenDays, empty: emptyDays });
      },
    );
  });
});

/** `87.3%`: a ratio as the reports print it, written out here so the check does not use the report's code. */
function percent(ratio: number): string {
  return `${(Math.round(ratio * 1000) / 10).toFixed(1)}%`;
}

/** Figures the report must show, computed here from the table alone (never from the report code). */
function expectedFigures(rows: Row[]) {
  const cloudRequired = rows.filter((r) => r.cloudRequired);
  const internet = rows.filter((r) => r.network === 'internet');
  const counts: Record<Status, number> = { active: 0, semi_zombie: 0, zombie: 0, insufficient_evidence: 0, exempt: 0 };
  for (const r of rows) counts[r.expect.status]++;
  return {
    cloud: { numerator: cloudRequired.filter((r) => r.deployment === 'gov_cloud').length, denominator: cloudRequired.length },
    ipv6: {
      numerator: internet.filter((r) => r.expect.ipv6 === 'ready').length,
      denominator: internet.length,
      measured: internet.filter((r) => r.expect.ipv6 !== null && r.expect.ipv6 !== 'unmeasured').length,
    },
    counts,
    zombies: rows.filter((r) => r.expect.status === 'zombie').map((r) => r.code).sort(),
    semiZombies: rows.filter((r) => r.expect.status === 'semi_zombie').map((r) => r.code).sort(),
  };
}

/** Flags of the system's latest classification (status_history keeps them; the monthly report reads them there). */
async function latestFlags(t: TestApp, code: string): Promise<string[]> {
  const res = await t.database.db.execute(sql`
    select h.flags from status_history h join systems s on s.id = h.system_id
    where s.code = ${code} order by h.as_of desc, h.id desc limit 1`);
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<{ flags: string[] }>;
  return rows[0]?.flags ?? [];
}

