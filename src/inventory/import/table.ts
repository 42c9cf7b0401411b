import { AppError } from '../../errors.js';
import { INVENTORY_COLUMNS, isBlank, matchHeader, type Cell, type ColumnKey, type InventoryColumn } from '../spreadsheet.js';

/** A sheet as read from a file: rows with their spreadsheet row numbers (1-based), cells by column. */
export interface RawTable {
  rows: Array<{ number: number; cells: Cell[] }>;
  sheetName?: string;
  /** How the user's program names column `index` (A, B, …). */
  columnName(index: number): string;
}

/** One problem in a file: the row (header row = 1 when the header is the first row), the column as written, what is wrong. */
export interface ImportRowError {
  row: number;
  column: string;
  message: string;
}

export interface HeaderLayout {
  headerRow: number;
  /** Present columns by key: where and how the file wrote it. */
  byKey: Map<ColumnKey, { index: number; header: string }>;
  errors: ImportRowError[];
  /** Header problems that make rows meaningless (a required column is missing). */
  fatal: boolean;
}

const HEADER_SEARCH_ROWS = 10;

function headerText(c: Cell): string {
  if (c === null) return '';
  if (typeof c === 'object' && !(c instanceof Date)) return '';
  return String(c).trim();
}

/**
 * The header is the first row (of the first ten: some sheets carry a title above it) that names at least two
 * known columns. Its row number is the spreadsheet's, so errors point at the rows a person sees.
 */
export function readHeader(table: RawTable): HeaderLayout {
  if (!table.rows.some((r) => r.cells.some((c) => !isBlank(c)))) throw new AppError('bad_request', 'the file is empty: no header row and no rows');
  const header = table.rows.slice(0, HEADER_SEARCH_ROWS).find((r) => r.cells.filter((c) => matchHeader(headerText(c)).kind === 'column').length >= 2);
  if (!header) {
    throw new AppError(
      'bad_request',
      'no header row: none of the first rows names the columns (such as 系统编码, 系统名称, 主管部门 — or code, name, departmentCode)',
    );
  }
  const errors: ImportRowError[] = [];
  const byKey = new Map<ColumnKey, { index: number; header: string }>();
  const below = table.rows.filter((r) => r.number > header.number);
  header.cells.forEach((cell, index) => {
    const text = headerText(cell);
    if (!text) {
      const used = below.find((r) => !isBlank(r.cells[index] ?? null));
      if (used) errors.push({ row: header.number, column: `(column ${table.columnName(index)})`, message: `a column without a header holds data (row ${used.number}); name it or delete it` });
      return;
    }
    const m = matchHeader(text);
    if (m.kind === 'ignored') return;
    if (m.kind === 'unknown') {
      errors.push({
        row: header.number,
        column: text,
        message: m.suggestion ? `unknown column; did you mean ${m.suggestion}?` : 'unknown column; rename it to one of the inventory columns or delete it',
      });
      return;
    }
    const prior = byKey.get(m.column.key);
    if (prior) {
      errors.push({ row: header.number, column: text, message: `the same column as ${prior.header} (column ${table.columnName(prior.index)}); keep one of them` });
      return;
    }
    byKey.set(m.column.key, { index, header: text });
  });
  // Columns with no header cell at all (beyond the header's last cell) that hold data.
  const width = header.cells.length;
  for (const r of below) {
    const extra = r.cells.findIndex((c, i) => i >= width && !isBlank(c));
    if (extra >= 0) {
      errors.push({ row: header.number, column: `(column ${table.columnName(extra)})`, message: `a column without a header holds data (row ${r.number}); name it or delete it` });
      break;
    }
  }
  let fatal = false;
  const required: Array<[ColumnKey, ColumnKey?]> = [['code'], ['name'], ['departmentCode', 'departmentName']];
  for (const [key, alt] of required) {
    if (byKey.has(key) || (alt && byKey.has(alt))) continue;
    fatal = true;
    const col = INVENTORY_COLUMNS.find((c) => c.key === key) as InventoryColumn;
    errors.push({ row: header.number, column: col.zh, message: `required column missing (${[col.zh, col.key, ...col.aliases].join(' / ')})` });
  }
  return { headerRow: header.number, byKey, errors, fatal };
}
