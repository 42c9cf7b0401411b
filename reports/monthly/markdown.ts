import { DEFAULT_LANG, type Lang } from '../../i18n/index.js';
import type { MonthlyReport } from './build.js';
import { formatCell, localizeReport, type Block, type Cell, type ChartBlock, type ReportDocument } from './document.js';

/** GitHub-flavoured Markdown. Charts become their data tables; raw HTML in any text is neutralised. */
export function renderMarkdown(report: MonthlyReport, lang: Lang = DEFAULT_LANG): string {
  return markdownOf(localizeReport(report, lang));
}

/**
 * Escapes text so Markdown and embedded HTML cannot be injected through names or reasons. `lineStart`:
 * the text begins a line (paragraph, list item), where `#`, `-`, `+` and "1." would start a block.
 */
export function mdEscape(s: string, lineStart = true): string {
  const inline = s
    .replace(/\r?\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
  return lineStart ? inline.replace(/^(\s*)([#+-])/, '$1\\$2').replace(/^(\s*\d+)\./, '$1\\.') : inline;
}

function cellMd(c: Cell): string {
  const f = formatCell(c);
  return mdEscape(f.delta !== null ? `${f.value} (${f.delta})` : f.value, false);
}

function table(header: string[], aligns: ('l' | 'r')[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(aligns.map((a) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

function chartMd(b: ChartBlock): string {
  const header = ['', ...b.series.map((s) => mdEscape(s.label, false))];
  const rows = b.categories.map((c, i) => [
    mdEscape(c, false),
    ...b.series.map((s) => {
      const v = s.values[i] ?? null;
      return cellMd(b.percent ? { t: 'pct', v } : { t: 'int', v });
    }),
  ]);
  return `**${mdEscape(b.title, false)}**\n\n${table(header, ['l', ...b.series.map(() => 'r' as const)], rows)}`;
}

function blockMd(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return mdEscape(b.text);
    case 'subheading':
      return `### ${mdEscape(b.text, false)}`;
    case 'list':
      return b.items.map((it, i) => `${b.ordered ? `${i + 1}.` : '-'} ${mdEscape(it, false)}`).join('\n');
    case 'figures':
      return `**${mdEscape(b.caption, false)}**\n\n${table(['', ''], ['l', 'r'], b.items.map((it) => [mdEscape(it.label, false), cellMd(it.value)]))}`;
    case 'table': {
      const parts = [`**${mdEscape(b.caption, false)}**`, table(b.columns.map((c) => mdEscape(c.label, false)), b.columns.map((c) => (c.kind === 'text' ? 'l' : 'r')), b.rows.map((r) => r.map(cellMd)))];
      if (b.note) parts.push(`*${mdEscape(b.note, false)}*`);
      return parts.join('\n\n');
    }
    case 'chart':
      return chartMd(b);
  }
}

export function markdownOf(doc: ReportDocument): string {
  const out: string[] = [`# ${mdEscape(doc.title, false)}`, mdEscape(doc.subtitle), doc.meta.map((m) => `- **${mdEscape(m.label, false)}**: ${mdEscape(m.value, false)}`).join('\n'), mdEscape(doc.recipient)];
  for (const s of doc.sections) {
    out.push(`## ${mdEscape(s.heading, false)}`);
    for (const b of s.blocks) out.push(blockMd(b));
  }
  out.push('---', `*${mdEscape(doc.footer, false)}*`);
  return out.join('\n\n') + '\n';
}
