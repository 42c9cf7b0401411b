import { DEFAULT_LANG, type Lang } from '../../i18n/index.js';
import { canonicalJson } from '../canonical.js';
import type { MonthlyReport } from './build.js';
import { localizeReport } from './document.js';

/**
 * JSON: the language-neutral report model plus the laid-out text in `lang`, keys in a stable (sorted)
 * order, indented by two spaces, ending with a newline.
 */
export function renderJson(report: MonthlyReport, lang: Lang = DEFAULT_LANG): string {
  return canonicalJson({ format: 'xuncha.monthly-report+json', lang, report, document: localizeReport(report, lang) }, 2) + '\n';
}
