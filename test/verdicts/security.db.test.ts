import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { backends } from '../support/db.js';
import { NOW, TZ, cityFixture } from './fixture.js';
import type { Role } from '../../src/db/schema/enums.js';
import { ADMIN } from '../support/app.js';
import { deniedRoles, rowName, SECURITY_TABLE, type SecurityRow } from '../api/security-table.js';

/** The verdict rows of the security table (finding 1 is DEAD's, opened first, in 兰山区's subtree). */
const ROWS = SECURITY_TABLE.filter((r) => r.suite === 'verdicts').map((r) => ({ ...r, name: rowName(r) }));
const WRITES = ROWS.filter((r) => !r.op.startsWith('GET '));

describe.each(backends)('verdict routes security on %s', (backend) => {
  let t: TestApp;
  let luozhuang: string;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: () => NOW });
    await cityFixture(t);
    await classifyAll(t.database.db, { now: NOW, timeZone: TZ });
    tokens.admin = ADMIN;
    tokens.auditor = await t.token('auditor');
    tokens.department = await t.token('department', '371302');
    tokens.viewer = await t.token('viewer');
    luozhuang = await t.token('department', '371311');
  });
  const call = (r: SecurityRow, token: string | null) => t.call(r.op.split(' ')[0]!, r.path, { token, body: r.body });
  afterAll(async () => t?.close());

  it('finding 1 is in 兰山区\'s subtree, so the department rows test scope and role', async () => {
    expect((await (await t.call('GET', '/api/v1/findings/1')).json()).systemCode).toBe('DEAD');
  });

  it.each(ROWS)('$name: no token → 401, invalid token → 401', async (r) => {
    for (const token of [null, 'xc_not-a-real-token-at-all']) {
      const res = await call(r, token);
      expect(res.status).toBe(401);
      expect((await res.json()).code).toBe('unauthorized');
    }
  });

  it.each(WRITES.flatMap((r) => deniedRoles(r).map((role) => ({ ...r, role }))))('$name: $role → 403, nothing changed', async (r) => {
    const before = await (await t.call('GET', '/api/v1/findings/1')).json();
    const res = await call(r, tokens[r.role as Role]);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
    expect((await (await t.call('GET', '/api/v1/findings/1')).json()).version).toBe(before.version);
  });

  it.each(ROWS.filter((r) => r.op.startsWith('GET ')).flatMap((r) => deniedRoles(r).map((role) => ({ ...r, role }))))('$name: $role → 403', async (r) => {
    const res = await call(r, tokens[r.role as Role]);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
  });

  it.each(ROWS.filter((r) => r.scoped && r.roles.includes('department')))('$name: another department → 403', async (r) => {
    const before = await (await t.call('GET', '/api/v1/findings/1')).json();
    const res = await call(r, luozhuang);
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe('forbidden');
    expect((await (await t.call('GET', '/api/v1/findings/1')).json()).version).toBe(before.version);
  });

  it.each(ROWS.filter((r) => r.op.startsWith('GET ')).flatMap((r) => r.roles.map((role) => ({ ...r, role }))))('$name: $role may read', async (r) => {
    const res = await call(r, tokens[r.role as Role]);
    expect(res.status).toBe(200);
  });

  it('lists the verdict routes in the OpenAPI document', async () => {
    const doc = await (await t.call('GET', '/api/v1/openapi.json', { token: null })).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/policies', '/policies/{version}/activate', '/systems/{code}/policy', '/findings', '/findings/{id}', '/reports/monthly']),
    );
  });
});
