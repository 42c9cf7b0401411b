import { DEFAULT_LANG, type Lang } from '../../i18n/index.js';
import type { MonthlyReport } from './build.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderXlsx } from './xlsx.js';

export * from './build.js';
export * from './input.js';
export { localizeReport, formatDay, formatMonth, reasonText, STATUS_COLORS, type ReportDocument, type ReportSection, type Block, type Cell, type TableBlock, type ChartBlock } from './document.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export { renderCsv, csvField } from './csv.js';
export { renderXlsx, normaliseZipTimestamps } from './xlsx.js';
export { renderJson } from './json.js';

/** One output format of the monthly report. */
export interface ReportRenderer {
  contentType: string;
  /** A browser shows it (`inline`) rather than saving it as a file (`attachment`). */
  inline: boolean;
  render(report: MonthlyReport, lang: Lang): string | Buffer | Promise<Buffer>;
}

/**
 * Every format of the monthly report, by the name `?format=` and `--format` take (and the file
 * extension). The API's enum and response types, the pages' format lists and the CLI usage come from
 * here: a new format is one renderer file and one entry.
 */
export const REPORT_RENDERERS = {
  html: { contentType: 'text/html; charset=utf-8', inline: true, render: renderHtml },
  md: { contentType: 'text/markdown; charset=utf-8', inline: false, render: renderMarkdown },
  csv: { contentType: 'text/csv; charset=utf-8', inline: false, render: renderCsv },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', inline: false, render: renderXlsx },
  json: { contentType: 'application/json; charset=utf-8', inline: true, render: renderJson },
} as const satisfies Record<string, ReportRenderer>;

export type ReportFormat = keyof typeof REPORT_RENDERERS;
export const REPORT_FORMATS = Object.keys(REPORT_RENDERERS) as [ReportFormat, ...ReportFormat[]];

export interface RenderedReport {
  body: Buffer;
  contentType: string;
  /** File extension without the dot. */
  extension: ReportFormat;
  /** Shown by a browser rather than downloaded. */
  inline: boolean;
}

/** One entry point for the HTTP route and the CLI: the report in a format and language, as bytes. */
export async function renderReport(report: MonthlyReport, format: ReportFormat, lang: Lang = DEFAULT_LANG): Promise<RenderedReport> {
  const renderer: ReportRenderer = REPORT_RENDERERS[format];
  const out = await renderer.render(report, lang);
  const body = typeof out === 'string' ? Buffer.from(out, 'utf8') : out;
  return { body, contentType: renderer.contentType, extension: format, inline: renderer.inline };
}
