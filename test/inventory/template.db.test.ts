import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/inventory/demo.js';
import { importInventory } from '../../src/inventory/import/index.js';
import { TEMPLATE_CHOICES, TEMPLATE_COLUMNS, buildImportTemplate } from '../../src/inventory/template.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/db.js';
import { actor } from './helpers.js';

describe.each(backends)('the import template on %s', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(backend);
    await seedDemo(database.db);
  });
  afterAll(() => database.close());

  it('has the Chinese headers, a sample row and a drop-down on every enumerated column', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await buildImportTemplate()) as unknown as ArrayBuffer);
    const ws = wb.getWorksheet('系统清单')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(TEMPLATE_COLUMNS.map((c) => c.zh));
    expect(header.slice(0, 3)).toEqual(['系统编码', '系统名称', '主管部门']);
    expect(ws.getRow(2).getCell(1).value).toBe('SAMPLE-001');
    const enumerated = Object.keys(TEMPLATE_CHOICES);
    expect(enumerated.length).toBe(8);
    for (const key of enumerated) {
      const i = TEMPLATE_COLUMNS.findIndex((c) => c.key === key) + 1;
      const dv = ws.getCell(3, i).dataValidation;
      expect(dv, key).toMatchObject({ type: 'list', allowBlank: true });
      expect(dv.formulae![0]).toBe(`"${TEMPLATE_CHOICES[key as keyof typeof TEMPLATE_CHOICES]!.join(',')}"`);
    }
    // A free-text column has none.
    expect(ws.getCell(3, 2).dataValidation).toBeUndefined();
    expect(wb.getWorksheet('填写说明')!.rowCount).toBeGreaterThan(TEMPLATE_COLUMNS.length);
  });

  it('imports as it is: the sample row is a valid system', async () => {
    const s = await importInventory(database.db, actor, { bytes: await buildImportTemplate(), fileName: '导入模板.xlsx', dryRun: true });
    expect(s).toMatchObject({ rows: 1, created: 1, errorCount: 0, ignoredColumns: [] });
    expect(s.preview[0]).toMatchObject({ code: 'SAMPLE-001', departmentName: '临沂市大数据局' });
  });
});
