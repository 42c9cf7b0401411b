/**
 * An .xlsx import never stalls the server: the container check inflates on the thread pool and exceljs's
 * streaming reader runs in a worker thread, so /healthz keeps answering during the import. Measured with
 * the event loop's own delay histogram (perf_hooks) across the import, not with wall-clock deadlines; the
 * bound is generous for a loaded machine — reading the same workbook on the event loop blocked it for
 * seconds. A workbook past the cell cap is refused by the reader, early.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DEPARTMENTS, seedDemo } from '../../src/inventory/demo.js';
import { AppError } from '../../src/errors.js';
import { IMPORT_LIMITS } from '../../src/inventory/import/index.js';
import { readXlsx } from '../../src/inventory/import/xlsx.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/**
 * Max event-loop delay allowed while a workbook is read. Generous, for a machine under heavy load (the
 * delay histogram also counts time the process waits for a core): reading the 20,000-row workbook on
 * the event loop stalled it ~2,000 ms here even unloaded, the 2.6 M-cell one of the issue 17.7 s.
 */
const MAX_DELAY_MS = 1000;

async function inventoryWorkbook(rows: number, extraColumns = 0): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-xlsx-'));
  const filename = join(dir, 'inventory.xlsx');
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename, useSharedStrings: true });
  const ws = wb.addWorksheet('系统清单');
  ws.addRow(['系统编码', '系统名称', '建设单位', '运维单位', '状态', '上线日期', '访问地址', ...Array.from({ length: extraColumns }, (_, i) => `备注${i}`)]).commit();
  const depts = DEMO_DEPARTMENTS.filter((d) => d.level !== 'township');
  for (let n = 0; n < rows; n++) {
    const d = depts[n % depts.length]!;
    ws.addRow([
      `EL-${String(n).padStart(6, '0')}`,
      `${d.shortName}业务系统${n}`,
      d.code,
      '临沂市大数据中心',
      '运行中',
      new Date(Date.UTC(2015, n % 12, 1)),
      `https://s${n}.linyi.gov.cn.example/`,
      ...Array.from({ length: extraColumns }, (_, i) => i + n),
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  const bytes = readFileSync(filename);
  rmSync(dir, { recursive: true, force: true });
  return bytes;
}

describe.each(backends)('.xlsx import off the event loop on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await seedDemo(t.database.db);
  });
  afterAll(async () => t?.close());

  async function importWhileWatching(file: Buffer) {
    // Warm the code path first (module loading is not what is measured).
    await t.call('GET', '/healthz');
    await readXlsx(await inventoryWorkbook(2), IMPORT_LIMITS);
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    let healthz = 0;
    let importing = true;
    histogram.enable();
    const pinger = (async () => {
      while (importing) {
        const r = await t.app.request('/healthz');
        if (r.status === 200) healthz++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    // The reading is what this is about: rows checked against the database afterwards run on PGlite,
    // which (WASM, in process) works on the event loop by design.
    const read = await readXlsx(file, IMPORT_LIMITS).then(
      (table) => ({ table, error: undefined }),
      (error: unknown) => ({ table: undefined, error: error as AppError }),
    );
    importing = false;
    await pinger;
    histogram.disable();
    return { ...read, healthz, maxDelayMs: histogram.max / 1e6 };
  }

  it('a 20,000-row workbook: /healthz keeps answering, the loop never stalls', async () => {
    const file = await inventoryWorkbook(20_000);
    const { table, healthz, maxDelayMs } = await importWhileWatching(file);
    expect(table?.rows).toHaveLength(20_001);
    expect(table?.rows[20_000]?.cells[1]).toMatch(/业务系统19999$/);
    expect(healthz).toBeGreaterThan(1);
    expect(maxDelayMs).toBeLessThan(MAX_DELAY_MS);
    // And the import as a whole takes the same workbook.
    const res = await t.call('POST', '/api/v1/imports?dryRun=true&filename=inventory.xlsx', { rawBody: file as unknown as string, headers: { 'content-type': XLSX } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ dryRun: true, rows: 20_000, created: 20_000, errorCount: 0 });
  }, 300_000);

  // The whole import, over the API: reading, checking every row and writing them. On PostgreSQL the
  // database works in another process, so the loop must stay free throughout (checking 20,000 rows in one
  // synchronous pass held it ~2 s); on PGlite (WASM in this process) queries run on the loop by design.
  it.runIf(backend === 'postgres')('a whole 20,000-row import (read, check, write): the loop never stalls, /healthz answers throughout', async () => {
    const file = await inventoryWorkbook(20_000);
    await t.call('GET', '/healthz');
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    let healthz = 0;
    let importing = true;
    histogram.enable();
    const pinger = (async () => {
      while (importing) {
        const r = await t.app.request('/healthz');
        if (r.status === 200) healthz++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const res = await t.call('POST', '/api/v1/imports?filename=inventory.xlsx', { rawBody: file as unknown as string, headers: { 'content-type': XLSX } });
    const summary = await res.json();
    importing = false;
    await pinger;
    histogram.disable();
    expect(res.status, JSON.stringify(summary).slice(0, 300)).toBe(200);
    expect(summary).toMatchObject({ dryRun: false, rows: 20_000, errorCount: 0 });
    console.log(`whole import of 20,000 rows: max event-loop delay ${(histogram.max / 1e6).toFixed(0)} ms, /healthz answered ${healthz} times`);
    expect(healthz).toBeGreaterThan(1);
    expect(histogram.max / 1e6).toBeLessThan(MAX_DELAY_MS);
  }, 300_000);

  it('a workbook past the cell cap is refused by the reader, without stalling the loop', async () => {
    const columns = 60;
    const rows = Math.ceil(IMPORT_LIMITS.maxCells / (columns + 7)) + 100;
    const file = await inventoryWorkbook(rows, columns);
    const { error, maxDelayMs } = await importWhileWatching(file);
    expect(error).toBeInstanceOf(AppError);
    expect(error?.code).toBe('bad_request');
    expect(error?.message).toMatch(/more than 2000000 cells/);
    expect(maxDelayMs).toBeLessThan(MAX_DELAY_MS);
  }, 300_000);
});
