import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { AppError } from './errors.js';
import type { AppDeps } from './http/env.js';
import { accessLog, refuseNul, requireAuth } from './http/middleware.js';
import { databaseAwayHeaders, handleError, problemResponse } from './http/problem.js';
import { router } from './http/router.js';
import { signInLimit } from './http/sign-in-limit.js';
import { requestMetrics } from './http/request-metrics.js';
import { auditRoutes } from './routes/audit.js';
import { campaignRoutes } from './routes/campaigns.js';
import { departmentRoutes } from './routes/departments.js';
import { docsRoutes } from './routes/docs.js';
import { findingRoutes } from './routes/findings.js';
import { policyRoutes } from './routes/policies.js';
import { reportRoutes } from './routes/reports.js';
import { resourceRoutes } from './routes/resources.js';
import { systemRoutes } from './routes/systems.js';
import { sweepRoutes } from './routes/sweeps.js';
import { inventoryIoRoutes } from './routes/inventory-io.js';
import { inspectionRoutes } from './routes/inspection.js';
import { tokenRoutes } from './routes/tokens.js';
import { webhookRoutes } from './routes/webhooks.js';
import { webRoutes } from './web/index.js';

export const API_PREFIX = '/api/v1';
/** JSON bodies beyond this are refused with 413 before they are read whole. */
export const MAX_JSON_BODY = 1024 * 1024;
/** /readyz answers within this, ready or not. */
export const READY_DEADLINE_MS = 800;

/**
 * Every response (pages, API, error pages, /docs) gets nosniff, no framing and a CSP that allows
 * nothing. Areas that render HTML set their own, narrower-than-needed CSP (src/web/layout.ts,
 * src/routes/docs.ts); those are kept (overwrite: false). HSTS is left to the TLS terminator.
 */
const securityHeaders = secureHeaders({
  overwrite: false,
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
  xFrameOptions: 'DENY',
  xContentTypeOptions: 'nosniff',
  referrerPolicy: 'no-referrer',
  strictTransportSecurity: false,
});

/**
 * A 413 is answered before the body is read, and the unread rest makes the connection unusable: the
 * Node server drops it. Say so (`Connection: close`) so clients open a new connection instead of
 * sending their next request into a closed one.
 */
const closeAfterTooLarge: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status === 413) {
    c.res.headers.set('Connection', 'close');
    c.res.headers.delete('Keep-Alive');
  }
};

/** Builds the Hono app. Knows no runtime: Node and Workers entries pass the dependencies in. */
export function createApp(deps: AppDeps) {
  const app = router();

  app.use('*', requestId({ headerName: 'X-Request-Id', limitLength: 100 }));
  app.use('*', securityHeaders);
  app.use('*', closeAfterTooLarge);
  app.use('*', async (c, next) => {
    c.set('deps', deps);
    await next();
  });
  app.use('*', accessLog);
  app.use('*', refuseNul);
  app.use('*', requestMetrics);
  app.use('*', signInLimit);
  app.onError(handleError);
  app.notFound((c) => problemResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`));

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    // Bounded: a load balancer must hear "not ready" within a second, also while connections hang.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READY_DEADLINE_MS} ms`)), READY_DEADLINE_MS);
    });
    try {
      await Promise.race([(async () => {
        await deps.db.execute(sql`select 1`);
        await deps.ready?.();
      })(), deadline]);
      return c.json({ status: 'ready' });
    } catch (err) {
      deps.logger.warn({ err }, 'not ready');
      return problemResponse(c, 'unavailable', 'the database is not reachable', undefined, databaseAwayHeaders);
    } finally {
      clearTimeout(timer);
    }
  });

  // Prometheus scrape target: counts only, no inventory data, so no token (as is usual for /metrics).
  app.get('/metrics', async (c) => {
    if (!deps.metrics) throw new AppError('not_found', 'metrics are not collected on this runtime');
    c.header('content-type', deps.metrics.contentType);
    return c.body(await deps.metrics.render());
  });

  const api = router();
  const jsonLimit = bodyLimit({ maxSize: MAX_JSON_BODY, onError: (c) => problemResponse(c as never, 'payload_too_large', `the body exceeds ${MAX_JSON_BODY} bytes`) });
  // Spreadsheet uploads stream through their own, larger cap (IMPORT_BODY_LIMIT in the route). GET and
  // HEAD carry no body (fetch's Request has none for them), and asking for one would make the Node
  // adapter build a whole undici Request per read.
  api.use('*', (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.path === `${API_PREFIX}/imports` ? next() : jsonLimit(c, next)));
  api.use('*', async (c, next) => {
    if (c.req.path === `${API_PREFIX}/openapi.json`) return next();
    return requireAuth(c, next);
  });
  api.route('/', departmentRoutes);
  api.route('/', systemRoutes);
  api.route('/', auditRoutes);
  api.route('/', tokenRoutes);
  api.route('/', sweepRoutes);
  api.route('/', inventoryIoRoutes);
  api.route('/', campaignRoutes);
  api.route('/', webhookRoutes);
  api.route('/', policyRoutes);
  api.route('/', findingRoutes);
  api.route('/', reportRoutes);
  api.route('/', inspectionRoutes);
  api.route('/', resourceRoutes);

  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  api.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Xuncha 巡查 API',
      version: '1',
      description: 'Inventory and evidence-based audit of government information systems. Errors are RFC 9457 problem+json.',
    },
    servers: [{ url: API_PREFIX }],
  });

  app.route(API_PREFIX, api);
  app.route('/', docsRoutes);
  app.route('/', webRoutes);
  return app;
}

export type App = ReturnType<typeof createApp>;
