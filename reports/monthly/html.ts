import { DEFAULT_LANG, type Lang } from '../../i18n/index.js';
import type { MonthlyReport } from './build.js';
import { chartSvg, escapeXml } from './charts.js';
import { formatCell, localizeReport, type Block, type Cell, type ReportDocument, type TableBlock } from './document.js';

/**
 * A self-contained printable page (A4): inline CSS and SVG only — no scripts, external fonts, images or
 * URLs — so it prints the same offline and can be archived as is. All text is HTML-escaped.
 */
export function renderHtml(report: MonthlyReport, lang: Lang = DEFAULT_LANG): string {
  return htmlOf(localizeReport(report, lang));
}

const esc = escapeXml;

const CSS = `
@page { size: A4; margin: 20mm 16mm 18mm 16mm; }
@page { @bottom-center { content: counter(page); font-size: 9pt; } }
html { color-scheme: light; }
body { margin: 0; color: #111; background: #fff; font-size: 12pt; line-height: 1.65;
  font-family: "FangSong", "STFangsong", "FangSong_GB2312", "仿宋", "Noto Serif CJK SC", "Source Han Serif SC", "Songti SC", serif; }
body.lang-en { font-family: "Times New Roman", Georgia, serif; }
.report { max-width: 178mm; margin: 0 auto; padding: 10mm 0 14mm; }
h1, h2, .figure .v { font-family: "SimHei", "Heiti SC", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif; }
h1 { font-size: 20pt; text-align: center; margin: 0; line-height: 1.35; font-weight: bold; }
.subtitle { text-align: center; margin: 0.2em 0 0.8em; font-size: 14pt; }
h2 { font-size: 15pt; margin: 1.2em 0 0.4em; break-after: avoid; page-break-after: avoid; }
h3 { font-family: "KaiTi", "STKaiti", "楷体", "Noto Serif CJK SC", serif; font-size: 13pt; margin: 0.9em 0 0.3em; break-after: avoid; page-break-after: avoid; }
p { margin: 0.25em 0; }
.lang-zh p { text-indent: 2em; }
.recipient { text-indent: 0 !important; margin-top: 1em; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0 1em; font-size: 9pt; color: #444; margin: 0 0 0.6em; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; word-break: break-all; }
ol, ul { margin: 0.3em 0 0.3em 2.2em; padding: 0; } li { margin: 0.15em 0; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 4pt; margin: 0.6em 0; break-inside: avoid; page-break-inside: avoid; }
.figure { border: 0.6pt solid #999; padding: 3pt 5pt; text-align: center; }
.figure .v { font-size: 15pt; } .figure .l { font-size: 9pt; color: #333; } .figure .d { font-size: 8pt; color: #555; }
figure { margin: 0.6em 0; break-inside: avoid; page-break-inside: avoid; }
figure.table-wrap { break-inside: auto; page-break-inside: auto; }
figcaption { font-size: 9pt; color: #333; text-align: center; margin-top: 2pt; }
svg.chart { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; line-height: 1.35; }
caption { caption-side: top; font-weight: bold; font-size: 10pt; padding: 0 0 3pt; text-align: center; }
th, td { border: 0.6pt solid #555; padding: 2pt 3pt; vertical-align: top; }
th { background: #eee; font-weight: bold; text-align: center; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.delta { display: block; font-size: 7.5pt; color: #555; }
.note { font-size: 8.5pt; color: #444; text-align: left; }
footer { margin-top: 1.5em; padding-top: 0.4em; border-top: 0.6pt solid #999; font-size: 8.5pt; color: #444; word-break: break-all; }
@media screen { body { background: #e8e8e8; } .report { background: #fff; padding: 16mm; margin: 8mm auto; box-shadow: 0 0 4px #aaa; } }
@media print { .report { max-width: none; padding: 0; } h2 { margin-top: 0.9em; } }
`.trim();

function cellHtml(cell: Cell, heatColor: string | null, columnMax: number): string {
  const f = formatCell(cell);
  const numeric = cell.t !== 'text';
  let style = '';
  if (heatColor && cell.t === 'int' && cell.v !== null && cell.v > 0 && columnMax > 0) {
    const alpha = 0.15 + 0.6 * (cell.v / columnMax);
    style = ` style="background-color:${rgba(heatColor, alpha)}"`;
  }
  const delta = f.delta !== null ? `<span class="delta">(${esc(f.delta)})</span>` : '';
  return `<td${numeric ? ' class="num"' : ''}${style}>${esc(f.value)}${delta}</td>`;
}

function rgba(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return 'transparent';
  return `rgba(${parseInt(m[1]!, 16)},${parseInt(m[2]!, 16)},${parseInt(m[3]!, 16)},${alpha.toFixed(2)})`;
}

function tableHtml(tb: TableBlock): string {
  const maxes = tb.columns.map((_, ci) => Math.max(0, ...tb.rows.map((r) => (r[ci]?.t === 'int' ? (r[ci] as { v: number | null }).v ?? 0 : 0))));
  const head = tb.columns.map((c) => `<th scope="col">${esc(c.label)}</th>`).join('');
  const body = tb.rows.map((r) => `<tr>${r.map((c, ci) => cellHtml(c, tb.heatColors?.[ci] ?? null, maxes[ci] ?? 0)).join('')}</tr>`).join('\n');
  return [
    `<figure class="table-wrap" id="table-${esc(tb.id)}">`,
    `<table><caption>${esc(tb.caption)}</caption>`,
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody></table>`,
    tb.note ? `<figcaption class="note">${esc(tb.note)}</figcaption>` : '',
    '</figure>',
  ].join('\n');
}

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'paragraph':
      return `<p>${esc(b.text)}</p>`;
    case 'subheading':
      return `<h3>${esc(b.text)}</h3>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>\n${b.items.map((i) => `<li>${esc(i)}</li>`).join('\n')}\n</${tag}>`;
    }
    case 'figures':
      return [
        `<div class="figures" role="group" aria-label="${esc(b.caption)}">`,
        ...b.items.map((it) => {
          const f = formatCell(it.value);
          return `<div class="figure"><div class="v">${esc(f.value)}</div><div class="l">${esc(it.label)}</div>${f.delta !== null ? `<div class="d">(${esc(f.delta)})</div>` : ''}</div>`;
        }),
        '</div>',
      ].join('\n');
    case 'table':
      return tableHtml(b);
    case 'chart':
      return `<figure class="chart-wrap" id="chart-${esc(b.id)}">${chartSvg(b)}<figcaption>${esc(b.title)}</figcaption></figure>`;
  }
}

export function htmlOf(doc: ReportDocument): string {
  const htmlLang = doc.lang === 'zh' ? 'zh-CN' : 'en';
  const out: string[] = [
    '<!DOCTYPE html>',
    `<html lang="${htmlLang}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(`${doc.title} ${doc.subtitle}`)}</title>`,
    `<style>\n${CSS}\n</style>`,
    '</head>',
    `<body class="lang-${doc.lang}">`,
    '<article class="report">',
    '<header>',
    `<h1>${esc(doc.title)}</h1>`,
    `<p class="subtitle">${esc(doc.subtitle)}</p>`,
    `<dl class="meta">${doc.meta.map((m) => `<dt>${esc(m.label)}</dt><dd>${esc(m.value)}</dd>`).join('')}</dl>`,
    '</header>',
    `<p class="recipient">${esc(doc.recipient)}</p>`,
  ];
  for (const s of doc.sections) {
    out.push(`<section id="${esc(s.id)}">`, `<h2>${esc(s.heading)}</h2>`);
    for (const b of s.blocks) out.push(blockHtml(b));
    out.push('</section>');
  }
  out.push(`<footer>${esc(doc.footer)}</footer>`, '</article>', '</body>', '</html>', '');
  return out.join('\n');
}

/** The Content-Security-Policy this document needs wherever it is served: it styles itself inline and never runs a script. */
export const REPORT_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
