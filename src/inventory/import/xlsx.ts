import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../../errors.js';
import type { RawTable } from './table.js';
import type { XlsxWorkerInput, XlsxWorkerMessage } from './xlsx-worker.js';
import { checkXlsxContainer, type ZipLimits } from './zip-guard.js';

export { toCell } from './xlsx-cells.js';

export interface XlsxLimits extends ZipLimits {
  maxRows: number;
  /** Non-empty and empty cells of the rows read, together. */
  maxCells: number;
  /** Heap of the reading thread, in MB. */
  maxHeapMb: number;
}

/** The worker's script: next to the bundle (dist/xlsx-worker.mjs), or the TypeScript source run through tsx. */
function workerScript(): { url: URL; execArgv: string[] } {
  // In the bundle this code sits in dist/ or in a chunk of dist/chunks/.
  for (const bundled of [new URL('./xlsx-worker.mjs', import.meta.url), new URL('../xlsx-worker.mjs', import.meta.url)]) {
    if (existsSync(fileURLToPath(bundled))) return { url: bundled, execArgv: [] };
  }
  return { url: new URL('./xlsx-worker-source.mjs', import.meta.url), execArgv: [] };
}

/**
 * Rows of the first visible worksheet, cells as plain values. The container is checked first (zip
 * bombs, lying sizes; inflating on the thread pool), then read in a worker thread by exceljs's
 * streaming reader, so a large or hostile workbook never stalls the event loop; rows come back
 * in batches.
 */
export async function readXlsx(bytes: Uint8Array, limits: XlsxLimits): Promise<RawTable> {
  await checkXlsxContainer(bytes, limits);
  const { url, execArgv } = workerScript();
  const copy = new Uint8Array(bytes); // a copy the worker owns (transferred, not cloned; Buffer#slice would share)
  const input: XlsxWorkerInput = { bytes: copy, limits: { maxUncompressed: limits.maxUncompressed, maxEntries: limits.maxEntries, maxRows: limits.maxRows, maxCells: limits.maxCells } };
  const worker = new Worker(url, {
    workerData: input,
    transferList: [copy.buffer as ArrayBuffer],
    execArgv,
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 32 },
    stdout: false,
    stderr: false,
  });
  const rows: RawTable['rows'] = [];
  return new Promise<RawTable>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      fn();
    };
    worker.on('message', (m: XlsxWorkerMessage) => {
      if (m.type === 'rows') for (const r of m.rows) rows.push(r);
      else if (m.type === 'done') settle(() => resolve({ rows, ...(m.sheetName ? { sheetName: m.sheetName } : {}), columnName: columnLetter }));
      else settle(() => reject(new AppError('bad_request', m.detail)));
    });
    worker.on('error', (err: NodeJS.ErrnoException) => {
      settle(() =>
        reject(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new AppError('bad_request', `the .xlsx needs more than ${limits.maxHeapMb} MB to read; far more than an inventory: refused`)
            : new AppError('bad_request', `the .xlsx cannot be read (${String(err.message).split('\n')[0]!.slice(0, 200)}); open it in Excel and save it again`),
        ),
      );
    });
    worker.on('exit', (code) => settle(() => reject(new AppError('bad_request', `the .xlsx cannot be read (the reader stopped with code ${code}); open it in Excel and save it again`))));
  });
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
