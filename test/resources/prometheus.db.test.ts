import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../reports/classify.js';
import { addDays } from '../../reports/dates.js';
import { buildMonthlyReport, renderReport } from '../../reports/monthly/index.js';
import { defaultPolicy } from '../../reports/policy.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { cliPrincipal } from '../../src/cli/command.js';
import { pullUtilisation, type PullSettings } from '../../src/resources/prometheus.js';
import { importLedger } from '../../src/resources/ledger.js';
import { loadSystemEvidence } from '../../src/verdicts/evidence.js';
import { loadMonthlyInput } from '../../src/verdicts/monthly.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { openMetrics, startPrometheus, STEP, TZ, type ResourceProfile, type RunningPrometheus } from './prom-fixture.js';
import { freePort } from '../support/ports.js';

// 45 days of node_exporter-style series in a real Prometheus (backfilled with promtool), pulled through the
// policy-checked connector, judged by resources_idle and summed in the monthly report's 云资源利用率; every
// expected figure is computed here from the profiles.

const FIRST = '2026-09-01';
const DAYS = 45;
const LAST = addDays(FIRST, DAYS - 1); // 2026-10-15
const MiB = 1024 * 1024;

const PROFILES: Array<ResourceProfile & { system: string | null; vcpu: number; storageGb: number; cost: number }> = [
  { id: 'R-BUSY', system: 'SYS-BUSY', vcpu: 8, storageGb: 200, cost: 800, cpu: (i) => 35 + (i % 5), net: () => 800e6, memPct: 60, memGb: 16 },
  { id: 'R-IDLE', system: 'SYS-IDLE', vcpu: 4, storageGb: 100, cost: 400, cpu: (i) => 1 + (i % 3), net: () => 2 * MiB, memPct: 12, memGb: 8 },
  // Busy one day in three: idle on about 20 of 30 days, so not idle.
  { id: 'R-INTER', system: 'SYS-INTER', vcpu: 2, storageGb: 50, cost: 200, cpu: (i) => (i % 3 === 0 ? 30 : 2), net: (i) => (i % 3 === 0 ? 300e6 : 1e6), memPct: 30, memGb: 4 },
  // Idle whenever measured, but every fifth day has no samples: missing days are never idle.
  { id: 'R-GAPS', system: 'SYS-GAPS', vcpu: 2, storageGb: 40, cost: 150, cpu: (i) => (i % 5 === 2 ? null : 1), net: () => 1 * MiB, memPct: 10, memGb: 4 },
  { id: 'R-ORPHAN', system: null, vcpu: 16, storageGb: 500, cost: 1600, cpu: () => 0.5, net: () => 0.5 * MiB, memPct: 5, memGb: 32 },
];

const dayIndex = (d: string) => Math.round((Date.parse(d) - Date.parse(FIRST)) / 86_400_000);
const idleDay = (p: (typeof PROFILES)[number], i: number) => {
  const c = p.cpu(i);
  return c !== null && c <= 5 && p.net(i) <= 5 * MiB;
};
const idleInWindow = (p: (typeof PROFILES)[number], asOf: string) => {
  let n = 0;
  for (let k = 0; k < 30; k++) if (idleDay(p, dayIndex(asOf) - k)) n++;
  return n;
};

const templates = {
  cpu: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",instance="{externalId}"}[30m])))',
  mem: '100 * (1 - sum(node_memory_MemAvailable_bytes{instance="{externalId}"}) / sum(node_memory_MemTotal_bytes{instance="{externalId}"}))',
  netIn: 'sum(rate(node_network_receive_bytes_total{instance="{externalId}",device!="lo"}[30m]))',
  netOut: 'sum(rate(node_network_transmit_bytes_total{instance="{externalId}",device!="lo"}[30m]))',
};
const settingsFor = (baseUrl: string, timeoutMs = 30_000): PullSettings => ({
  baseUrl,
  templates,
  stepSeconds: STEP,
  timeoutMs,
  minCoverage: 0.9,
  timeZone: TZ,
  policy: createTargetPolicy({}),
  concurrency: 2,
});
const allDays = Array.from({ length: DAYS }, (_, i) => addDays(FIRST, i));

describe('resources: Prometheus pull, resources_idle and the 云资源利用率 report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-res-prom-'));
  let prom: RunningPrometheus;
  let t: TestApp;
  const now = new Date('2026-10-16T03:00:00Z');

  beforeAll(async () => {
    [prom, t] = await Promise.all([startPrometheus(dir, openMetrics(PROFILES, FIRST, DAYS)), startTestApp('pglite', { now: () => now })]);
    for (const body of [
      { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' },
      { code: '371302', name: '兰山区人民政府', shortName: '兰山区', level: 'county', kind: 'government', parentCode: '371300' },
      { code: '371311', name: '罗庄区人民政府', shortName: '罗庄区', level: 'county', kind: 'government', parentCode: '371300' },
    ]) expect((await t.call('POST', '/api/v1/departments', { body })).status).toBe(201);
    for (const [code, dept] of [['SYS-BUSY', '371302'], ['SYS-IDLE', '371302'], ['SYS-INTER', '371311'], ['SYS-GAPS', '371311']]) {
      expect((await t.call('POST', '/api/v1/systems', { body: { code, name: `${code} 系统`, departmentCode: dept, deployment: 'gov_cloud' } })).status).toBe(201);
    }
    const csv =
      '资源ID,资源类型,资源名称,系统编码,vCPU,内存(GB),存储(GB),月费用(元),开通日期\n' +
      PROFILES.map((p) => [p.id, '云主机', `${p.id} 主机`, p.system ?? '', p.vcpu, p.memGb, p.storageGb, p.cost, '2026-08-01'].join(',')).join('\n') +
      '\n';
    const summary = await importLedger(t.database.db, { principal: cliPrincipal() }, { bytes: Buffer.from(csv), fileName: 'ledger.csv', now });
    expect(summary).toMatchObject({ created: 5, orphans: 1, errorCount: 0 });
  }, 900_000);

  afterAll(async () => {
    await prom?.stop();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls every day: the figures are the ones written, missing days are missing evidence with a reason', async () => {
    const s = await pullUtilisation(t.database.db, cliPrincipal(), settingsFor(prom.url), { days: allDays, now });
    const gaps = allDays.filter((_, i) => PROFILES[3]!.cpu(i) === null).length;
    expect(s).toMatchObject({ stored: DAYS * 5 - gaps, missing: gaps, reasons: { no_data: gaps } });
    const busy = await (await t.call('GET', '/api/v1/resources/R-BUSY/utilisation')).json();
    expect(busy.items).toHaveLength(DAYS);
    for (const d of busy.items) {
      const i = dayIndex(d.date);
      expect(d.cpuAvg).toBeCloseTo(PROFILES[0]!.cpu(i)!, 1);
      expect(d.cpuP95).toBeCloseTo(PROFILES[0]!.cpu(i)!, 1);
      expect(d.memPct).toBeCloseTo(60, 1);
      expect(Math.abs(d.netInBytes + d.netOutBytes - 800e6)).toBeLessThan(1000);
      expect(d.source).toBe('prometheus');
    }
    const gapsDays = (await (await t.call('GET', '/api/v1/resources/R-GAPS/utilisation')).json()).items;
    const missing = gapsDays.filter((d: { missingReason: string | null }) => d.missingReason);
    expect(missing.map((d: { date: string }) => d.date)).toEqual(allDays.filter((_, i) => i % 5 === 2));
    for (const d of missing) {
      expect(d.missingReason).toMatch(/^no_data: /);
      expect(d.cpuP95).toBeNull();
    }
  }, 600_000);

  it('judges resources_idle from the pulled days as the test counts them', async () => {
    const loaded = await loadSystemEvidence(t.database.db, { asOf: LAST, policy: defaultPolicy, timeZone: TZ });
    const verdicts = new Map(loaded.map((l) => [l.evidence.system.code, classify(l.evidence, defaultPolicy, LAST)]));
    const reasonOf = (code: string) => verdicts.get(code)!.reasons.find((r) => r.code === 'resources_idle');
    for (const p of PROFILES.filter((x) => x.system)) {
      const expectedIdle = idleInWindow(p, LAST) >= 26;
      const r = reasonOf(p.system!);
      expect(Boolean(r), `${p.id}: ${idleInWindow(p, LAST)} idle days`).toBe(expectedIdle);
      if (r) {
        // 45 days of evidence cannot make 90 idle days: semi-zombie, not zombie.
        expect(r.severity).toBe('semi_zombie');
        expect((r.evidence.resources as Array<{ idleDays: number }>)[0]!.idleDays).toBe(idleInWindow(p, LAST));
        expect(r.message.key).toBe('reason.resources_idle');
      }
    }
    expect(reasonOf('SYS-IDLE')).toBeDefined();
    expect(reasonOf('SYS-GAPS')).toBeUndefined();
    expect(verdicts.get('SYS-IDLE')!.wouldBe).toBe('semi_zombie');
  });

  it('puts the same figures in the report model and in every format', async () => {
    const input = await loadMonthlyInput(t.database.db, '2026-10', LAST, FIRST, true, { now, timeZone: TZ });
    const report = buildMonthlyReport(input);
    const r = report.resources!;
    // Expected: October 1–15, the mean CPU % of the measured days of each resource.
    const october = allDays.map((d, i) => [d, i] as const).filter(([d]) => d >= '2026-10-01');
    let used = 0;
    let measured = 0;
    let usedMem = 0;
    for (const p of PROFILES) {
      const cpus = october.map(([, i]) => p.cpu(i)).filter((c): c is number => c !== null);
      measured += p.vcpu;
      used += (p.vcpu * (cpus.reduce((s, c) => s + c, 0) / cpus.length)) / 100;
      usedMem += (p.memGb * p.memPct) / 100;
    }
    expect(r.totals.resources).toBe(5);
    expect(r.totals.allocatedVcpu).toBe(32);
    expect(r.totals.usedVcpu).toBeCloseTo(used, 1);
    expect(r.totals.cpuRate!).toBeCloseTo(used / measured, 3);
    expect(r.totals.usedMemoryGb).toBeCloseTo(usedMem, 1);
    const idle = PROFILES.filter((p) => idleInWindow(p, LAST) >= 26);
    expect(idle.map((p) => p.id).sort()).toEqual(['R-IDLE', 'R-ORPHAN']);
    expect(r.reclaimable.total).toEqual({
      count: idle.length,
      vcpu: idle.reduce((s, p) => s + p.vcpu, 0),
      memoryGb: idle.reduce((s, p) => s + p.memGb, 0),
      storageGb: idle.reduce((s, p) => s + p.storageGb, 0),
      monthlyCost: idle.reduce((s, p) => s + p.cost, 0),
    });
    // Ranked by vCPU: the orphan (16) before 兰山区 (4).
    expect(r.reclaimable.departments.map((d) => [d.rank, d.unit?.code ?? null, d.vcpu])).toEqual([[1, null, 16], [2, '371302', 4]]);
    expect(r.orphans.map((o) => o.externalId)).toEqual(['R-ORPHAN']);
    expect(r.departments.map((d) => d.unit.code).sort()).toEqual(['371302', '371311']);
    expect(r.regions.reduce((s, d) => s + d.allocatedVcpu, 0)).toBe(32 - 16);
    expect(r.history).toHaveLength(12);
    expect(r.history.at(-1)!.usedVcpu).toBe(r.totals.usedVcpu);
    expect(r.history.at(-2)!.month).toBe('2026-09');
    expect(r.history.at(-2)!.resources).toBe(5);

    const usedText = String(r.totals.usedVcpu);
    for (const format of ['html', 'md', 'csv', 'json'] as const) {
      for (const lang of ['zh', 'en'] as const) {
        const body = (await renderReport(report, format, lang)).body.toString('utf8');
        expect(body, `${format} ${lang}`).toContain('R-ORPHAN');
        expect(body, `${format} ${lang}`).toContain(usedText);
        expect(body).toContain(lang === 'zh' ? '云资源利用率' : 'Cloud resource utilisation');
      }
    }
    const xlsx = await renderReport(report, 'xlsx', 'zh');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as never);
    const sheet = wb.worksheets.find((w) => w.name === '可回收资源')!;
    const values = sheet.getSheetValues().flat().filter((v) => typeof v === 'number');
    expect(values).toContain(16);
    expect(values).toContain(1600);
  });
});

describe('resources: a Prometheus that is down, slow or answers garbage', () => {
  let t: TestApp;
  let server: Server;
  let mode: 'garbage' | 'vector' | 'hang' | 'error500' = 'garbage';
  let base: string;
  const now = new Date('2026-10-16T03:00:00Z');
  const hung: Array<() => void> = [];

  beforeAll(async () => {
    t = await startTestApp('pglite', { now: () => now });
    expect((await t.call('POST', '/api/v1/departments', { body: { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' } })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/systems', { body: { code: 'SYS-A', name: 'A', departmentCode: '371300' } })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/systems/SYS-A/resources', { body: { kind: 'vm', externalId: 'R-A', vcpu: 2, memoryGb: 4, storageGb: 10 } })).status).toBe(201);
    server = createServer((req, res) => {
      if (mode === 'hang') {
        hung.push(() => res.destroy());
        return;
      }
      if (mode === 'error500') {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(mode === 'garbage' ? '<html>proxy login</html>' : JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }, 120_000);

  afterAll(async () => {
    for (const h of hung) h();
    await new Promise<void>((r) => server?.close(() => r()));
    await t?.close();
  });

  const daysOf = async () => (await (await t.call('GET', '/api/v1/resources/R-A/utilisation')).json()).items as Array<{ date: string; missingReason: string | null; cpuP95: number | null }>;

  it.each([
    ['garbage', '2026-10-01', /^invalid_response: /],
    ['vector', '2026-10-02', /^invalid_response: /],
    ['error500', '2026-10-03', /^http_error: .*503/],
    ['hang', '2026-10-04', /^timeout: /],
  ] as const)('%s: the day is missing evidence with a reason', async (m, day, reason) => {
    mode = m;
    const s = await pullUtilisation(t.database.db, cliPrincipal(), settingsFor(base, 500), { days: [day], now });
    expect(s).toMatchObject({ stored: 0, missing: 1 });
    const row = (await daysOf()).find((d) => d.date === day)!;
    expect(row.missingReason).toMatch(reason);
    expect(row.cpuP95).toBeNull();
  }, 60_000);

  it('down (nothing listening): missing evidence, and a missing day never replaces figures already stored', async () => {
    const port = await freePort();
    const pushed = [{ date: '2026-10-05', cpuAvg: 1, cpuP95: 2, cpuMax: 3, memPct: 10, netInBytes: 100, netOutBytes: 100 }];
    expect((await t.call('POST', '/api/v1/resources/R-A/utilisation', { body: pushed })).status).toBe(200);
    const s = await pullUtilisation(t.database.db, cliPrincipal(), settingsFor(`http://127.0.0.1:${port}`, 2000), { days: ['2026-10-05', '2026-10-06'], now });
    expect(s).toMatchObject({ stored: 0, missing: 2, reasons: { connect_failed: 2 } });
    const days = await daysOf();
    expect(days.find((d) => d.date === '2026-10-05')).toMatchObject({ cpuP95: 2, missingReason: null });
    expect(days.find((d) => d.date === '2026-10-06')!.missingReason).toMatch(/^connect_failed: /);
  }, 60_000);

  it('a Prometheus the target policy refuses: blocked_by_policy, never a request', async () => {
    mode = 'garbage';
    const settings = { ...settingsFor(base, 2000), policy: createTargetPolicy({ deny: '127.0.0.0/8' }) };
    const s = await pullUtilisation(t.database.db, cliPrincipal(), settings, { days: ['2026-10-07'], now });
    expect(s).toMatchObject({ stored: 0, missing: 1, reasons: { blocked_by_policy: 1 } });
  }, 60_000);

  it('a resource whose days are all missing evidence is never idle', async () => {
    mode = 'garbage';
    const days = Array.from({ length: 30 }, (_, i) => addDays('2026-09-07', i));
    await pullUtilisation(t.database.db, cliPrincipal(), settingsFor(base, 500), { days, now });
    const [loaded] = await loadSystemEvidence(t.database.db, { asOf: '2026-10-06', policy: defaultPolicy, timeZone: TZ });
    const c = classify(loaded!.evidence, defaultPolicy, '2026-10-06');
    expect(loaded!.evidence.resources!.resources[0]!.days.filter((d) => d.missing).length).toBeGreaterThanOrEqual(29);
    expect(c.reasons.map((r) => r.code)).not.toContain('resources_idle');
  }, 120_000);
});
