import type ExcelJS from 'exceljs';

/**
 * A new exceljs workbook. exceljs (with archiver, unzipper and their file-system helpers) is loaded on the
 * first workbook, not when the process starts: `xuncha serve` and `xuncha sweep` pay ~0.5 s of CPU and
 * tens of MB for it otherwise, and most processes never write a spreadsheet.
 */
export async function newWorkbook(): Promise<ExcelJS.Workbook> {
  const { default: Excel } = await import('exceljs');
  return new Excel.Workbook();
}
