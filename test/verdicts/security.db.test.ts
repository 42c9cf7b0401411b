import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TZ, cityFixture } from './fixture.js';

/** The verdict routes, with a request each role may or may not make (finding 1 is DEAD's, opened first). */
const ROUTES: Array<{ method: string; path: string; body?: unknown; write: boolean }> = [
  { method: 'GET', path: '/api/v1/policies', write: false },
  { method: 'POST', path: '/api/v1/policies', body: { version: 'sec-1' }, write: true },
  { method: 'POST', path: '/api/v1/policies/2026-11-default/activate', write: true },
  { method: 'GET', path: '/api/v1/systems/ALIVE/policy', write: false },
  { method: 'PUT', path: '/api/v1/systems/ALIVE/policy', body: { season: 'tax_filing' }, write: true },
  { method: 'GET', path: '/api/v1/findings', write: false },
  { method: 'GET', path: '/api/v1/findings/1', write: false },
  { method: 'PATCH', path: '/api/v1/findings/1', body: { action: 'notify' }, write: true },
  { method: 'PATCH', path: '/api/v1/findings/1', body: { action: 'answer', answer: { type: 'keep', justification: 'x' } }, write: true },
  { method: 'PATCH', path: '/api/v1/findings/1', body: { action: 'close' }, write: true },
  { method: 'GET', path: '/api/v1/reports/monthly?month=2026-11', write: false },
];

describe.each(backends)('verdict routes security on %s', (backend) => {
  let t: TestApp;
  let viewer: string;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    viewer = await t.token('viewer');
  });
  afterAll(async () => t?.close());

  it.each(ROUTES)('$method $path: no token → 401, invalid token → 401', async (r) => {
    for (const token of [null, 'xc_not-a-real-token-at-all']) {
      const res = await t.call(r.method, r.path, { token, body: r.body });
      expect(res.status).toBe(401);
      expect((await res.json()).code).toBe('unauthorized');
    }
  });

  it.each(ROUTES.filter((r) => r.write))('$method $path: viewer writing → 403, nothing changed', async (r) => {
    const before = await (await t.call('GET', '/api/v1/findings/1')).json();
    const res = await t.call(r.method, r.path, { token: viewer, body: r.body });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
    expect((await (await t.call('GET', '/api/v1/findings/1')).json()).version).toBe(before.version);
  });

  it('lists the verdict routes in the OpenAPI document', async () => {
    const doc = await (await t.call('GET', '/api/v1/openapi.json', { token: null })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/policies', '/policies/{version}/activate', '/systems/{code}/policy', '/findings', '/findings/{id}', '/reports/monthly']),
    );
  });
});
