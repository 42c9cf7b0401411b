import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { smallInventory } from '../support/inventory.js';
import { deniedRoles, operationsOf, rowName, SECURITY_TABLE, type SecurityRow } from './security-table.js';
import type { Role } from '../../src/db/schema/enums.js';

const ROWS = SECURITY_TABLE.filter((r) => r.suite === 'api').map((r) => ({ ...r, name: rowName(r) }));
const READS = ROWS.filter((r) => r.path && r.op.startsWith('GET '));

describe.each(backends)('security suite on %s', (backend) => {
  let t: TestApp;
  let lanshan: string;
  let luozhuang: string;
  const tokens = {} as Record<Role, string>;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await smallInventory(t);
    lanshan = await t.token('department', '371302');
    luozhuang = await t.token('department', '371311');
    tokens.admin = ADMIN;
    tokens.auditor = await t.token('auditor');
    tokens.department = lanshan;
    tokens.viewer = await t.token('viewer');
  });
  afterAll(() => t.close());

  it('every operation of the OpenAPI document has a row in the security table, and every row an operation', async () => {
    const doc = await (await t.call('GET', '/api/v1/openapi.json', { token: null })).json();
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThanOrEqual(43);
    const covered = new Set(SECURITY_TABLE.map((r) => r.op));
    expect(ops.filter((op) => !covered.has(op))).toEqual([]);
    expect([...covered].filter((op) => !ops.includes(op))).toEqual([]);
  });

  const call = (r: SecurityRow, token: string | null) => t.call(r.op.split(' ')[0]!, r.path, { token, body: r.body, rawBody: r.rawBody, headers: r.headers });

  it.each(ROWS)('$name: no token → 401', async (r) => {
    const res = await call(r, null);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect((await res.json()).code).toBe('unauthorized');
  });

  it.each(ROWS)('$name: invalid token → 401', async (r) => {
    const res = await call(r, 'xc_not-a-real-token-at-all');
    expect(res.status).toBe(401);
  });

  it.each(ROWS.flatMap((r) => deniedRoles(r).map((role) => ({ ...r, role }))))('$name: $role → 403', async (r) => {
    const res = await call(r, tokens[r.role as Role]);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
  });

  it.each(ROWS.filter((r) => r.scoped && r.roles.includes('department')))('$name: another department → 403', async (r) => {
    const res = await call(r, luozhuang);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
  });

  it.each(READS.flatMap((r) => r.roles.map((role) => ({ ...r, role }))))('$name: $role may read', async (r) => {
    const res = await call(r, tokens[r.role as Role]);
    expect([401, 403]).not.toContain(res.status);
    expect(res.status).toBeLessThan(500);
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
