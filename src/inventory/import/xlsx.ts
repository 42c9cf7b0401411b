import ExcelJS from 'exceljs';
import { AppError } from '../../errors.js';
import type { Cell } from '../spreadsheet.js';
import type { RawTable } from './table.js';
import { checkXlsxContainer, type ZipLimits } from './zip-guard.js';

/** Rows of the first visible worksheet, cells as plain values. The container is checked before exceljs inflates it. */
export async function readXlsx(bytes: Uint8Array, limits: ZipLimits & { maxRows: number }): Promise<RawTable> {
  checkXlsxContainer(bytes, limits);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ExcelJS.Buffer);
  } catch (e) {
    throw new AppError('bad_request', `the .xlsx cannot be read (${firstLine(e)}); open it in Excel and save it again`);
  }
  const sheet = workbook.worksheets.find((w) => w.state === 'visible') ?? workbook.worksheets[0];
  if (!sheet) throw new AppError('bad_request', 'the .xlsx has no worksheet');
  if (sheet.rowCount > limits.maxRows + 20) {
    throw new AppError('bad_request', `the worksheet "${sheet.name}" has ${sheet.rowCount} rows; an import takes at most ${limits.maxRows}`);
  }
  const rows: RawTable['rows'] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const values = row.values as ExcelJS.CellValue[];
    const cells: Cell[] = [];
    for (let i = 1; i < values.length; i++) cells.push(toCell(values[i]));
    rows.push({ number, cells });
  });
  return { rows, sheetName: sheet.name, columnName: columnLetter };
}

function toCell(v: ExcelJS.CellValue): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (v instanceof Date) return v;
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('hyperlink' in v) {
    const text = typeof v.text === 'string' ? v.text : toCell(v.text as ExcelJS.CellValue);
    // A link shown as a label ("门户网站") stands for its target.
    return typeof text === 'string' && /^\s*https?:\/\//i.test(text) ? text : v.hyperlink;
  }
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as ExcelJS.CellFormulaValue).result;
    if (result === undefined || result === null) return { error: 'a formula without a saved result; paste the values instead' };
    return toCell(result as ExcelJS.CellValue);
  }
  if ('error' in v) return { error: `the cell holds the Excel error ${v.error}` };
  return null;
}

export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200);
}
