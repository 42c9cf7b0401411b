import { Hono } from 'hono';
import type { AppEnv } from '../http/env.js';

const CDN = 'https://cdn.jsdelivr.net/npm/swagger-ui-dist@5';

/**
 * Interactive API docs. Assets are served from the installed swagger-ui-dist where the runtime can
 * read files (government intranets often reach no CDN); elsewhere the page falls back to a CDN.
 */
export const docsRoutes = new Hono<AppEnv>()
  .get('/docs', (c) => {
    const local = Boolean(c.get('deps').docsAsset);
    const base = local ? '/docs/assets' : CDN;
    // Swagger UI needs its own script and stylesheet, /docs/init.js (no inline script) and a fetch of
    // the OpenAPI document; nothing else, and never inside a frame.
    const assets = local ? "'self'" : `'self' ${new URL(CDN).origin}`;
    c.header(
      'Content-Security-Policy',
      [
        "default-src 'none'",
        `script-src ${assets}`,
        `style-src ${assets}`,
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
      ].join('; '),
    );
    return c.html(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>巡查 Xuncha API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${base}/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="${base}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`);
  })
  .get('/docs/init.js', (c) => {
    c.header('content-type', 'text/javascript; charset=utf-8');
    return c.body(`window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#ui', persistAuthorization: true });`);
  })
  .get('/docs/assets/:name{swagger-ui\\.css|swagger-ui-bundle\\.js}', async (c) => {
    const read = c.get('deps').docsAsset;
    const name = c.req.param('name');
    const body = read ? await read(name) : null;
    if (!body) return c.notFound();
    c.header('content-type', name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
    c.header('cache-control', 'public, max-age=86400');
    return c.body(body as Uint8Array<ArrayBuffer>);
  });
