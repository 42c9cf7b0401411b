import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from './env.js';

/**
 * Counts every answered request by method, the matched route pattern (`/api/v1/systems/:code`, never the
 * raw path: link tokens and codes would make a series per value) and status, and times it.
 */
export const requestMetrics: MiddlewareHandler<AppEnv> = async (c, next) => {
  const metrics = c.get('deps').metrics;
  if (!metrics) return next();
  const started = performance.now();
  try {
    await next();
  } finally {
    const route = routePath(c);
    const labels = { method: c.req.method, route: route === '*' || route === '/*' ? 'unmatched' : route, status: String(c.res.status) };
    metrics.httpRequests.inc(labels);
    metrics.httpSeconds.observe(labels, (performance.now() - started) / 1000);
  }
};
