/**
 * Security headers: every page (including error pages and /docs) says nosniff, may not be framed and
 * carries a CSP; /docs' CSP still lets Swagger UI run (its assets and init script are served files, no
 * inline script); responses carrying secrets say Cache-Control: no-store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';

function expectHardened(res: Response, what: string) {
  expect(res.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(res.headers.get('x-frame-options'), what).toBe('DENY');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp, what).toMatch(/default-src 'none'/);
  expect(csp, what).toMatch(/frame-ancestors 'none'/);
  expect(csp, what).not.toMatch(/unsafe-inline|unsafe-eval/);
  return csp;
}

describe.each(backends)('security headers on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
  });
  afterAll(async () => t?.close());

  it('/docs lets Swagger UI load only its own files and never be framed', async () => {
    const res = await t.app.request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const csp = expectHardened(res, '/docs');
    expect(html).not.toMatch(/<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/);
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toMatch(/connect-src 'self'/);
    const init = await t.app.request('/docs/init.js');
    expect(init.status).toBe(200);
    expectHardened(init, '/docs/init.js');
  });

  it('HTML pages and their error pages carry the headers', async () => {
    for (const path of ['/login', '/systems/does-not-exist', '/confirm/not-a-real-token', '/inventory']) {
      const res = await t.app.request(path);
      expectHardened(res, path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it('API answers and unknown paths carry them too', async () => {
    for (const path of ['/api/v1/departments', '/api/v1/nothing-here', '/nothing-here']) {
      const res = await t.call('GET', path);
      expectHardened(res, path);
    }
  });

  it('a created token (its secret) is never cached', async () => {
    const res = await t.call('POST', '/api/v1/tokens', { body: { name: 'ops', role: 'viewer' } });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});
