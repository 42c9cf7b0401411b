import type ExcelJS from 'exceljs';
import type { Cell } from '../spreadsheet.js';

/** An exceljs cell value as a plain cell of the import. */
export function toCell(v: ExcelJS.CellValue): Cell {
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
