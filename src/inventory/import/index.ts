import { requirePermission } from '../../auth/access.js';
import type { Db } from '../../db/client.js';
import { AppError, type FieldError } from '../../errors.js';
import type { Actor } from '../../audit/index.js';
import { applyUpsert, loadDirectory, loadExisting, planUpsert } from './apply.js';
import { decodeCsv, parseCsv, type CsvEncoding } from './csv.js';
import { collectCodes, rowIsBlank, validateRows } from './rows.js';
import { readHeader, type IgnoredColumn, type ImportRowError, type RawTable } from './table.js';
import { columnLetter, readXlsx } from './xlsx.js';

export type { IgnoredColumn, ImportRowError } from './table.js';

/** Rows listed in a dry run's preview (what would be created or updated). */
export const PREVIEW_ROWS = 500;

export const IMPORT_LIMITS = {
  /** The file itself. */
  maxBytes: 50 * 1024 * 1024,
  /** What an .xlsx may inflate to, all entries together (zip bombs). */
  maxUncompressed: 100 * 1024 * 1024,
  /** Files inside an .xlsx (a workbook has a dozen or so). */
  maxEntries: 1000,
  maxRows: 100_000,
  /** Cells an .xlsx worksheet may hold (rows × columns read). */
  maxCells: 2_000_000,
  /** Heap of the thread reading an .xlsx, in MB. */
  maxHeapMb: 768,
  /** Errors listed in full; the count says how many there were. */
  maxErrors: 1000,
} as const;

export type ImportFormat = 'xlsx' | 'csv';

export interface ImportInput {
  bytes: Uint8Array;
  /** Used for the format (by extension) and in messages. */
  fileName?: string;
  /** `text/csv` or the .xlsx media type; used when the file name has no extension. */
  contentType?: string;
  dryRun?: boolean;
  now?: Date;
}

export interface ImportSummary {
  dryRun: boolean;
  format: ImportFormat;
  encoding?: CsvEncoding;
  /** Non-empty data rows in the file. */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Every problem (the first IMPORT_LIMITS.maxErrors), sorted by row. */
  errors: ImportRowError[];
  errorCount: number;
  /** The sheet's header row (1-based; rows above it, such as a title, are skipped). */
  headerRow: number;
  /** Columns not read (序号, 备注, unknown headers): listed, never a reason to refuse. */
  ignoredColumns: IgnoredColumn[];
  /** The first PREVIEW_ROWS valid rows and what the import does with each. */
  preview: Array<{ row: number; code: string; name: string; departmentCode: string; departmentName: string; action: 'create' | 'update' | 'unchanged' }>;
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function detectFormat(bytes: Uint8Array, fileName?: string, contentType?: string): ImportFormat {
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(fileName ?? '')?.[1]?.toLowerCase();
  if (ext === 'xlsx' || ext === 'xlsm') return 'xlsx';
  if (ext === 'csv' || ext === 'txt' || ext === 'tsv') return 'csv';
  if (ext === 'xls' || ext === 'et' || ext === 'wps') throw new AppError('bad_request', `an .${ext} file: save it as .xlsx (Excel Workbook) or .csv and import that`);
  if (ext) throw new AppError('unsupported_media_type', `cannot import a .${ext} file: the inventory is imported from .xlsx or .csv`);
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === XLSX_TYPE) return 'xlsx';
  if (type === 'text/csv' || type === 'text/plain' || type === 'text/tab-separated-values') return 'csv';
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? 'xlsx' : 'csv';
}

function csvTable(bytes: Uint8Array): { table: RawTable; encoding: CsvEncoding } {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw new AppError('bad_request', 'not a CSV file: it is a zip archive (an .xlsx named .csv?); give it the right extension');
  }
  const { text, encoding } = decodeCsv(bytes);
  const records = parseCsv(text);
  return {
    encoding,
    table: { rows: records.map((cells, i) => ({ number: i + 1, cells: cells.map((c) => (c === '' ? null : c)) })), columnName: columnLetter },
  };
}

/**
 * Imports an .xlsx or .csv inventory: every row is mapped to the API shape and validated, and then either
 * nothing is written (any error, or a dry run) or everything is, in ONE transaction: new codes are created,
 * changed systems updated (version +1, an `import` audit entry with before/after), equal ones left alone.
 * Unreadable files are `bad_request`; row problems are `validation_failed` with `{row, column}` per error.
 */
export async function importInventory(db: Db, actor: Actor, input: ImportInput): Promise<ImportSummary> {
  requirePermission(actor.principal, 'import');
  const { bytes } = input;
  const fileName = input.fileName ?? 'the file';
  if (bytes.byteLength > IMPORT_LIMITS.maxBytes) {
    throw new AppError('payload_too_large', `${fileName} is ${(bytes.byteLength / 1024 / 1024).toFixed(1)} MB; an import takes at most ${IMPORT_LIMITS.maxBytes / 1024 / 1024} MB`);
  }
  if (bytes.byteLength === 0) throw new AppError('bad_request', `${fileName} is empty`);
  const format = detectFormat(bytes, input.fileName, input.contentType);
  let table: RawTable;
  let encoding: CsvEncoding | undefined;
  if (format === 'xlsx') table = await readXlsx(bytes, IMPORT_LIMITS);
  else ({ table, encoding } = csvTable(bytes));

  const layout = readHeader(table);
  const dataRows = table.rows.filter((r) => r.number > layout.headerRow && !rowIsBlank(r.cells, layout)).length;
  if (dataRows > IMPORT_LIMITS.maxRows) throw new AppError('bad_request', `${fileName} has ${dataRows} rows; an import takes at most ${IMPORT_LIMITS.maxRows}`);
  const codes = collectCodes(table, layout);
  const now = input.now ?? new Date();
  const dryRun = input.dryRun ?? false;

  const run = async (tx: Db, lock: boolean): Promise<ImportSummary> => {
    const directory = await loadDirectory(tx);
    const existing = await loadExisting(tx, codes, lock);
    const checked = layout.fatal ? { rows: [], errors: [], dataRows } : await validateRows(table, layout, directory, existing);
    const all = [...layout.errors, ...checked.errors];
    const plan = planUpsert(checked.rows);
    const creating = new Set(plan.creates.map((c) => c.input.code));
    const updating = new Set(plan.updates.map((c) => c.input.code));
    const preview = checked.rows.slice(0, PREVIEW_ROWS).map((r) => ({
      row: r.row,
      code: r.input.code,
      name: r.input.name,
      departmentCode: r.department.code,
      departmentName: r.department.name,
      action: creating.has(r.input.code) ? ('create' as const) : updating.has(r.input.code) ? ('update' as const) : ('unchanged' as const),
    }));
    const summary: ImportSummary = {
      dryRun,
      format,
      ...(encoding ? { encoding } : {}),
      rows: dataRows,
      created: plan.creates.length,
      updated: plan.updates.length,
      unchanged: plan.unchanged,
      errors: all.slice(0, IMPORT_LIMITS.maxErrors),
      errorCount: all.length,
      headerRow: layout.headerRow,
      ignoredColumns: layout.ignored,
      preview,
    };
    if (dryRun) return summary;
    if (all.length) throw rowErrors(fileName, all);
    await applyUpsert(tx, actor, plan, { now, action: 'import' });
    return summary;
  };
  return dryRun ? run(db, false) : db.transaction((tx) => run(tx, true));
}

/** The AppError of a refused import: `errors[].path` reads "row 12, 系统名称"; `row` and `column` are there too. */
export function rowErrors(fileName: string, all: ImportRowError[]): AppError {
  const rowsWithErrors = new Set(all.map((e) => e.row)).size;
  const first = all[0]!;
  const detail =
    `${all.length} problem${all.length === 1 ? '' : 's'} in ${rowsWithErrors} row${rowsWithErrors === 1 ? '' : 's'} of ${fileName}; nothing was imported ` +
    `(first: row ${first.row}, ${first.column}: ${first.message})`;
  const errors: Array<FieldError & ImportRowError> = all
    .slice(0, IMPORT_LIMITS.maxErrors)
    .map((e) => ({ path: `row ${e.row}, ${e.column}`, message: e.message, row: e.row, column: e.column }));
  return new AppError('validation_failed', detail, errors);
}
