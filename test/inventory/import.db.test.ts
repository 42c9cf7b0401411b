import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, contentChanges, endpoints } from '../../src/db/schema/index.js';
import { seedDemo } from '../../src/inventory/demo.js';
import { IMPORT_LIMITS, importInventory } from '../../src/inventory/import/index.js';
import { checkXlsxContainer } from '../../src/inventory/import/zip-guard.js';
import { inLang, type Localized } from '../../src/inventory/import/messages.js';
import { findSystem } from '../../src/inventory/systems.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/db.js';
import { actor, appError, auditCount, csvOf, deflated, fingerprint, fixture, goodRow, HEADER, stored, xlsxOf, zipOf } from './helpers.js';

const CONTENT_TYPES = '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>';

describe.each(backends)('inventory import on %s', (backend) => {
  let database: TestDatabase;
  const db = () => database.db;
  beforeAll(async () => {
    database = await openTestDatabase(backend);
    await seedDemo(database.db);
  });
  afterAll(() => database.close());

  describe('hostile and unreadable files are refused before anything is written', () => {
    it('refuses a zip bomb .xlsx (one entry inflating past 100 MB) before exceljs inflates it', async () => {
      const bomb = zipOf([stored('[Content_Types].xml', CONTENT_TYPES), stored('xl/workbook.xml', '<workbook/>'), deflated('xl/worksheets/sheet1.xml', Buffer.alloc(110 * 1024 * 1024))]);
      expect(bomb.length).toBeLessThan(200 * 1024);
      const before = await fingerprint(db());
      const e = await appError(() => importInventory(db(), actor, { bytes: bomb, fileName: 'bomb.xlsx' }), 'bad_request');
      expect(e.message).toMatch(/inflates to more than 100 MB.*refused before reading it/);
      // The refusal is the container check's, which runs before exceljs is handed the bytes.
      await expect(checkXlsxContainer(bomb, IMPORT_LIMITS)).rejects.toThrow(e.message);
      expect(await fingerprint(db())).toEqual(before);
    });

    it('refuses the overlapping-entries zip bomb (many directory entries, one small deflate stream)', async () => {
      const chunk = deflated('xl/worksheets/sheet1.xml', Buffer.alloc(1024 * 1024, 0x41));
      const bomb = zipOf([chunk, stored('[Content_Types].xml', CONTENT_TYPES)], 150);
      const before = await fingerprint(db());
      const e = await appError(() => importInventory(db(), actor, { bytes: bomb, fileName: 'overlap.xlsx', dryRun: true }), 'bad_request');
      expect(e.message).toMatch(/inflates to more than 100 MB/);
      expect(await fingerprint(db())).toEqual(before);
    });

    it('refuses a zip with a deflate stream that lies about its size', async () => {
      const lying = { ...deflated('xl/worksheets/sheet1.xml', Buffer.alloc(120 * 1024 * 1024)), uncompressedSize: 1000 };
      const bomb = zipOf([stored('[Content_Types].xml', CONTENT_TYPES), lying]);
      await appError(() => importInventory(db(), actor, { bytes: bomb, fileName: 'liar.xlsx' }), 'bad_request');
    });

    it('says "not an .xlsx file" for a PDF named .xlsx, a .docx-like zip and an old .xls', async () => {
      const before = await fingerprint(db());
      const pdf = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
      expect((await appError(() => importInventory(db(), actor, { bytes: pdf, fileName: '系统清单.xlsx' }), 'bad_request')).message).toMatch(/not an \.xlsx file/);
      const docx = zipOf([stored('[Content_Types].xml', CONTENT_TYPES), stored('word/document.xml', '<w:document/>')]);
      expect((await appError(() => importInventory(db(), actor, { bytes: docx, fileName: 'a.xlsx' }), 'bad_request')).message).toMatch(/not an \.xlsx file.*no Excel workbook/);
      const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
      expect((await appError(() => importInventory(db(), actor, { bytes: ole, fileName: 'old.xlsx' }), 'bad_request')).message).toMatch(/old Excel \.xls/);
      expect((await appError(() => importInventory(db(), actor, { bytes: pdf, fileName: 'x.pdf' }), 'unsupported_media_type')).message).toMatch(/\.xlsx or \.csv/);
      const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
      expect((await appError(() => importInventory(db(), actor, { bytes: binary, fileName: 'x.csv' }), 'bad_request')).message).toMatch(/not a CSV text file/);
      expect(await fingerprint(db())).toEqual(before);
    });

    it('refuses a truncated .xlsx and a workbook without a header row', async () => {
      const good = await xlsxOf([HEADER, goodRow(1)]);
      const truncated = good.subarray(0, Math.floor(good.length / 2));
      expect((await appError(() => importInventory(db(), actor, { bytes: truncated, fileName: 't.xlsx' }), 'bad_request')).message).toMatch(/not an \.xlsx file/);
      const headless = await xlsxOf([
        ['T-1', '某系统', '市大数据局'],
        ['T-2', '另一系统', '市公安局'],
      ]);
      expect((await appError(() => importInventory(db(), actor, { bytes: headless, fileName: 'h.xlsx' }), 'bad_request')).message).toMatch(/no header row/);
      const empty = await xlsxOf([]);
      expect((await appError(() => importInventory(db(), actor, { bytes: empty, fileName: 'e.xlsx' }), 'bad_request')).message).toMatch(/empty/);
    });

    it('refuses a CSV that mixes UTF-8 and GB18030, naming the first offending line', async () => {
      const before = await fingerprint(db());
      const e = await appError(() => importInventory(db(), actor, { bytes: fixture('mixed-encoding.csv'), fileName: 'mixed.csv' }), 'bad_request');
      expect(e.message).toMatch(/mixes text encodings/);
      expect(e.message).toMatch(/first offending line: 3\b/);
      expect(await fingerprint(db())).toEqual(before);
    });

    it('refuses a file over the 50 MB cap without parsing it', async () => {
      const big = Buffer.alloc(50 * 1024 * 1024 + 1, 0x20);
      await appError(() => importInventory(db(), actor, { bytes: big, fileName: 'big.csv' }), 'payload_too_large');
    });
  });

  it('imports a GB18030 CSV (as Excel saves "CSV" in China) correctly', async () => {
    const s = await importInventory(db(), actor, { bytes: fixture('gb18030.csv'), fileName: 'gb18030.csv' });
    expect(s).toMatchObject({ format: 'csv', encoding: 'gb18030', created: 3, updated: 0, unchanged: 0, errorCount: 0 });
    const a = (await findSystem(db(), 'GB-001'))!;
    expect(a.row).toMatchObject({ name: '临沂市智慧档案管理系统', departmentCode: '371300-DSJ', contactName: '𠀾丽', mlpsLevel: 3, network: 'egov_extranet', launchedOn: '2018-06-01' });
    expect(a.row.tags).toEqual(['档案', '数字临沂']);
    expect(a.endpoints.map((e) => [e.role, e.url])).toEqual([['app', 'http://dagl.zwww.linyi.gov.cn.example/']]);
    const b = (await findSystem(db(), 'GB-002'))!;
    expect(b.row).toMatchObject({ departmentCode: '371300-WL', lifecycle: 'construction', launchedOn: null, deployment: 'hosted', cloudRequired: false, mlpsLevel: 2 });
    expect(b.row.tags).toEqual(['文旅', '展馆']);
    const c = (await findSystem(db(), 'GB-003'))!;
    expect(c.row).toMatchObject({ departmentCode: '371302', lifecycle: 'retired', mlpsLevel: null, launchedOn: '2016-03-01' });
    expect(c.row.retiredAt).not.toBeNull();
    expect(c.endpoints.map((e) => e.role)).toEqual(['portal', 'api']);
    // The same file again: nothing changes.
    expect(await importInventory(db(), actor, { bytes: fixture('gb18030.csv'), fileName: 'gb18030.csv' })).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
  });

  it('refuses 5,000 good rows with one bad one: nothing written, the error names row and column', async () => {
    const rows = [HEADER];
    for (let n = 1; n <= 5001; n++) rows.push(goodRow(10_000 + n));
    rows[2501]![6] = 'not-an-email'; // spreadsheet row 2502
    const file = await xlsxOf(rows);
    const before = await fingerprint(db());
    const e = await appError(() => importInventory(db(), actor, { bytes: file, fileName: 'big.xlsx' }), 'validation_failed');
    expect(e.errors).toHaveLength(1);
    expect(e.errors![0]).toMatchObject({ row: 2502, column: '联系邮箱', path: 'row 2502, 联系邮箱' });
    expect(e.errors![0]!.message).toMatch(/not-an-email/);
    expect(e.message).toMatch(/nothing was imported/);
    expect(await fingerprint(db())).toEqual(before);
    // The dry run reports the same and what would happen to the rest.
    const dry = await importInventory(db(), actor, { bytes: file, fileName: 'big.xlsx', dryRun: true });
    expect(dry).toMatchObject({ rows: 5001, created: 5000, errorCount: 1, errors: [{ row: 2502, column: '联系邮箱' }] });
    expect(await fingerprint(db())).toEqual(before);
  });

  it('reports duplicate codes inside one file, with both rows', async () => {
    const file = csvOf([HEADER, goodRow(1), goodRow(2), goodRow(1)]);
    const before = await fingerprint(db());
    const e = await appError(() => importInventory(db(), actor, { bytes: file, fileName: 'dup.csv' }), 'validation_failed');
    expect(e.errors).toEqual([expect.objectContaining({ row: 4, column: '系统编码', message: expect.stringMatching(/duplicate code T-00001: also in row 2/) })]);
    expect(await fingerprint(db())).toEqual(before);
  });

  it('reports an unknown department in the column as written, with a suggestion', async () => {
    const row = goodRow(3);
    row[3] = '大数据局';
    const e = await appError(() => importInventory(db(), actor, { bytes: csvOf([HEADER, row]), fileName: 'd.csv' }), 'validation_failed');
    expect(e.errors![0]).toMatchObject({ row: 2, column: '建设单位' });
    expect(e.errors![0]!.message).toMatch(/unknown department "大数据局".*临沂市大数据局 \(371300-DSJ\)/);
  });

  it('lists unknown columns (typos, 备注) as ignored, never refusing the sheet, and names missing required columns', async () => {
    const header = [...HEADER];
    header[5] = '联系电活';
    header.push('备注');
    const s = await importInventory(db(), actor, { bytes: csvOf([header, [...goodRow(4), 'x']]), fileName: 'typo.csv', dryRun: true });
    expect(s).toMatchObject({ errorCount: 0, created: 1, headerRow: 1 });
    expect(s.ignoredColumns).toEqual([
      expect.objectContaining({ row: 1, column: '序号', key: 'import.column.unknown' }),
      expect.objectContaining({ row: 1, column: '联系电活', message: expect.stringMatching(/ignored; did you mean 联系电话/) }),
      expect.objectContaining({ row: 1, column: '备注', message: 'unknown column, ignored' }),
    ]);
    expect(inLang('zh', s.ignoredColumns[1] as Localized)).toBe('未识别的列，已忽略；是否应为“联系电话”？');
    const noName = await appError(() => importInventory(db(), actor, { bytes: csvOf([['系统编码', '建设单位'], ['X-1', '市大数据局']]), fileName: 'n.csv' }), 'validation_failed');
    expect(noName.errors![0]).toMatchObject({ row: 1, column: '系统名称', message: expect.stringMatching(/required column missing/) });
  });

  it('imports a department sheet as sent: title and 填报 rows above the header, 序号 and 备注 columns, data in a column with no header', async () => {
    const file = await xlsxOf([
      ['临沂市公安局政务信息系统清单'],
      ['填报单位：临沂市公安局', null, null, '填报日期：2026年11月'],
      ['序号', '系统名称', '系统编码', '主管部门', '联系电话', '访问地址', '备注'],
      [1, '户政业务系统', 'GA-DEPT-1', '371300-GA', '0539-8000001', 'https://hz.ga.linyi.gov.cn.example/', '省厅统建'],
      [2, '出入境预约系统', 'GA-DEPT-2', '市公安局', '0539-8000002', 'https://crj.ga.linyi.gov.cn.example/', null, '表外批注'],
      [],
    ]);
    const dry = await importInventory(db(), actor, { bytes: file, fileName: '公安局.xlsx', dryRun: true });
    expect(dry).toMatchObject({ rows: 2, created: 2, errorCount: 0, headerRow: 3 });
    expect(dry.ignoredColumns.map((c) => c.column)).toEqual(['序号', '备注', '(H)']);
    expect(dry.preview).toEqual([
      expect.objectContaining({ row: 4, code: 'GA-DEPT-1', name: '户政业务系统', departmentCode: '371300-GA', action: 'create' }),
      expect.objectContaining({ row: 5, code: 'GA-DEPT-2', action: 'create' }),
    ]);
    const done = await importInventory(db(), actor, { bytes: file, fileName: '公安局.xlsx' });
    expect(done).toMatchObject({ created: 2, errorCount: 0 });
    expect((await findSystem(db(), 'GA-DEPT-2'))!.row.contactPhone).toBe('0539-8000002');
  });

  it('says every row problem in Chinese through the catalogue (row, column, message)', async () => {
    const row = goodRow(5);
    row[3] = '大数据';
    row[5] = 'call me';
    row[12] = '七级';
    const s = await importInventory(db(), actor, { bytes: csvOf([HEADER, row, goodRow(5)]), fileName: 'zh.csv', dryRun: true });
    const zhText = s.errors.map((e) => `${e.row} ${e.column} ${inLang('zh', e as Localized)}`);
    expect(zhText).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^2 建设单位 未知部门“大数据”（请填写部门编码、全称或简称）；是否为 临沂市大数据局 \(371300-DSJ\)/),
        '2 联系电话 “call me”：电话号码只能包含数字、空格、“+”“-”和括号',
        '2 等保级别 “七级”不是等保级别（一级至五级、1–5 或未定级）',
        '3 系统编码 编码 T-00005 重复：第 2 行也有',
      ]),
    );
    // The API keeps its English text.
    expect(s.errors.find((e) => e.column === '联系电话')!.message).toBe('"call me": digits, spaces, "+", "-" and parentheses only');
  });

  it('takes a header below a title row, English keys and values, and reports row numbers as the sheet shows them', async () => {
    const file = await xlsxOf([
      ['临沂市政务信息系统清单（2024年）'],
      [],
      ['code', 'name', 'departmentCode', 'lifecycle', 'deployment', 'network', 'mlpsLevel', 'endpoints', 'contact.phone'],
      ['EN-1', 'English sheet', '371300-GA', 'live', 'gov_cloud', 'internet', 3, 'https://en1.linyi.gov.cn.example/', '0539-8000001'],
      ['EN-2', 'English sheet 2', '371300-GA', 'alive', 'gov_cloud', 'internet', 7, 'en2.linyi.gov.cn.example', 'call me'],
    ]);
    const s = await importInventory(db(), actor, { bytes: file, fileName: 'en.xlsx', dryRun: true });
    expect(s.created).toBe(1);
    expect(s.errors).toEqual([
      expect.objectContaining({ row: 5, column: 'lifecycle', message: expect.stringMatching(/"alive" is not one of 规划中/) }),
      expect.objectContaining({ row: 5, column: 'mlpsLevel', message: expect.stringMatching(/not a protection level/) }),
      expect.objectContaining({ row: 5, column: 'endpoints', message: expect.stringMatching(/address 1 "en2\.linyi\.gov\.cn\.example".*http:\/\//) }),
      expect.objectContaining({ row: 5, column: 'contact.phone' }),
    ]);
  });

  it('treats 是否上云 as 政务云 when 部署方式 is absent, and a contradiction as a row error', async () => {
    const header = ['系统编码', '系统名称', '主管部门', '是否上云'];
    const ok = await importInventory(db(), actor, { bytes: csvOf([header, ['CLOUD-1', '上云系统', '市公安局', '是'], ['CLOUD-2', '未上云系统', '市公安局', '否']]), fileName: 'c.csv' });
    expect(ok.created).toBe(2);
    expect((await findSystem(db(), 'CLOUD-1'))!.row.deployment).toBe('gov_cloud');
    expect((await findSystem(db(), 'CLOUD-2'))!.row.deployment).toBe('other');
    const bad = await importInventory(db(), actor, {
      bytes: csvOf([['系统编码', '系统名称', '主管部门', '部署方式', '是否上云'], ['CLOUD-3', '矛盾', '市公安局', '自建机房', '是']]),
      fileName: 'c2.csv',
      dryRun: true,
    });
    expect(bad.errors).toEqual([expect.objectContaining({ row: 2, column: '是否上云', message: expect.stringMatching(/says 是 but 部署方式 is "自建机房"/) })]);
  });

  it('finds the department by 主管部门名称 when 主管部门 is absent or blank', async () => {
    const file = csvOf([
      ['系统编码', '系统名称', '主管部门', '主管部门名称'],
      ['NAME-1', '按名称找部门', '', '临沂市教育局'],
    ]);
    expect(await importInventory(db(), actor, { bytes: file, fileName: 'n.csv' })).toMatchObject({ created: 1 });
    expect((await findSystem(db(), 'NAME-1'))!.row.departmentCode).toBe('371300-JY');
    const onlyName = csvOf([
      ['系统编码', '系统名称', '主管部门名称'],
      ['NAME-2', '只有名称', '市教育局'],
    ]);
    expect(await importInventory(db(), actor, { bytes: onlyName, fileName: 'n2.csv', dryRun: true })).toMatchObject({ created: 1, errorCount: 0 });
  });

  it('a dry run writes nothing', async () => {
    const before = await fingerprint(db());
    const s = await importInventory(db(), actor, { bytes: csvOf([HEADER, goodRow(50), goodRow(51)]), fileName: 'dry.csv', dryRun: true });
    expect(s).toMatchObject({ dryRun: true, created: 2, errorCount: 0 });
    expect(await fingerprint(db())).toEqual(before);
    expect(await findSystem(db(), 'T-00050')).toBeUndefined();
  });

  it('upserts on code: re-importing changes nothing; a changed row bumps the version and is audited', async () => {
    const rows = [HEADER, goodRow(60), goodRow(61), goodRow(62)];
    expect(await importInventory(db(), actor, { bytes: await xlsxOf(rows), fileName: 'u.xlsx' })).toMatchObject({ created: 3, updated: 0, unchanged: 0 });
    const before = await fingerprint(db());
    expect(await importInventory(db(), actor, { bytes: await xlsxOf(rows), fileName: 'u.xlsx' })).toMatchObject({ created: 0, updated: 0, unchanged: 3 });
    expect(await fingerprint(db())).toEqual(before);

    rows[2]![2] = '测试系统61（改名）';
    rows[2]![13] = 'https://t61-new.linyi.gov.cn.example/';
    const auditsBefore = await auditCount(db(), 'import');
    expect(await importInventory(db(), actor, { bytes: await xlsxOf(rows), fileName: 'u.xlsx' })).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
    const changed = (await findSystem(db(), 'T-00061'))!;
    expect(changed.row).toMatchObject({ name: '测试系统61（改名）', version: 2 });
    expect(changed.endpoints.map((e) => e.url)).toEqual(['https://t61-new.linyi.gov.cn.example/']);
    expect((await findSystem(db(), 'T-00060'))!.row.version).toBe(1);
    expect(await auditCount(db(), 'import')).toBe(auditsBefore + 1);
    const [entry] = await db().select().from(auditLog).where(eq(auditLog.entityId, 'T-00061')).orderBy(auditLog.id).limit(1).offset(1);
    expect(entry).toMatchObject({ action: 'import', entity: 'system' });
    expect((entry!.before as { name: string }).name).toBe('测试系统61');
    expect((entry!.after as { name: string; version: number }).name).toBe('测试系统61（改名）');
    expect((entry!.after as { version: number }).version).toBe(2);
  });

  it('a changed address list keeps each address kept, with its endpoint id and history, and drops only the others', async () => {
    const rows = [HEADER, goodRow(80)];
    await importInventory(db(), actor, { bytes: await xlsxOf(rows), fileName: 'e.xlsx' });
    const before = (await findSystem(db(), 'T-00080'))!;
    const [portal, api] = await db().select().from(endpoints).where(eq(endpoints.systemId, before.row.id)).orderBy(endpoints.position);
    await db().insert(contentChanges).values([portal!, api!].map((e) => ({ endpointId: e.id, systemId: e.systemId, at: new Date('2025-01-01T00:00:00Z'), contentHash: e.url })));
    rows[1]![13] = `门户:https://t80-new.linyi.gov.cn.example/\n门户:${portal!.url}`;
    expect(await importInventory(db(), actor, { bytes: await xlsxOf(rows), fileName: 'e.xlsx' })).toMatchObject({ updated: 1 });
    const after = await db().select().from(endpoints).where(eq(endpoints.systemId, before.row.id)).orderBy(endpoints.position);
    expect(after.map((e) => [e.url, e.position])).toEqual([['https://t80-new.linyi.gov.cn.example/', 0], [portal!.url, 1]]);
    expect(after[1]!.id).toBe(portal!.id);
    const history = await db().select({ endpointId: contentChanges.endpointId }).from(contentChanges).where(eq(contentChanges.systemId, before.row.id));
    expect(history).toEqual([{ endpointId: portal!.id }]);
  });

  it('leaves columns the file does not have as they are, and blank cells clear optional fields', async () => {
    await importInventory(db(), actor, { bytes: csvOf([HEADER, goodRow(70)]), fileName: 'a.csv' });
    // Only code, name and department: contact, endpoints, lifecycle … are kept.
    const s = await importInventory(db(), actor, { bytes: csvOf([['系统编码', '系统名称', '主管部门'], ['T-00070', '测试系统70', '市公安局']]), fileName: 'b.csv' });
    expect(s).toMatchObject({ updated: 0, unchanged: 1 });
    const kept = (await findSystem(db(), 'T-00070'))!;
    expect(kept.row.contactPhone).toBe('0539-80000070');
    expect(kept.endpoints).toHaveLength(2);
    // A blank 联系电话 clears it; a blank 状态 keeps the lifecycle.
    const r = goodRow(70);
    r[5] = null;
    r[7] = null;
    expect(await importInventory(db(), actor, { bytes: csvOf([HEADER, r]), fileName: 'c.csv' })).toMatchObject({ updated: 1 });
    const after = (await findSystem(db(), 'T-00070'))!;
    expect(after.row.contactPhone).toBeNull();
    expect(after.row.lifecycle).toBe('live');
  });

  it('calls a damaged deflate stream an unreadable file, not a crash', async () => {
    const broken = zipOf([stored('[Content_Types].xml', CONTENT_TYPES), { name: 'xl/workbook.xml', data: Buffer.from([0xff, 0xff, 0xff]), method: 8, uncompressedSize: 10 }]);
    expect((await appError(() => importInventory(db(), actor, { bytes: broken, fileName: 'b.xlsx' }), 'bad_request')).message).toMatch(/damaged/);
  });
});
