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

export const REPORT_FORMATS = ['html', 'md', 'csv', 'xlsx', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface RenderedReport {
  body: Buffer;
  contentType: string;
  /** File extension without the dot. */
  extension: ReportFormat;
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
};

/** One entry point for the HTTP route and the CLI: the report in a format and language, as bytes. */
export async function renderReport(report: MonthlyReport, format: ReportFormat, lang: Lang = DEFAULT_LANG): Promise<RenderedReport> {
  let body: Buffer;
  switch (format) {
    case 'html':
      body = Buffer.from(renderHtml(report, lang), 'utf8');
      break;
    case 'md':
      body = Buffer.from(renderMarkdown(report, lang), 'utf8');
      break;
    case 'csv':
      body = Buffer.from(renderCsv(report, lang), 'utf8');
      break;
    case 'xlsx':
      body = await renderXlsx(report, lang);
      break;
    case 'json':
      body = Buffer.from(renderJson(report, lang), 'utf8');
      break;
  }
  return { body, contentType: CONTENT_TYPES[format], extension: format };
}
