import type ExcelJS from 'exceljs';
import { t, DEFAULT_LANG, type Lang } from '../../i18n/index.js';
import { neutralizeFormula } from '../formula.js';
import type { MonthlyReport } from './build.js';
import { formatCell, localizeReport, type Block, type Cell, type ReportDocument, type TableBlock } from './document.js';

/**
 * XLSX workbook: an overview sheet with the full text and key figures, then one sheet per table, numbers
 * as numbers (rates formatted as percentages, changes as signed numbers in their own columns).
 *
 * Byte-reproducible: the workbook's created/modified dates are the report's `asOf` day, and the ZIP
 * entries' timestamps (which JSZip would otherwise take from the clock) are rewritten to the same day.
 * Nothing else in the file depends on time or chance, so the same report gives the same bytes.
 */
export async function renderXlsx(report: MonthlyReport, lang: Lang = DEFAULT_LANG): Promise<Buffer> {
  const fixed = new Date(`${report.meta.asOf}T00:00:00.000Z`);
  const buf = await xlsxOf(localizeReport(report, lang), fixed);
  return normaliseZipTimestamps(buf, fixed);
}

const FMT = { int: '0', pct: '0.0%', deltaInt: '+0;-0;0', deltaPp: '+0.0;-0.0;0.0' } as const;
const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEEEEE' } };
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FF999999' } },
  left: { style: 'thin', color: { argb: 'FF999999' } },
  bottom: { style: 'thin', color: { argb: 'FF999999' } },
  right: { style: 'thin', color: { argb: 'FF999999' } },
};

/** Excel sheet names: at most 31 characters, none of \ / ? * [ ] :, unique ignoring case. */
export function sheetName(wanted: string, taken: Set<string>): string {
  const base = wanted.replace(/[\\/?*[\]:]/g, ' ').trim().slice(0, 31) || 'Sheet';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)}-${i}`;
  taken.add(name.toLowerCase());
  return name;
}

function setValue(cell: ExcelJS.Cell, c: Cell): void {
  if (c.t === 'text') {
    cell.value = neutralizeFormula(c.v);
    return;
  }
  if (c.v === null) {
    cell.value = null;
    return;
  }
  cell.value = c.v;
  // Resource figures (vCPU, GB) carry decimals: shown with them, counts stay whole.
  cell.numFmt = c.t === 'pct' ? FMT.pct : Number.isInteger(c.v) ? FMT.int : '0.0#';
}

function setDelta(cell: ExcelJS.Cell, c: Cell): void {
  const d = c.t === 'text' ? null : (c.d ?? null);
  if (d === null) return;
  if (c.t === 'pct') {
    cell.value = Math.round(d * 1000) / 10;
    cell.numFmt = FMT.deltaPp;
  } else {
    cell.value = d;
    cell.numFmt = FMT.deltaInt;
  }
}

function tableSheet(wb: ExcelJS.Workbook, lang: Lang, tb: TableBlock, taken: Set<string>): void {
  const ws = wb.addWorksheet(sheetName(tb.sheetName, taken), { views: [{ state: 'frozen', ySplit: 2 }] });
  const headers: string[] = [];
  const widths: number[] = [];
  for (const c of tb.columns) {
    headers.push(c.label);
    widths.push(Math.round(10 * c.width) + 2);
    if (c.delta) {
      headers.push(t(lang, c.kind === 'pct' ? 'report.col.delta_pp_of' : 'report.col.delta_of', { label: c.label }));
      widths.push(10);
    }
  }
  ws.getCell(1, 1).value = tb.caption;
  ws.getCell(1, 1).font = { bold: true, size: 12 };
  const head = ws.getRow(2);
  headers.forEach((h, i) => {
    const cell = head.getCell(i + 1);
    cell.value = h;
    cell.font = { bold: true };
    cell.fill = HEADER_FILL;
    cell.border = THIN;
    cell.alignment = { wrapText: true, vertical: 'middle', horizontal: 'center' };
  });
  tb.rows.forEach((r, ri) => {
    const row = ws.getRow(3 + ri);
    let ci = 1;
    r.forEach((c, i) => {
      const cell = row.getCell(ci++);
      setValue(cell, c);
      cell.border = THIN;
      if (c.t === 'text') cell.alignment = { wrapText: true, vertical: 'top' };
      if (tb.columns[i]?.delta) {
        const dc = row.getCell(ci++);
        setDelta(dc, c);
        dc.border = THIN;
      }
    });
  });
  widths.forEach((w, i) => (ws.getColumn(i + 1).width = w));
  if (tb.note) ws.getCell(3 + tb.rows.length + 1, 1).value = tb.note;
}

function blockLines(b: Block): string[] {
  switch (b.kind) {
    case 'paragraph':
    case 'subheading':
      return [b.text];
    case 'list':
      return b.items.map((it, i) => (b.ordered ? `${i + 1}. ${it}` : `· ${it}`));
    default:
      return [];
  }
}

async function xlsxOf(doc: ReportDocument, fixed: Date): Promise<Buffer> {
  // exceljs is loaded on use, not at start (see src/excel.ts).
  const wb = new (await import('exceljs')).default.Workbook();
  wb.creator = 'Xuncha';
  wb.lastModifiedBy = 'Xuncha';
  wb.created = fixed;
  wb.modified = fixed;
  wb.title = `${doc.title} ${doc.subtitle}`;
  const taken = new Set<string>();

  const ov = wb.addWorksheet(sheetName(t(doc.lang, 'report.sheet.overview'), taken));
  ov.getColumn(1).width = 28;
  ov.getColumn(2).width = 90;
  ov.getColumn(3).width = 14;
  let r = 1;
  const put = (a: string, b?: string, bold = false) => {
    const row = ov.getRow(r++);
    row.getCell(1).value = neutralizeFormula(a);
    if (b !== undefined) row.getCell(2).value = neutralizeFormula(b);
    if (bold) row.getCell(1).font = { bold: true, size: 12 };
    row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
    return row;
  };
  put(`${doc.title}${doc.lang === 'en' ? ' ' : ''}${doc.subtitle}`, undefined, true).getCell(1).font = { bold: true, size: 16 };
  for (const m of doc.meta) put(m.label, m.value);
  r++;
  for (const s of doc.sections) {
    for (const b of s.blocks) {
      if (b.kind !== 'figures') continue;
      put(b.caption, undefined, true);
      for (const it of b.items) {
        const row = put(it.label);
        const vc = row.getCell(2);
        setValue(vc, it.value);
        vc.alignment = { horizontal: 'left' };
        if (formatCell(it.value).delta !== null) setDelta(row.getCell(3), it.value);
      }
      r++;
    }
  }
  put(doc.recipient);
  for (const s of doc.sections) {
    if (s.id === 'appendix') continue;
    put(s.heading, undefined, true);
    for (const b of s.blocks) for (const line of blockLines(b)) put('', line);
  }
  r++;
  put('', doc.footer);

  for (const s of doc.sections) for (const b of s.blocks) if (b.kind === 'table') tableSheet(wb, doc.lang, b, taken);

  const out = await wb.xlsx.writeBuffer();
  return Buffer.from(out as ArrayBuffer);
}

/**
 * Rewrites the DOS modification time/date of every entry (local headers and central directory) of a ZIP
 * archive without a trailing comment, as JSZip writes them. Throws on anything else rather than guess.
 */
export function normaliseZipTimestamps(zip: Buffer, at: Date): Buffer {
  const out = Buffer.from(zip);
  const dosTime = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2);
  const dosDate = ((Math.max(1980, at.getUTCFullYear()) - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  const eocd = out.length - 22;
  if (eocd < 0 || out.readUInt32LE(eocd) !== 0x06054b50) throw new Error('xlsx: unexpected ZIP layout (no end of central directory record)');
  const entries = out.readUInt16LE(eocd + 10);
  let p = out.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    if (out.readUInt32LE(p) !== 0x02014b50) throw new Error('xlsx: unexpected ZIP layout (central directory)');
    out.writeUInt16LE(dosTime, p + 12);
    out.writeUInt16LE(dosDate, p + 14);
    const local = out.readUInt32LE(p + 42);
    if (out.readUInt32LE(local) !== 0x04034b50) throw new Error('xlsx: unexpected ZIP layout (local header)');
    out.writeUInt16LE(dosTime, local + 10);
    out.writeUInt16LE(dosDate, local + 12);
    p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
  }
  return out;
}
