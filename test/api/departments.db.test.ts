import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';

describe.each(backends)('departments API on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await t.call('POST', '/api/v1/departments', { body: { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' } });
    await t.call('POST', '/api/v1/departments', { body: { code: '371302', name: '兰山区人民政府', shortName: '兰山区', level: 'county', kind: 'government', parentCode: '371300' } });
    await t.call('POST', '/api/v1/departments', { body: { code: '371302-001', name: '兰山街道办事处', level: 'township', kind: 'government', parentCode: '371302' } });
  });
  afterAll(() => t.close());

  it('creates and reads a department with its parent and an ETag', async () => {
    const res = await t.call('GET', '/api/v1/departments/371302');
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    const body = await res.json();
    expect(body).toMatchObject({ code: '371302', name: '兰山区人民政府', parentCode: '371300', level: 'county' });
  });

  it('lists a subtree with under=', async () => {
    const res = await t.call('GET', '/api/v1/departments?under=371302');
    const body = await res.json();
    expect(body.items.map((d: { code: string }) => d.code).sort()).toEqual(['371302', '371302-001']);
  });

  it('refuses a duplicate code with 409 problem+json', async () => {
    const res = await t.call('POST', '/api/v1/departments', { body: { code: '371300', name: 'dup', level: 'city' } });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect((await res.json()).code).toBe('conflict');
  });

  it('refuses a cycle in the tree and changes nothing', async () => {
    const res = await t.call('PATCH', '/api/v1/departments/371300', { body: { parentCode: '371302-001', level: 'village' } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors).toContainEqual(expect.objectContaining({ path: 'parentCode' }));
    const city = await (await t.call('GET', '/api/v1/departments/371300')).json();
    expect(city.parentCode).toBeNull();
    expect(city.version).toBe(1);
  });

  it('moves a subtree and keeps descendant queries right', async () => {
    await t.call('POST', '/api/v1/departments', { body: { code: '371311', name: '罗庄区人民政府', level: 'county', kind: 'government', parentCode: '371300' } });
    const res = await t.call('PATCH', '/api/v1/departments/371302-001', { body: { parentCode: '371311' }, headers: { 'if-match': '"1"' } });
    expect(res.status).toBe(200);
    const under = await (await t.call('GET', '/api/v1/departments?under=371311')).json();
    expect(under.items.map((d: { code: string }) => d.code).sort()).toEqual(['371302-001', '371311']);
  });

  it('rejects a stale If-Match with 412', async () => {
    const res = await t.call('PATCH', '/api/v1/departments/371302', { body: { shortName: '兰山' }, headers: { 'if-match': '"99"' } });
    expect(res.status).toBe(412);
  });

  it('rejects an unknown parent and an unknown enum value with field paths', async () => {
    const a = await t.call('POST', '/api/v1/departments', { body: { code: 'X1', name: 'x', level: 'county', parentCode: 'nope' } });
    expect(a.status).toBe(400);
    expect((await a.json()).errors[0].path).toBe('parentCode');
    const b = await t.call('POST', '/api/v1/departments', { body: { code: 'X2', name: 'x', level: 'province' } });
    expect(b.status).toBe(400);
    expect((await b.json()).errors[0].path).toBe('level');
  });

  it('lets only admin and auditor reshape the tree', async () => {
    const viewer = await t.token('viewer');
    const dept = await t.token('department', '371302');
    for (const token of [viewer, dept]) {
      const res = await t.call('POST', '/api/v1/departments', { token, body: { code: 'Y1', name: 'y', level: 'county', parentCode: '371300' } });
      expect(res.status).toBe(403);
    }
    expect((await t.call('GET', '/api/v1/departments/Y1')).status).toBe(404);
  });
});
