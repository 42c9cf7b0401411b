import { AppError } from '../errors.js';
import { decodeCsv, parseCsv } from '../inventory/import/csv.js';
import { detectFormat, IMPORT_LIMITS } from '../inventory/import/index.js';
import type { ImportRowError, RawTable } from '../inventory/import/table.js';
import { columnLetter, readXlsx } from '../inventory/import/xlsx.js';
import { cellText, isBlank, normalizeHeader, type Cell } from '../inventory/spreadsheet.js';

/**
 * Reading the government cloud's spreadsheets (the resource ledger, the monitoring export) with the
 * inventory import's readers: the .xlsx worker reader and the CSV decoding (UTF-8, GB18030, UTF-16).
 */

export interface SheetColumn<K extends string> {
  key: K;
  /** The Chinese header, then English and other spellings (compared by `normalizeHeader`: full-width, spaces, a trailing (unit) ignored). */
  headers: string[];
  required?: boolean;
}

export interface SheetRead<K extends string> {
  format: 'xlsx' | 'csv';
  headerRow: number;
  byKey: Map<K, { index: number; header: string }>;
  /** Data rows below the header (blank rows left out). */
  rows: Array<{ number: number; cells: Cell[] }>;
  errors: ImportRowError[];
  fatal: boolean;
}

function csvTable(bytes: Uint8Array): RawTable {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw new AppError('bad_request', 'not a CSV file: it is a zip archive (an .xlsx named .csv?); give it the right extension');
  }
  const { text } = decodeCsv(bytes);
  return { rows: parseCsv(text).map((cells, i) => ({ number: i + 1, cells: cells.map((c) => (c === '' ? null : c)) })), columnName: columnLetter };
}

const headerText = (c: Cell) => (c === null || (typeof c === 'object' && !(c instanceof Date)) ? '' : String(c).trim());

/**
 * Reads a sheet and finds its header row (the first of ten naming at least two known columns). Unknown
 * columns are errors when `strictColumns` (the ledger, like the inventory), skipped otherwise (monitoring
 * exports carry many columns of their own).
 */
export async function readSheet<K extends string>(
  bytes: Uint8Array,
  meta: { fileName?: string; contentType?: string },
  columns: readonly SheetColumn<K>[],
  strictColumns: boolean,
): Promise<SheetRead<K>> {
  const fileName = meta.fileName ?? 'the file';
  if (bytes.byteLength > IMPORT_LIMITS.maxBytes) throw new AppError('payload_too_large', `${fileName} is larger than ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB`);
  if (bytes.byteLength === 0) throw new AppError('bad_request', `${fileName} is empty`);
  const format = detectFormat(bytes, meta.fileName, meta.contentType);
  const table = format === 'xlsx' ? await readXlsx(bytes, IMPORT_LIMITS) : csvTable(bytes);
  const index = new Map<string, SheetColumn<K>>();
  for (const c of columns) for (const h of c.headers) index.set(normalizeHeader(h), c);
  const header = table.rows.slice(0, 10).find((r) => r.cells.filter((c) => index.has(normalizeHeader(headerText(c)))).length >= 2);
  if (!header) throw new AppError('bad_request', `no header row in ${fileName}: none of the first rows names the columns (such as ${columns.filter((c) => c.required).map((c) => c.headers[0]).join(', ')})`);
  const errors: ImportRowError[] = [];
  const byKey = new Map<K, { index: number; header: string }>();
  header.cells.forEach((cell, i) => {
    const text = headerText(cell);
    if (!text || ['序号', '行号', '#', 'no', 'no.'].includes(normalizeHeader(text))) return;
    const c = index.get(normalizeHeader(text));
    if (!c) {
      if (strictColumns) errors.push({ row: header.number, column: text, message: `unknown column; the columns are ${columns.map((x) => x.headers[0]).join(', ')}` });
      return;
    }
    const prior = byKey.get(c.key);
    if (prior) {
      errors.push({ row: header.number, column: text, message: `the same column as ${prior.header} (column ${table.columnName(prior.index)}); keep one of them` });
      return;
    }
    byKey.set(c.key, { index: i, header: text });
  });
  let fatal = false;
  for (const c of columns) {
    if (c.required && !byKey.has(c.key)) {
      fatal = true;
      errors.push({ row: header.number, column: c.headers[0]!, message: `required column missing (${c.headers.join(' / ')})` });
    }
  }
  const rows = table.rows.filter((r) => r.number > header.number && r.cells.some((c) => !isBlank(c)));
  if (rows.length > IMPORT_LIMITS.maxRows) throw new AppError('bad_request', `${fileName} has ${rows.length} rows; an import takes at most ${IMPORT_LIMITS.maxRows}`);
  return { format, headerRow: header.number, byKey, rows, errors, fatal };
}

/** Cell access for one row, collecting errors with the row number and the column as the file names it. */
export class RowReader<K extends string> {
  constructor(
    private readonly sheet: SheetRead<K>,
    private readonly row: { number: number; cells: Cell[] },
    private readonly errors: ImportRowError[],
  ) {}

  cell(key: K): Cell {
    const at = this.sheet.byKey.get(key);
    return at ? (this.row.cells[at.index] ?? null) : null;
  }

  fail(key: K, message: string): void {
    this.errors.push({ row: this.row.number, column: this.sheet.byKey.get(key)?.header ?? key, message });
  }

  text(key: K): string | null {
    const t = cellText(this.cell(key));
    if (!t.ok) {
      this.fail(key, t.message);
      return null;
    }
    return t.value?.trim() || null;
  }

  /** A number ≥ 0 (`12.5%` and `1,024` read as 12.5 and 1024); null when blank. */
  number(key: K, opts: { max?: number; what?: string } = {}): number | null {
    const c = this.cell(key);
    if (isBlank(c)) return null;
    let v: number;
    if (typeof c === 'number') v = c;
    else {
      const t = this.text(key);
      if (t === null) return null;
      const s = t.normalize('NFKC').replace(/[,\s]/g, '').replace(/%$/, '');
      v = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) ? Number(s) : Number.NaN;
      if (Number.isNaN(v)) {
        this.fail(key, `"${t.slice(0, 40)}" is not a number`);
        return null;
      }
    }
    if (!Number.isFinite(v) || v < 0) {
      this.fail(key, `${v} is not a number of 0 or more`);
      return null;
    }
    if (opts.max !== undefined && v > opts.max) {
      this.fail(key, `${v} is more than ${opts.max}${opts.what ? ` (${opts.what})` : ''}`);
      return null;
    }
    return v;
  }
}

/** A `YYYY-MM-DD` that names a real calendar day (the shared date reader checks only the shape). */
export function isCalendarDay(d: string): boolean {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
}
