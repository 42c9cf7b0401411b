import { t, DEFAULT_LANG, type Lang } from '../../i18n/index.js';
import { neutralizeFormula } from '../formula.js';
import type { MonthlyReport } from './build.js';
import { formatCell, localizeReport, type Cell, type Column, type ReportDocument, type TableBlock } from './document.js';

/**
 * CSV: UTF-8 with a byte-order mark (so Excel opens Chinese text correctly), CRLF line ends, RFC 4180
 * quoting. The report's tables one after another, each under a caption line, separated by a blank line.
 *
 * Formula injection: a text cell starting with = + - @ (or tab / carriage return) gets a leading
 * apostrophe so spreadsheet programs show it as text. Number cells that we wrote ourselves ("-2",
 * "96.3%") are left alone: they are plain numbers, not formulas.
 */
export function renderCsv(report: MonthlyReport, lang: Lang = DEFAULT_LANG): string {
  return csvOf(localizeReport(report, lang));
}

export const BOM = '\uFEFF';

interface Out {
  text: string;
  numeric: boolean;
}

export function csvField(value: string, numeric = false): string {
  let v = value;
  if (!numeric) v = neutralizeFormula(v);
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function line(cells: Out[]): string {
  return cells.map((c) => csvField(c.text, c.numeric)).join(',');
}

const text = (s: string): Out => ({ text: s, numeric: false });

/** A cell's value, and with `delta` its change, as CSV fields: numbers bare, rates as "96.3%", missing as empty. */
function cellOut(cell: Cell, withDelta: boolean): Out[] {
  if (cell.t === 'text') return [text(cell.v)];
  const f = formatCell(cell);
  const value: Out = { text: cell.v === null ? '' : f.value, numeric: true };
  if (!withDelta) return [value];
  const d = cell.d ?? null;
  const delta: Out = { text: d === null ? '' : cell.t === 'pct' ? (Math.round(d * 1000) / 10).toFixed(1) : String(d), numeric: true };
  return [value, delta];
}

function header(lang: Lang, columns: Column[]): Out[] {
  return columns.flatMap((c) =>
    c.delta ? [text(c.label), text(t(lang, c.kind === 'pct' ? 'report.col.delta_pp_of' : 'report.col.delta_of', { label: c.label }))] : [text(c.label)],
  );
}

function tableLines(lang: Lang, tb: TableBlock): string[] {
  return [line([text(tb.caption)]), line(header(lang, tb.columns)), ...tb.rows.map((r) => line(r.flatMap((c, i) => cellOut(c, tb.columns[i]?.delta ?? false))))];
}

export function csvOf(doc: ReportDocument): string {
  const lang = doc.lang;
  const lines: string[] = [line([text(`${doc.title}${doc.lang === 'en' ? ' ' : ''}${doc.subtitle}`)]), ...doc.meta.map((m) => line([text(m.label), text(m.value)])), ''];
  for (const s of doc.sections) {
    for (const b of s.blocks) {
      if (b.kind === 'figures') {
        lines.push(
          line([text(b.caption)]),
          line([text(t(lang, 'report.col.indicator')), text(t(lang, 'report.col.value')), text(t(lang, 'report.col.delta_of', { label: '' }).trim())]),
          ...b.items.map((it) => line([text(it.label), ...cellOut(it.value, true)])),
          '',
        );
      } else if (b.kind === 'table') {
        lines.push(...tableLines(lang, b), '');
      }
    }
  }
  return BOM + lines.join('\r\n');
}
