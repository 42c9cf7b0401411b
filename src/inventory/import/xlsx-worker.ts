/**
 * Worker thread of the .xlsx import: streams the first visible worksheet with exceljs's WorkbookReader
 * (after the parent's zip guard passed the container), so the XML parsing never runs on the server's
 * event loop. Rows go back in batches; caps on rows and cells end the
 * read early; the thread's heap is capped by its parent (resourceLimits).
 */
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import { AppError } from '../../errors.js';
import type { Cell } from '../spreadsheet.js';
import { toCell } from './xlsx-cells.js';
import type { ZipLimits } from './zip-guard.js';

export interface XlsxWorkerInput {
  bytes: Uint8Array;
  limits: ZipLimits & { maxRows: number; maxCells: number };
}

export type XlsxWorkerMessage =
  | { type: 'rows'; rows: Array<{ number: number; cells: Cell[] }> }
  | { type: 'done'; sheetName?: string }
  | { type: 'refused'; detail: string };

/** Cells per message: each message is deserialized on the event loop, so keep them small. */
const BATCH_CELLS = 10_000;

async function read({ bytes, limits }: XlsxWorkerInput): Promise<void> {
  const port = parentPort!;
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // dates are told from numbers by their style
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let target: string | undefined;
  let sheetName: string | undefined;
  let found = false;
  let cells = 0;
  let batch: Array<{ number: number; cells: Cell[] }> = [];
  let batchCells = 0;
  for await (const sheet of reader as AsyncIterable<ExcelJS.stream.xlsx.WorksheetReader & { id?: string | number; name?: string; state?: string }>) {
    const model = (reader as unknown as { model?: { sheets?: Array<{ id: number | string; name: string; state?: string }> } }).model;
    if (target === undefined && model?.sheets?.length) {
      const first = model.sheets.find((s) => !s.state || s.state === 'visible') ?? model.sheets[0]!;
      target = String(first.id);
    }
    const wanted = !found && (target === undefined || String(sheet.id) === target);
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      if (!wanted) continue; // drain: the reader moves on only once a sheet is read
      if (row.number > limits.maxRows + 20) throw new AppError('bad_request', `the worksheet "${sheet.name ?? ''}" has more than ${limits.maxRows} rows; an import takes at most ${limits.maxRows}`);
      const values = row.values as ExcelJS.CellValue[];
      const out: Cell[] = [];
      for (let i = 1; i < values.length; i++) out.push(toCell(values[i]));
      cells += out.length;
      if (cells > limits.maxCells) throw new AppError('bad_request', `the worksheet "${sheet.name ?? ''}" has more than ${limits.maxCells} cells; an inventory import takes at most that many`);
      if (out.length) batch.push({ number: row.number, cells: out });
      batchCells += out.length;
      if (batchCells >= BATCH_CELLS) {
        port.postMessage({ type: 'rows', rows: batch } satisfies XlsxWorkerMessage);
        batch = [];
        batchCells = 0;
      }
    }
    if (wanted) {
      found = true;
      sheetName = sheet.name;
    }
  }
  if (!found) throw new AppError('bad_request', 'the .xlsx has no worksheet');
  if (batch.length) port.postMessage({ type: 'rows', rows: batch } satisfies XlsxWorkerMessage);
  port.postMessage({ type: 'done', ...(sheetName ? { sheetName } : {}) } satisfies XlsxWorkerMessage);
}

if (parentPort && workerData) {
  read(workerData as XlsxWorkerInput).catch((e: unknown) => {
    const detail =
      e instanceof AppError ? e.message : `the .xlsx cannot be read (${String((e as Error)?.message ?? e).split('\n')[0]!.slice(0, 200)}); open it in Excel and save it again`;
    parentPort!.postMessage({ type: 'refused', detail } satisfies XlsxWorkerMessage);
  });
}
