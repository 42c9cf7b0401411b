import { REPORT_HTML_CSP } from '../../reports/monthly/html.js';
import { createRoute, z } from '@hono/zod-openapi';
import { router } from '../http/router.js';
import { LANGS } from '../../i18n/index.js';
import { REPORT_FORMATS, REPORT_RENDERERS } from '../../reports/monthly/index.js';
import { monthlyReportFor } from '../verdicts/monthly.js';
import { errorResponses, security } from './common.js';

const monthly = createRoute({
  method: 'get',
  path: '/reports/monthly',
  tags: ['Reports'],
  security,
  summary: 'The monthly report to 数字临沂建设专项小组 (a past month is stored the first time and rendered byte-identically afterwards)',
  request: {
    query: z.object({
      month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM, e.g. 2026-10').openapi({ example: '2026-10' }),
      lang: z.enum(LANGS).default('zh'),
      format: z.enum(REPORT_FORMATS).default('html'),
    }),
  },
  responses: {
    200: {
      description: 'The report; X-Inputs-Hash is the SHA-256 of its input, X-Report-Stored says whether the input is the stored one',
      content: Object.fromEntries(
        Object.values(REPORT_RENDERERS).map((r) => {
          const type = r.contentType.split(';')[0]!;
          return [type, { schema: type === 'application/json' ? z.unknown() : type.startsWith('text/') ? z.string() : z.string().openapi({ format: 'binary' }) }];
        }),
      ),
    },
    ...errorResponses,
    422: { description: 'A month in the future or before any data', content: { 'application/problem+json': { schema: z.unknown() } } },
  },
});

export const reportRoutes = router().openapi(monthly, async (c) => {
  const q = c.req.valid('query');
  const deps = c.get('deps');
  const r = await monthlyReportFor(deps.db, c.get('principal'), q, { now: deps.now(), timeZone: deps.timeZone });
  const headers: Record<string, string> = {
    'content-type': r.contentType,
    'x-inputs-hash': r.inputsHash,
    'x-report-stored': String(r.stored),
    'cache-control': r.stored ? 'private, max-age=300' : 'no-store',
    'content-security-policy': REPORT_HTML_CSP,
  };
  const filename = `xuncha-monthly-${r.month}.${q.lang}.${r.extension}`;
  headers['content-disposition'] = `${r.inline ? 'inline' : 'attachment'}; filename="${filename}"`;
  return new Response(new Uint8Array(r.body), { status: 200, headers }) as never;
});
