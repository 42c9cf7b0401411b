import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.js';
import { PublicUrlMissing, type AppEnv } from '../http/env.js';
import { CSP } from './layout.js';
import { ErrorPage } from './pages/ops.js';
import { readSession, sessionCsrf } from './session.js';
import { campaignPages } from './routes/campaigns.js';
import { viewOf, render, type C } from './routes/common.js';
import { confirmPages } from './routes/confirm.js';
import { findingPages } from './routes/findings.js';
import { inventoryPages } from './routes/inventory.js';
import { overviewPages } from './routes/overview.js';
import { sweepPages } from './routes/sweeps.js';
import { assetPages } from './routes/assets.js';
import { reportPages } from './routes/reports.js';
import { signInPages } from './routes/sign-in.js';
import { importPages } from './routes/import.js';
import { tokenPages } from './routes/tokens.js';

/**
 * Server-rendered pages: the ops pages behind a session (login with a bearer token), and the department
 * confirmation pages behind their signed link. Plain forms, no script; Chinese by default, `?lang=en`.
 * One file per area under ./routes/; this file sets the headers, the body limit and the error page.
 */
const PAGE_PATHS = ['/', '/login', '/logout', '/inventory', '/inventory/*', '/systems/*', '/sweeps', '/sweeps/*', '/findings', '/findings/*', '/campaigns', '/campaigns/*', '/transfers/*', '/reports', '/confirm/*'];
const FORM_LIMIT = 256 * 1024;

export const webRoutes = new Hono<AppEnv>();

for (const path of PAGE_PATHS) {
  webRoutes.use(path, async (c, next) => {
    await next();
    // A page that loads htmx has set its own (CSP_WITH_SCRIPT); every other page allows no script.
    if (!c.res.headers.get('Content-Security-Policy')) c.header('Content-Security-Policy', CSP);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
  });
  webRoutes.on('POST', path, bodyLimit({ maxSize: FORM_LIMIT, onError: (c) => c.text('the form is too large', 413) }));
}

webRoutes.onError(async (err, c) => {
  const v = viewOf(c as C);
  const s = await readSession(c as C).catch(() => null);
  const csrf = s ? await sessionCsrf(c as C, s.session) : undefined;
  const frame = { t: v.t, lang: v.lang, here: v.here, principal: s?.principal ?? null, csrf };
  if (err instanceof AppError) {
    const message =
      err instanceof PublicUrlMissing
        ? v.t('ui.error.publicUrlMissing')
        : err.code === 'forbidden'
        ? v.t('ui.error.forbidden')
        : err.code === 'not_found'
          ? v.t('ui.error.notFound')
          : v.t('ui.error.badRequest', { detail: err.message });
    return render(c as C, <ErrorPage {...frame} message={message} />, err.status);
  }
  const deps = (c as C).get('deps');
  deps?.logger.error({ err, requestId: (c as C).get('requestId'), path: c.req.path }, 'unhandled error in a page');
  return render(c as C, <ErrorPage {...frame} message={v.t('ui.error.internal', { requestId: (c as C).get('requestId') ?? '' })} />, 500);
});

// The overview comes first: it answers `/` for a signed-in person (sign-in's `/` only redirects).
for (const area of [assetPages, overviewPages, signInPages, inventoryPages, sweepPages, findingPages, reportPages, campaignPages, confirmPages, importPages, tokenPages]) {
  webRoutes.route('/', area);
}
