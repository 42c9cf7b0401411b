import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { smallInventory } from '../support/inventory.js';

/** Every protected route, with a request each role may or may not make. */
const ROUTES: Array<{ method: string; path: string; body?: unknown; write: boolean }> = [
  { method: 'GET', path: '/api/v1/departments', write: false },
  { method: 'GET', path: '/api/v1/departments/371302', write: false },
  { method: 'POST', path: '/api/v1/departments', body: { code: 'SEC-D', name: 'x', level: 'county', parentCode: '371300' }, write: true },
  { method: 'PATCH', path: '/api/v1/departments/371311', body: { shortName: '罗庄' }, write: true },
  { method: 'GET', path: '/api/v1/systems', write: false },
  { method: 'GET', path: '/api/v1/systems/LS-PORTAL', write: false },
  { method: 'POST', path: '/api/v1/systems', body: { code: 'SEC-S', name: 'x', departmentCode: '371311' }, write: true },
  { method: 'PATCH', path: '/api/v1/systems/LZ-PORTAL', body: { contractor: 'x' }, write: true },
  { method: 'DELETE', path: '/api/v1/systems/LZ-PORTAL', write: true },
  { method: 'GET', path: '/api/v1/audit', write: false },
  { method: 'GET', path: '/api/v1/tokens', write: false },
  { method: 'POST', path: '/api/v1/tokens', body: { role: 'viewer', name: 'x' }, write: true },
];

describe.each(backends)('security suite on %s', (backend) => {
  let t: TestApp;
  let viewer: string;
  let lanshan: string;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await smallInventory(t);
    viewer = await t.token('viewer');
    lanshan = await t.token('department', '371302');
  });
  afterAll(() => t.close());

  it.each(ROUTES)('$method $path: no token → 401', async (r) => {
    const res = await t.call(r.method, r.path, { token: null, body: r.body });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect((await res.json()).code).toBe('unauthorized');
  });

  it.each(ROUTES)('$method $path: invalid token → 401', async (r) => {
    const res = await t.call(r.method, r.path, { token: 'xc_not-a-real-token-at-all', body: r.body });
    expect(res.status).toBe(401);
  });

  it.each(ROUTES.filter((r) => r.write))('$method $path: viewer writing → 403', async (r) => {
    const res = await t.call(r.method, r.path, { token: viewer, body: r.body });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
  });

  it('a revoked token stops working', async () => {
    const created = await (await t.call('POST', '/api/v1/tokens', { body: { role: 'viewer', name: 'temp' } })).json();
    expect((await t.call('GET', '/api/v1/systems', { token: created.token })).status).toBe(200);
    expect((await t.call('DELETE', `/api/v1/tokens/${created.id}`)).status).toBe(204);
    expect((await t.call('GET', '/api/v1/systems', { token: created.token })).status).toBe(401);
  });

  it('a department token sees and changes only its own subtree', async () => {
    const list = await (await t.call('GET', '/api/v1/systems', { token: lanshan })).json();
    expect(list.items.map((s: { code: string }) => s.code).sort()).toEqual(['LS-OA', 'LS-PORTAL']);
    expect((await t.call('GET', '/api/v1/systems/LZ-PORTAL', { token: lanshan })).status).toBe(403);
    expect((await t.call('PATCH', '/api/v1/systems/LZ-PORTAL', { token: lanshan, body: { contractor: 'x' } })).status).toBe(403);
    const own = await t.call('PATCH', '/api/v1/systems/LS-OA', { token: lanshan, body: { contractor: '街道信息中心' } });
    expect(own.status).toBe(200);
    // Moving its system out of its subtree, or creating one elsewhere, is refused.
    expect((await t.call('PATCH', '/api/v1/systems/LS-OA', { token: lanshan, body: { departmentCode: '371311' } })).status).toBe(403);
    expect((await t.call('POST', '/api/v1/systems', { token: lanshan, body: { code: 'LS-X', name: 'x', departmentCode: '371311' } })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/systems/LZ-PORTAL')).status).toBe(200);
    expect((await (await t.call('GET', '/api/v1/systems/LZ-PORTAL')).json()).contractor).toBeNull();
    expect((await t.call('DELETE', '/api/v1/systems/LS-OA', { token: lanshan })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/audit', { token: lanshan })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/tokens', { token: lanshan })).status).toBe(403);
  });

  it('a department may not end its own system through PATCH, as it may not through DELETE', async () => {
    for (const lifecycle of ['retired', 'decommissioning']) {
      const res = await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { token: lanshan, body: { lifecycle } });
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe('forbidden');
    }
    expect((await (await t.call('GET', '/api/v1/systems/LS-PORTAL')).json()).lifecycle).toBe('live');
    // Nor create one already retired; other lifecycle changes and other fields stay its own.
    expect((await t.call('POST', '/api/v1/systems', { token: lanshan, body: { code: 'LS-GONE', name: 'x', departmentCode: '371302', lifecycle: 'retired' } })).status).toBe(403);
    expect((await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { token: lanshan, body: { lifecycle: 'construction' } })).status).toBe(200);
    expect((await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { token: lanshan, body: { lifecycle: 'live' } })).status).toBe(200);
    // Ops may, and only ops bring a retired system back.
    expect((await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { body: { lifecycle: 'decommissioning' } })).status).toBe(200);
    expect((await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { token: lanshan, body: { lifecycle: 'live' } })).status).toBe(403);
    expect((await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { body: { lifecycle: 'live' } })).status).toBe(200);
  });

  it('health, readiness and the OpenAPI document need no token', async () => {
    expect((await t.call('GET', '/healthz', { token: null })).status).toBe(200);
    expect((await t.call('GET', '/readyz', { token: null })).status).toBe(200);
    const doc = await (await t.call('GET', '/api/v1/openapi.json', { token: null })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/systems', '/systems/{code}', '/departments', '/departments/{code}']));
    expect((await t.call('GET', '/docs', { token: null })).status).toBe(200);
  });

  it('an unknown route is a 404 problem', async () => {
    const res = await t.call('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
