/**
 * `_xHHHH_` in text survives the .xlsx round trip: escaped on write, unescaped exactly on read — as a
 * property over arbitrary strings, and through a real workbook written by exceljs and read back by the
 * import's streaming reader.
 */
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeOoxml, unescapeOoxml } from '../../src/inventory/spreadsheet.js';
import { IMPORT_LIMITS } from '../../src/inventory/import/index.js';
import { readXlsx } from '../../src/inventory/import/xlsx.js';

const ooxmlish = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.array(fc.oneof(fc.constantFrom('_x', '_', 'x', '_x005F_', '_x0041_', '_x000D_', '_xD800_', '\r', '\r\n', '\u0000', '\uD800', '名称'), fc.stringMatching(/^[0-9A-Fa-f]{4}$/)), { maxLength: 12 }).map((parts) => parts.join('')),
);

describe('_xHHHH_ escaping', () => {
  it('unescapeOoxml(escapeOoxml(s)) === s for every string', () => {
    fc.assert(fc.property(ooxmlish, (s) => unescapeOoxml(escapeOoxml(s)) === s), { numRuns: 2000 });
  });

  it('escaped text holds nothing XML cannot carry', () => {
    fc.assert(
      // eslint-disable-next-line no-control-regex
      fc.property(ooxmlish, (s) => !/[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]/.test(escapeOoxml(s))),
      { numRuns: 1000 },
    );
  });

  it('a workbook round trip keeps arbitrary text exactly', async () => {
    const values = fc.sample(ooxmlish, { numRuns: 300, seed: 13 }).filter((s) => s.length > 0);
    values.push('_x0041_', '_x005F_x0041_', 'a_x000D_b', '系统_x4E2D_名称', 'CR\rLF\r\nEnd');
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('系统清单');
    for (const v of values) ws.addRow([escapeOoxml(v)]);
    const bytes = Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
    const table = await readXlsx(bytes, IMPORT_LIMITS);
    const read = table.rows.map((r) => r.cells[0]);
    expect(read).toEqual(values);
  }, 120_000);
});
