import { REPORT_HTML_CSP } from '../../../reports/monthly/html.js';
import { AppError } from '../../errors.js';
import { monthlyReportFor, reportMonths } from '../../verdicts/monthly.js';
import { REPORT_FORMATS } from '../../../reports/monthly/index.js';
import { ReportsPage } from '../pages/reports.js';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { render, signedIn, oneOf } from './common.js';

/** The reports page and its downloads. */
export const reportPages = new Hono<AppEnv>();

reportPages.get('/reports', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const deps = c.get('deps');
  const months = await reportMonths(deps.db, w.principal, { now: deps.now(), timeZone: deps.timeZone });
  return render(c, <ReportsPage {...w} months={months} />);
});

/**
 * The report downloads of the reports page, behind the session (the API route needs a bearer header a
 * browser link cannot send). Same service and rules as GET /api/v1/reports/monthly.
 */
reportPages.get('/reports/monthly', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const month = c.req.query('month') ?? '';
  const lang = c.req.query('lang') === 'en' ? 'en' : 'zh';
  const format = oneOf(REPORT_FORMATS, c.req.query('format') ?? 'html') ?? 'html';
  const deps = c.get('deps');
  const opts = { now: deps.now(), timeZone: deps.timeZone };
  // A month without data (or not YYYY-MM) is explained on the page, in the reader's language.
  const refuse = async (key: 'ui.reports.error.month' | 'ui.reports.error.noData' | 'ui.reports.error.future') =>
    render(c, <ReportsPage {...w} months={await reportMonths(deps.db, w.principal, opts)} error={w.t(key, { month: month.slice(0, 20) })} />, key === 'ui.reports.error.month' ? 400 : 422);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return refuse('ui.reports.error.month');
  let r;
  try {
    r = await monthlyReportFor(deps.db, w.principal, { month, lang, format }, opts);
  } catch (e) {
    if (e instanceof AppError && e.code === 'unprocessable') return refuse(/future|not started/.test(e.message) ? 'ui.reports.error.future' : 'ui.reports.error.noData');
    if (e instanceof AppError && e.code === 'validation_failed') return refuse('ui.reports.error.month');
    throw e;
  }
  const filename = `xuncha-monthly-${r.month}.${lang}.${r.extension}`;
  return new Response(new Uint8Array(r.body), {
    status: 200,
    headers: {
      'content-type': r.contentType,
      'content-disposition': `${r.inline ? 'inline' : 'attachment'}; filename="${filename}"`,
      // The report may style itself inline; it may never run a script.
      'content-security-policy': REPORT_HTML_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-inputs-hash': r.inputsHash,
    },
  });
});
