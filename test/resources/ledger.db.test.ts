import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from '../../reports/classify.js';
import { addDays } from '../../reports/dates.js';
import { defaultPolicy } from '../../reports/policy.js';
import { loadSystemEvidence } from '../../src/verdicts/evidence.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { runCli } from '../support/cli.js';

// The 政务云 resource ledger import (all rows or none, row errors), the monitoring export, the push API,
// and the zombie / live-usage ends of resources_idle.

describe('resources: ledger import, monitoring export, push and verdicts', () => {
  let t: TestApp;
  const now = new Date('2026-11-20T03:00:00Z');
  const count = async () => (await (await t.call('GET', '/api/v1/resources?limit=1000')).json()).items.length as number;

  beforeAll(async () => {
    t = await startTestApp('pglite', { now: () => now });
    for (const body of [
      { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' },
      { code: '371302', name: '兰山区人民政府', shortName: '兰山区', level: 'county', kind: 'government', parentCode: '371300' },
      { code: '371311', name: '罗庄区人民政府', shortName: '罗庄区', level: 'county', kind: 'government', parentCode: '371300' },
    ]) expect((await t.call('POST', '/api/v1/departments', { body })).status).toBe(201);
    for (const [code, dept] of [['LS-OA', '371302'], ['LS-GIS', '371302'], ['LZ-WEB', '371311']]) {
      expect((await t.call('POST', '/api/v1/systems', { body: { code, name: `${code}系统`, departmentCode: dept } })).status).toBe(201);
    }
  }, 120_000);
  afterAll(() => t?.close());

  const post = (path: string, csv: string | Buffer, type = 'text/csv') => t.call('POST', path, { rawBody: csv as string, headers: { 'content-type': type } });

  it('refuses a ledger with bad rows, unknown systems and duplicate ids: every row error, nothing written', async () => {
    const { importLedger } = await import('../../src/resources/ledger.js');
    const csv = [
      '序号,资源ID,资源类型,资源名称,系统编码,vCPU,内存(GB),存储(GB),月费用(元),开通日期,释放日期',
      '1,ecs-001,云主机,OA主机,LS-OA,4,8,100,300,2026-01-01,',
      '2,ecs-002,云主机,未知,NO-SUCH,2,4,40,,2026-01-01,',
      '3,ecs-001,数据库,重复,LS-GIS,2,4,40,,,',
      '4,ecs-004,量子计算机,坏类型,LS-GIS,abc,-1,40,,2026-13-40,',
      '5,ecs-005,云硬盘,卷,,0,0,500,50,2026-03-01,2026-02-01',
    ].join('\n');
    const { AppError } = await import('../../src/errors.js');
    const err = await importLedger(t.database.db, { principal: (await import('../../src/cli/command.js')).cliPrincipal() }, { bytes: Buffer.from(csv), fileName: 'ledger.csv', now }).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    const rows = (err as InstanceType<typeof AppError>).errors!.map((e) => `${(e as unknown as { row: number }).row}|${(e as unknown as { column: string }).column}|${e.message}`);
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^3\|系统编码\|unknown\ system\ NO\-SUCH/),
        expect.stringMatching(/^4\|资源ID\|duplicate\ resource\ id\ ecs\-001\ \(also\ in\ row\ 2\)/),
        expect.stringMatching(/^5\|资源类型\|unknown\ kind\ "量子计算机"/),
        expect.stringMatching(/^5\|vCPU\|"abc"\ is\ not\ a\ number/),
        expect.stringMatching(/^5\|内存\(GB\)\|/),
        expect.stringMatching(/^5\|开通日期\|/),
        expect.stringMatching(/^6\|释放日期\|released\ on\ 2026\-02\-01,\ before\ it\ was\ allocated/),
      ]),
    );
    expect(await count()).toBe(0);
  });

  it('imports a good ledger (GB18030 CSV, then .xlsx), orphans included, and lists orphans', async () => {
    const csv = '资源ID,资源类型,资源名称,系统编码,vCPU,内存(GB),存储(GB),月费用(元),开通日期\n' + 'ecs-001,云主机,OA主机,LS-OA,4,8,100,300,2026-01-01\n' + 'rds-001,数据库,GIS库,LS-GIS,2,4,200,500,2026-01-01\n' + 'ecs-900,云主机,无主机,,8,16,100,900,2026-01-01\n';
    const { importLedger } = await import('../../src/resources/ledger.js');
    const { cliPrincipal } = await import('../../src/cli/command.js');
    const s = await importLedger(t.database.db, { principal: cliPrincipal() }, { bytes: iconv.encode(csv, 'gb18030'), fileName: 'ledger.csv', now });
    expect(s).toMatchObject({ created: 3, updated: 0, orphans: 1, errorCount: 0 });
    // The same ledger as .xlsx, one figure changed: one update, two unchanged.
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('资源台账');
    csv.trim().split('\n').forEach((line, n) => ws.addRow(line.split(',').map((v, i) => (n > 0 && i >= 4 && i <= 7 && v !== '' ? Number(v) : v))));
    ws.getCell('E2').value = 8;
    const again = await importLedger(t.database.db, { principal: cliPrincipal() }, { bytes: new Uint8Array(await wb.xlsx.writeBuffer()), fileName: 'ledger.xlsx', now });
    expect(again).toMatchObject({ format: 'xlsx', created: 0, updated: 1, unchanged: 2 });
    const orphans = await (await t.call('GET', '/api/v1/resources?orphans=true')).json();
    expect(orphans.items.map((r: { externalId: string }) => r.externalId)).toEqual(['ecs-900']);
    const oa = await (await t.call('GET', '/api/v1/systems/LS-OA/resources')).json();
    expect(oa.items).toEqual([expect.objectContaining({ externalId: 'ecs-001', kind: 'vm', vcpu: 8, memoryGb: 8, storageGb: 100, systemCode: 'LS-OA', departmentCode: '371302' })]);
    // A department token of 罗庄区 sees none of 兰山区's resources, nor the orphan.
    const luozhuang = await t.token('department', '371311');
    expect((await (await t.call('GET', '/api/v1/resources', { token: luozhuang })).json()).items).toEqual([]);
    expect((await t.call('GET', '/api/v1/resources/ecs-001/utilisation', { token: luozhuang })).status).toBe(403);
  });

  it('the CLI prints row errors, one per line, and writes nothing', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'xuncha-res-cli-'));
    const file = join(dir, 'bad.csv');
    writeFileSync(file, '资源ID,资源类型,系统编码\nx-1,云主机,NOPE\n');
    const r = await runCli(['resources', 'import', file], { DATA_DIR: join(dir, 'data'), SEED_DEMO: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('row 2, 系统编码: unknown system NOPE');
    expect(r.stderr).toMatch(/nothing was imported/);
  }, 180_000);

  it('imports a monitoring export (bad rows refused whole), and the push API replaces the same day', async () => {
    const { importMonitoring } = await import('../../src/resources/monitoring.js');
    const { cliPrincipal } = await import('../../src/cli/command.js');
    const bad = '资源ID,日期,CPU平均利用率,CPU P95,CPU最大利用率,内存利用率,入流量,出流量,备注\n' + 'ecs-001,2026-11-01,2%,4%,9%,30%,100,200,x\n' + 'nope-1,2026-11-01,1,2,3,4,5,6,\n' + 'ecs-001,2026-11-01,1,2,3,4,5,6,\n' + 'ecs-001,2026-11-02,50,40,30,4,5,6,\n';
    const err = await importMonitoring(t.database.db, { principal: cliPrincipal() }, { bytes: Buffer.from(bad), fileName: 'mon.csv', now }).catch((e) => e);
    const msgs = (err.errors as Array<{ row: number; message: string }>).map((e) => `${e.row}: ${e.message}`);
    expect(msgs).toEqual(expect.arrayContaining([expect.stringMatching(/^3: unknown resource nope-1/), expect.stringMatching(/^4: .*also in row 2/), expect.stringMatching(/^5: less than the average or p95/)]));
    expect((await (await t.call('GET', '/api/v1/resources/ecs-001/utilisation')).json()).items).toEqual([]);
    const good = '资源ID,日期,CPU平均利用率,CPU P95,CPU最大利用率,内存利用率,入流量,出流量\necs-001,2026-11-01,2%,4%,9%,30%,100,200\n';
    expect(await importMonitoring(t.database.db, { principal: cliPrincipal() }, { bytes: Buffer.from(good), fileName: 'mon.csv', now })).toMatchObject({ stored: 1 });
    const push = [{ date: '2026-11-01', cpuAvg: 10, cpuP95: 20, cpuMax: 30, memPct: 40, netInBytes: 5, netOutBytes: 6 }];
    expect((await t.call('POST', '/api/v1/resources/ecs-001/utilisation', { body: push })).status).toBe(200);
    expect((await t.call('POST', '/api/v1/resources/ecs-001/utilisation', { body: push })).status).toBe(200);
    const days = (await (await t.call('GET', '/api/v1/resources/ecs-001/utilisation')).json()).items;
    expect(days).toEqual([expect.objectContaining({ date: '2026-11-01', cpuP95: 20, netInBytes: 5, source: 'push' })]);
    // Bad pushes: problem+json with field paths.
    const res = await t.call('POST', '/api/v1/resources/ecs-001/utilisation', { body: [{ date: '2026-02-30', cpuAvg: 120, cpuP95: 1, cpuMax: 1, netInBytes: -1, netOutBytes: 0 }] });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const paths = (await res.json()).errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['[0].date', '[0].cpuAvg', '[0].netInBytes']));
    const dup = await t.call('POST', '/api/v1/systems/LZ-WEB/resources', { body: { kind: 'vm', externalId: 'ecs-001' } });
    expect(dup.status).toBe(409);
  });

  it('resources idle 90 days with no usage make a zombie; the same with live usage stays a semi-zombie', async () => {
    const asOf = '2026-11-19';
    for (const [code, id] of [['LS-GIS', 'vm-old'], ['LZ-WEB', 'vm-used']] as const) {
      expect((await t.call('POST', `/api/v1/systems/${code}/resources`, { body: { kind: 'vm', externalId: id, vcpu: 2, memoryGb: 4, storageGb: 20 } })).status).toBe(201);
      const days = Array.from({ length: 95 }, (_, i) => ({ date: addDays(asOf, -i), cpuAvg: 1, cpuP95: 3, cpuMax: 4, memPct: 10, netInBytes: 1000, netOutBytes: 1000 }));
      expect((await t.call('POST', `/api/v1/resources/${id}/utilisation`, { body: days })).status).toBe(200);
    }
    // LS-GIS also has rds-001, which has no utilisation: a compute resource without evidence is not idle.
    const { cliPrincipal } = await import('../../src/cli/command.js');
    const { importLedger } = await import('../../src/resources/ledger.js');
    await importLedger(t.database.db, { principal: cliPrincipal() }, { bytes: Buffer.from('资源ID,资源类型,系统编码,释放日期\nrds-001,数据库,LS-GIS,2026-06-30\n'), fileName: 'release.csv', now });
    expect((await t.call('POST', '/api/v1/systems/LZ-WEB/usage', { body: [{ date: addDays(asOf, -3), metric: 'visits', value: 40 }] })).status).toBe(200);
    const loaded = await loadSystemEvidence(t.database.db, { asOf, policy: defaultPolicy });
    const v = new Map(loaded.map((l) => [l.evidence.system.code, classify(l.evidence, defaultPolicy, asOf)]));
    const idle = (code: string) => v.get(code)!.reasons.find((r) => r.code === 'resources_idle');
    expect(idle('LS-GIS')).toMatchObject({ severity: 'zombie', message: { key: 'reason.resources_idle.zombie' } });
    expect(v.get('LS-GIS')!.wouldBe).toBe('zombie');
    expect(idle('LZ-WEB')).toMatchObject({ severity: 'semi_zombie' });
    expect(v.get('LZ-WEB')!.wouldBe).not.toBe('zombie');
    // LS-OA's VM has one day of figures: not idle.
    expect(idle('LS-OA')).toBeUndefined();
  });
});
