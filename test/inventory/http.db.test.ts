import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAuth } from '../../src/http/middleware.js';
import { router } from '../../src/http/router.js';
import { seedDemo } from '../../src/inventory/demo.js';
import { findSystem } from '../../src/inventory/systems.js';
import { inventoryIoRoutes } from '../../src/routes/inventory-io.js';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { csvOf, fingerprint, goodRow, HEADER, xlsxOf } from './helpers.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe.each(backends)('inventory import/export over HTTP on %s', (backend) => {
  let t: TestApp;
  const upload = (path: string, body: Uint8Array | string, contentType: string, token: string | null = ADMIN) =>
    t.app.request(path, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  beforeAll(async () => {
    t = await startTestApp(backend);
    await seedDemo(t.database.db);
    // Until the lead mounts the routes in createApp, mount them here behind the same authentication.
    if (!t.app.routes.some((r) => r.path === '/api/v1/export')) {
      t.app.route('/api/v1', router().use('*', requireAuth).route('/', inventoryIoRoutes));
    }
  });
  afterAll(() => t.close());

  it('imports a CSV (dry run first), answering with the summary', async () => {
    const csv = csvOf([HEADER, goodRow(1), goodRow(2)]);
    const dry = await upload('/api/v1/imports?dryRun=true', csv, 'text/csv; charset=utf-8');
    expect(dry.status).toBe(200);
    expect(await dry.json()).toMatchObject({ dryRun: true, format: 'csv', created: 2, updated: 0, unchanged: 0, errors: [] });
    expect(await findSystem(t.database.db, 'T-00001')).toBeUndefined();
    const real = await upload('/api/v1/imports', csv, 'text/csv');
    expect(real.status).toBe(200);
    expect(await real.json()).toMatchObject({ dryRun: false, created: 2 });
    expect(await findSystem(t.database.db, 'T-00001')).toBeDefined();
  });

  it('imports an .xlsx body, by media type or by the filename parameter', async () => {
    const file = await xlsxOf([HEADER, goodRow(3)]);
    const a = await upload('/api/v1/imports', file, XLSX);
    expect(a.status).toBe(200);
    expect(await a.json()).toMatchObject({ format: 'xlsx', created: 1 });
    const b = await upload('/api/v1/imports?filename=%E7%B3%BB%E7%BB%9F.xlsx', file, 'application/octet-stream');
    expect(await b.json()).toMatchObject({ format: 'xlsx', unchanged: 1 });
  });

  it('answers 400 problem+json with row and column when a row is bad, and writes nothing', async () => {
    const bad = goodRow(4);
    bad[2] = '';
    const before = await fingerprint(t.database.db);
    const res = await upload('/api/v1/imports', csvOf([HEADER, goodRow(5), bad]), 'text/csv');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ code: 'validation_failed', errors: [{ path: 'row 3, 系统名称', row: 3, column: '系统名称' }] });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    expect(await fingerprint(t.database.db)).toEqual(before);
  });

  it('answers 400 for an unreadable file and 413 for one over 50 MB', async () => {
    const pdf = await upload('/api/v1/imports', '%PDF-1.4 not a workbook', XLSX);
    expect(pdf.status).toBe(400);
    expect((await pdf.json()).detail).toMatch(/not an \.xlsx file/);
    const huge = await upload('/api/v1/imports?dryRun=true', new Uint8Array(50 * 1024 * 1024 + 10), 'text/csv');
    expect(huge.status).toBe(413);
  });

  it('takes a file larger than the 1 MiB JSON body limit', async () => {
    const rows = [HEADER];
    for (let n = 0; n < 7000; n++) rows.push(goodRow(20_000 + n));
    const csv = csvOf(rows);
    expect(csv.length).toBeGreaterThan(1024 * 1024);
    const res = await upload('/api/v1/imports?dryRun=true', csv, 'text/csv');
    // createApp's 1 MiB JSON body limit must not apply to /api/v1/imports (the route caps its body at 50 MB itself).
    expect(res.status, `POST /api/v1/imports answered ${res.status}: ${res.status === 413 ? (await res.clone().json()).detail : ''}`).toBe(200);
    expect(await res.json()).toMatchObject({ rows: 7000, created: 7000, errorCount: 0 });
  });

  it('lets only admin and auditor import; everyone with read may export', async () => {
    const csv = csvOf([HEADER, goodRow(6)]);
    expect((await upload('/api/v1/imports', csv, 'text/csv', null)).status).toBe(401);
    for (const token of [await t.token('viewer'), await t.token('department', '371302')]) {
      expect((await upload('/api/v1/imports', csv, 'text/csv', token)).status).toBe(403);
    }
    expect(await findSystem(t.database.db, 'T-00006')).toBeUndefined();
    expect((await upload('/api/v1/imports?dryRun=true', csv, 'text/csv', await t.token('auditor'))).status).toBe(200);
    expect((await t.call('GET', '/api/v1/export?format=json', { token: null })).status).toBe(401);
    expect((await t.call('GET', '/api/v1/export?format=json', { token: await t.token('viewer') })).status).toBe(200);
  });

  it('exports csv with a BOM and an attachment name, xlsx, and JSON', async () => {
    const csv = await t.call('GET', '/api/v1/export?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="xuncha-inventory-\d{4}-\d{2}-\d{2}\.csv"/);
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const xlsx = await t.call('GET', '/api/v1/export');
    expect(xlsx.headers.get('content-type')).toBe(XLSX);
    const back = await upload('/api/v1/imports?dryRun=true', new Uint8Array(await xlsx.arrayBuffer()), XLSX);
    expect(await back.json()).toMatchObject({ created: 0, updated: 0, errorCount: 0 });
    expect((await t.call('GET', '/api/v1/export?format=pdf')).status).toBe(400);
  });

  it('gives a department token its own subtree only', async () => {
    const token = await t.token('department', '371323');
    const res = await t.call('GET', '/api/v1/export?format=json', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('xuncha-inventory-371323-');
    const body = await res.json();
    expect(body.count).toBeGreaterThan(0);
    expect(body.systems.every((s: { departmentCode: string }) => s.departmentCode.startsWith('371323'))).toBe(true);
  });
});
