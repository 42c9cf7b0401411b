import { REPORT_HTML_CSP } from '../../../reports/monthly/html.js';
import { localDay } from '../../../probes/time.js';
import { AppError } from '../../errors.js';
import { monthlyReportFor } from '../../verdicts/monthly.js';
import { REPORT_FORMATS } from '../../../reports/monthly/index.js';
import { ReportsPage } from '../pages/ops.js';
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { render, signedIn, oneOf } from './common.js';

/** The reports page and its downloads. */
export const reportPages = new Hono<AppEnv>();

reportPages.get('/reports', async (c) => {
  const w = await signedIn(c);
  if (w instanceof Response) return w;
  const today = localDay(c.get('deps').now());
  const months: string[] = [];
  let y = Number(today.slice(0, 4));
  let m = Number(today.slice(5, 7));
  for (let i = 0; i < 6; i++) {
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
    months.push(`${y}-${String(m).padStart(2, '0')}`);
  }
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
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new AppError('validation_failed', 'month must be YYYY-MM');
  const lang = c.req.query('lang') === 'en' ? 'en' : 'zh';
  const format = oneOf(REPORT_FORMATS, c.req.query('format') ?? 'html') ?? 'html';
  const deps = c.get('deps');
  const r = await monthlyReportFor(deps.db, w.principal, { month, lang, format }, { now: deps.now(), timeZone: deps.timeZone });
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
