import { AppError } from '../../errors.js';
import { english, type Localized } from './messages.js';
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
  /** English, for the API and the CLI. */
  message: string;
  /** The same problem as a catalogue message, for the pages. */
  key?: Localized['key'];
  params?: Localized['params'];
}

/** A row problem from its catalogue message. */
export function rowError(row: number, column: string, m: Localized): ImportRowError {
  return { row, column, message: english(m), key: m.key, ...(m.params ? { params: m.params } : {}) };
}

/** A column the import does not read: listed, never a reason to refuse the sheet. */
export type IgnoredColumn = ImportRowError;

export interface HeaderLayout {
  headerRow: number;
  /** Present columns by key: where and how the file wrote it. */
  byKey: Map<ColumnKey, { index: number; header: string }>;
  errors: ImportRowError[];
  /** Columns not read (序号, 备注, anything unknown, data without a header): listed for the person importing. */
  ignored: IgnoredColumn[];
  /** Header problems that make rows meaningless (a required column is missing). */
  fatal: boolean;
}

const HEADER_SEARCH_ROWS = 10;
/**
 * Unknown columns are ignored (序号, 备注, a department's own notes), but a sheet with more of them than this
 * is not a systems sheet (the template has 30 columns): it is refused rather than answered with a list of
 * thousands of ignored columns.
 */
export const MAX_IGNORED_COLUMNS = 100;

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
  const ignored: IgnoredColumn[] = [];
  const byKey = new Map<ColumnKey, { index: number; header: string }>();
  const below = table.rows.filter((r) => r.number > header.number);
  header.cells.forEach((cell, index) => {
    const text = headerText(cell);
    if (!text) {
      const used = below.find((r) => !isBlank(r.cells[index] ?? null));
      if (used) ignored.push(rowError(header.number, `(${table.columnName(index)})`, { key: 'import.column.headerless', params: { row: used.number } }));
      return;
    }
    const m = matchHeader(text);
    if (m.kind === 'ignored') {
      ignored.push(rowError(header.number, text, { key: 'import.column.unknown' }));
      return;
    }
    if (m.kind === 'unknown') {
      ignored.push(rowError(header.number, text, m.suggestion ? { key: 'import.column.unknownSuggest', params: { suggestion: m.suggestion } } : { key: 'import.column.unknown' }));
      return;
    }
    const prior = byKey.get(m.column.key);
    if (prior) {
      errors.push(rowError(header.number, text, { key: 'import.column.duplicate', params: { other: prior.header, letter: table.columnName(prior.index) } }));
      return;
    }
    byKey.set(m.column.key, { index, header: text });
  });
  // Columns with no header cell at all (beyond the header's last cell) that hold data.
  const width = header.cells.length;
  const seenExtra = new Set<number>();
  for (const r of below) {
    r.cells.forEach((c, i) => {
      if (i < width || seenExtra.has(i) || isBlank(c)) return;
      seenExtra.add(i);
      ignored.push(rowError(header.number, `(${table.columnName(i)})`, { key: 'import.column.headerless', params: { row: r.number } }));
    });
  }
  if (ignored.length > MAX_IGNORED_COLUMNS) {
    throw new AppError(
      'bad_request',
      `the sheet has ${ignored.length} columns that are not inventory columns (at most ${MAX_IGNORED_COLUMNS} are ignored): it does not look like a systems sheet; use the template`,
    );
  }
  let fatal = false;
  const required: Array<[ColumnKey, ColumnKey?]> = [['code'], ['name'], ['departmentCode', 'departmentName']];
  for (const [key, alt] of required) {
    if (byKey.has(key) || (alt && byKey.has(alt))) continue;
    fatal = true;
    const col = INVENTORY_COLUMNS.find((c) => c.key === key) as InventoryColumn;
    errors.push(rowError(header.number, col.zh, { key: 'import.column.required', params: { names: [col.zh, col.key, ...col.aliases].join(' / ') } }));
  }
  return { headerRow: header.number, byKey, errors, ignored, fatal };
}
