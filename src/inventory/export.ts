import { and, asc, eq, inArray } from 'drizzle-orm';
import { departmentScope, requirePermission } from '../auth/access.js';
import type ExcelJS from 'exceljs';
import { newWorkbook } from '../excel.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { departments, endpoints, systems } from '../db/schema/index.js';
import type { SystemDto } from './schemas.js';
import { EXPORT_COLUMNS, INVENTORY_COLUMNS, escapeFormula, escapeOoxml, exportCell, exportHeader, type ExportCell, type ExportLang } from './spreadsheet.js';
import { toSystemDto } from './systems.js';

export type ExportFormat = 'xlsx' | 'csv' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['xlsx', 'csv', 'json'];

export const EXPORT_MEDIA_TYPES: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

export interface ExportOptions {
  /** A department principal gets its own subtree only; others get everything. */
  principal?: Principal;
  /** Headers and values: Chinese (default, what people edit) or the contract's English keys and values. */
  lang?: ExportLang;
  now?: Date;
  /** Only these systems (the current selection of the inventory page); all when absent. */
  codes?: readonly string[];
}

/** Every system (retired ones too) with its department, as the API shows it, in code order. */
export async function loadInventory(db: Db, principal?: Principal, codes?: readonly string[]): Promise<SystemDto[]> {
  const rows = await db
    .select({ system: systems, departmentCode: departments.code, departmentName: departments.name, departmentPath: departments.path })
    .from(systems)
    .innerJoin(departments, eq(departments.id, systems.departmentId))
    .where(and(principal ? departmentScope(principal, departments.path) : undefined, codes ? inArray(systems.code, [...codes]) : undefined))
    .orderBy(asc(systems.code));
  const bySystem = new Map<number, Array<{ systemId: number; url: string; role: SystemDto['endpoints'][number]['role'] }>>();
  const ids = rows.map((r) => r.system.id);
  for (let i = 0; i < ids.length; i += 5000) {
    const eps = await db
      .select({ systemId: endpoints.systemId, url: endpoints.url, role: endpoints.role })
      .from(endpoints)
      .where(inArray(endpoints.systemId, ids.slice(i, i + 5000)))
      .orderBy(asc(endpoints.systemId), asc(endpoints.position), asc(endpoints.id));
    for (const e of eps) {
      const list = bySystem.get(e.systemId);
      if (list) list.push(e);
      else bySystem.set(e.systemId, [e]);
    }
  }
  return rows.map((r) =>
    toSystemDto(
      { ...r.system, departmentCode: r.departmentCode, departmentName: r.departmentName, departmentPath: r.departmentPath },
      bySystem.get(r.system.id) ?? [],
    ),
  );
}

/**
 * The whole inventory as a file. Spreadsheet exports use the import's column table, so they can be edited
 * and imported back unchanged; text that a spreadsheet would run as a formula is written with a leading `'`.
 */
export async function exportInventory(db: Db, format: ExportFormat, opts: ExportOptions = {}): Promise<Buffer> {
  if (opts.principal) requirePermission(opts.principal, 'export');
  const list = opts.codes && !opts.codes.length ? [] : await loadInventory(db, opts.principal, opts.codes);
  const now = opts.now ?? new Date();
  const lang = opts.lang ?? 'zh';
  if (format === 'json') return Buffer.from(`${JSON.stringify({ exportedAt: now.toISOString(), count: list.length, systems: list }, null, 2)}\n`, 'utf8');
  if (format === 'csv') return toCsv(list, lang);
  return toXlsx(list, lang, now);
}

function csvField(v: ExportCell): string {
  if (v === null) return '';
  const s = typeof v === 'number' ? String(v) : typeof v === 'object' ? v.date : escapeFormula(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** UTF-8 with a BOM (so Excel opens Chinese text correctly), CRLF line ends, RFC 4180 quoting. */
function toCsv(list: SystemDto[], lang: ExportLang): Buffer {
  const lines = [EXPORT_COLUMNS.map((c) => csvField(exportHeader(c, lang))).join(',')];
  for (const s of list) lines.push(EXPORT_COLUMNS.map((c) => csvField(exportCell(c, s, lang))).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

const TEXT_COLUMNS = new Set(['code', 'departmentCode', 'contact.phone']);
const WRAP_COLUMNS = new Set(['endpoints', 'description']);

async function toXlsx(list: SystemDto[], lang: ExportLang, now: Date): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Xuncha 巡查';
  wb.created = now;
  const sheet = wb.addWorksheet(lang === 'zh' ? '系统清单' : 'systems', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = EXPORT_COLUMNS.map((c) => ({
    header: exportHeader(c, lang),
    key: c.key,
    width: c.width,
    style: TEXT_COLUMNS.has(c.key) ? { numFmt: '@' } : c.key === 'launchedOn' ? { numFmt: 'yyyy-mm-dd' } : undefined,
  }));
  sheet.getRow(1).font = { bold: true };
  for (const s of list) {
    const row = sheet.addRow(
      EXPORT_COLUMNS.map((c) => {
        const v = exportCell(c, s, lang);
        if (v === null || typeof v === 'number') return v;
        if (typeof v === 'object') return new Date(`${v.date}T00:00:00Z`);
        return escapeOoxml(escapeFormula(v));
      }),
    );
    EXPORT_COLUMNS.forEach((c, i) => {
      if (WRAP_COLUMNS.has(c.key)) row.getCell(i + 1).alignment = { wrapText: true, vertical: 'top' };
    });
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: EXPORT_COLUMNS.length } };

  const guide = wb.addWorksheet(lang === 'zh' ? '字段说明' : 'columns');
  guide.columns = [
    { header: lang === 'zh' ? '列名' : 'header', width: 14 },
    { header: lang === 'zh' ? '英文键' : 'key', width: 16 },
    { header: lang === 'zh' ? '也接受' : 'also accepted', width: 30 },
    { header: lang === 'zh' ? '说明' : 'note', width: 80 },
  ];
  guide.getRow(1).font = { bold: true };
  for (const c of INVENTORY_COLUMNS) guide.addRow([c.zh, c.key, c.aliases.join('、'), c.note]);
  return Buffer.from((await wb.xlsx.writeBuffer()) as unknown as ArrayBuffer);
}
