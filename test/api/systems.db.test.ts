import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { contentChanges, endpoints, endpointState } from '../../src/db/schema/index.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { smallInventory } from '../support/inventory.js';

async function count(t: TestApp): Promise<number> {
  const res = await t.call('GET', '/api/v1/systems?limit=500');
  return (await res.json()).items.length;
}

describe.each(backends)('systems API on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await smallInventory(t);
  });
  afterAll(() => t.close());

  it('creates a system with every contract field and returns it with an ETag', async () => {
    const body = {
      code: 'CITY-APPROVAL',
      name: '临沂市一网通办审批系统',
      departmentCode: '371300',
      operatorUnit: '临沂市大数据中心',
      contractor: '某某信息技术有限公司',
      contact: { name: '张三', phone: '0539-8888888', email: 'zhang@example.gov.cn' },
      description: '行政审批',
      lifecycle: 'live',
      launchedOn: '2019-05-01',
      deployment: 'gov_cloud',
      cloudRequired: true,
      network: 'egov_extranet',
      builtBy: 'municipal',
      mlpsLevel: 3,
      userScope: 'cross_department',
      registeredUsers: 1200,
      endpoints: [
        { url: 'https://sp.linyi.example/', role: 'app' },
        { url: 'https://sp.linyi.example/admin', role: 'admin' },
      ],
      tags: ['一网通办'],
    };
    const res = await t.call('POST', '/api/v1/systems', { body });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    const got = await res.json();
    expect(got).toMatchObject({ ...body, status: 'insufficient_evidence', version: 1, departmentName: '临沂市人民政府' });
  });

  it('filters by department with descendants, lifecycle, deployment and q', async () => {
    const lanshan = await (await t.call('GET', '/api/v1/systems?department=371302')).json();
    expect(lanshan.items.map((s: { code: string }) => s.code).sort()).toEqual(['LS-OA', 'LS-PORTAL']);
    const cloud = await (await t.call('GET', '/api/v1/systems?deployment=gov_cloud')).json();
    expect(cloud.items.map((s: { code: string }) => s.code).sort()).toEqual(['CITY-APPROVAL', 'LZ-PORTAL']);
    const q = await (await t.call('GET', `/api/v1/systems?q=${encodeURIComponent('门户')}`)).json();
    expect(q.items.map((s: { code: string }) => s.code).sort()).toEqual(['LS-PORTAL', 'LZ-PORTAL']);
    const unknown = await t.call('GET', '/api/v1/systems?department=nope');
    expect(unknown.status).toBe(400);
  });

  it('pages with a cursor and never repeats a row', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/v1/systems?limit=1${cursor ? `&cursor=${cursor}` : ''}`;
      const body = await (await t.call('GET', url)).json();
      seen.push(...body.items.map((s: { code: string }) => s.code));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(new Set(seen).size);
    expect(seen.length).toBe(await count(t));
    expect((await t.call('GET', '/api/v1/systems?cursor=garbage!')).status).toBe(400);
  });

  it('PATCH honours If-Match and records before and after in the audit trail', async () => {
    const ok = await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { body: { contractor: '新承建单位' }, headers: { 'if-match': '"1"' } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('etag')).toBe('"2"');
    const stale = await t.call('PATCH', '/api/v1/systems/LS-PORTAL', { body: { contractor: '旧' }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect((await stale.json()).code).toBe('precondition_failed');
    const sys = await (await t.call('GET', '/api/v1/systems/LS-PORTAL')).json();
    expect(sys.contractor).toBe('新承建单位');
    const audit = await (await t.call('GET', '/api/v1/audit?entity=system&entityId=LS-PORTAL')).json();
    const update = audit.items.find((e: { action: string }) => e.action === 'update');
    expect(update.before.contractor).toBeNull();
    expect(update.after.contractor).toBe('新承建单位');
    expect(update.actor).toContain('ADMIN_TOKEN');
    expect(update.requestId).toBeTruthy();
  });

  it('PATCH of the endpoints keeps each address kept, with its id, state and history; a dropped one goes with its own', async () => {
    const a = 'http://keep.example/';
    const b = 'http://drop.example/';
    const c = 'http://new.example/';
    const created = await t.call('POST', '/api/v1/systems', { body: { code: 'EP-KEEP', name: '端点保留测试', departmentCode: '371302', endpoints: [{ url: a, role: 'portal' }, { url: b, role: 'app' }] } });
    expect(created.status).toBe(201);
    const db = t.database.db;
    const idsOf = async () => Object.fromEntries((await db.select().from(endpoints).where(sql`url in (${a}, ${b}, ${c})`)).map((e) => [e.url, e]));
    const before = await idsOf();
    for (const url of [a, b]) {
      const e = before[url]!;
      await db.insert(endpointState).values({ endpointId: e.id, systemId: e.systemId, contentHash: `h-${url}`, contentChangedAt: new Date('2025-01-01T00:00:00Z') });
      await db.insert(contentChanges).values({ endpointId: e.id, systemId: e.systemId, at: new Date('2025-01-01T00:00:00Z'), contentHash: `h-${url}` });
    }
    const res = await t.call('PATCH', '/api/v1/systems/EP-KEEP', { body: { endpoints: [{ url: c, role: 'portal' }, { url: a, role: 'app' }] } });
    expect(res.status).toBe(200);
    expect((await res.json()).endpoints).toEqual([{ url: c, role: 'portal' }, { url: a, role: 'app' }]);
    const after = await idsOf();
    expect(after[a]).toMatchObject({ id: before[a]!.id, role: 'app', position: 1 });
    expect(after[c]).toMatchObject({ role: 'portal', position: 0 });
    expect(after[b]).toBeUndefined();
    const kept = await db.select({ endpointId: contentChanges.endpointId }).from(contentChanges).where(sql`${contentChanges.systemId} = ${before[a]!.systemId}`);
    expect(kept).toEqual([{ endpointId: before[a]!.id }]);
    const state = await db.select({ endpointId: endpointState.endpointId, contentChangedAt: endpointState.contentChangedAt }).from(endpointState).where(sql`${endpointState.systemId} = ${before[a]!.systemId}`);
    expect(state).toEqual([{ endpointId: before[a]!.id, contentChangedAt: new Date('2025-01-01T00:00:00Z') }]);
  });

  it('DELETE retires and keeps the system and its history', async () => {
    const res = await t.call('DELETE', '/api/v1/systems/LZ-PORTAL');
    expect(res.status).toBe(200);
    const sys = await (await t.call('GET', '/api/v1/systems/LZ-PORTAL')).json();
    expect(sys.lifecycle).toBe('retired');
    expect(sys.retiredAt).toBeTruthy();
    const retired = await (await t.call('GET', '/api/v1/systems?lifecycle=retired')).json();
    expect(retired.items.map((s: { code: string }) => s.code)).toEqual(['LZ-PORTAL']);
  });

  it('status is read-only', async () => {
    const res = await t.call('PATCH', '/api/v1/systems/LS-OA', { body: { status: 'active' } });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].message).toMatch(/unrecognized/i);
  });

  describe('bad input: a 4xx problem+json with field paths, and nothing changed', () => {
    const cases: Array<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string | undefined]> = [
      ['malformed JSON', { rawBody: '{"code": "X", ' }, 400, undefined],
      ['wrong types', { body: { code: 'BAD-1', name: 42, departmentCode: '371300', cloudRequired: 'yes' } }, 400, 'name'],
      ['unknown enum value', { body: { code: 'BAD-2', name: 'x', departmentCode: '371300', deployment: 'mainframe' } }, 400, 'deployment'],
      ['overlong string', { body: { code: 'BAD-3', name: 'x'.repeat(201), departmentCode: '371300' } }, 400, 'name'],
      ['bad endpoint URL', { body: { code: 'BAD-4', name: 'x', departmentCode: '371300', endpoints: [{ url: 'ftp://x' }] } }, 400, 'endpoints[0].url'],
      ['unknown departmentCode', { body: { code: 'BAD-5', name: 'x', departmentCode: '999999' } }, 400, 'departmentCode'],
      ['duplicate code', { body: { code: 'LS-OA', name: 'x', departmentCode: '371300' } }, 409, undefined],
      ['mlps level out of range', { body: { code: 'BAD-6', name: 'x', departmentCode: '371300', mlpsLevel: 6 } }, 400, 'mlpsLevel'],
      ['a 10 MB body', { rawBody: JSON.stringify({ code: 'BAD-7', name: 'x', departmentCode: '371300', description: 'y'.repeat(10 * 1024 * 1024) }) }, 413, undefined],
      ['not JSON at all', { rawBody: 'code=BAD-8', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, undefined],
    ];
    it.each(cases)('%s', async (_name, req, status, path) => {
      const before = await count(t);
      const auditBefore = (await (await t.call('GET', '/api/v1/audit?limit=1000')).json()).items.length;
      const res = await t.call('POST', '/api/v1/systems', req);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      const problem = await res.json();
      expect(problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String), code: expect.any(String) });
      expect(problem.requestId).toBeTruthy();
      expect(JSON.stringify(problem)).not.toMatch(/at \w+ \(|node_modules/);
      if (path) expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(await count(t)).toBe(before);
      expect((await (await t.call('GET', '/api/v1/audit?limit=1000')).json()).items.length).toBe(auditBefore);
    });
  });
});

describe.each(backends)('list items equal single reads on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(backend);
    await smallInventory(t);
  });
  afterAll(() => t.close());

  // The list is rendered by SQL for speed, the single read by toSystemDto: they must never drift apart.
  it('renders every field of a fully filled system the same way in both', async () => {
    const body = {
      code: 'FULL-1',
      name: '全字段系统 "引号", <b>',
      departmentCode: '371302-001',
      operatorUnit: '运维, 单位',
      contractor: '承建\\单位',
      contact: { name: '王芳', phone: '0539-1234567', email: 'wf@example.gov.cn' },
      description: '多行\n描述',
      lifecycle: 'decommissioning',
      launchedOn: '2016-02-29',
      deployment: 'hosted',
      cloudRequired: true,
      network: 'private',
      builtBy: 'provincial',
      mlpsLevel: 4,
      userScope: 'cross_department',
      registeredUsers: 0,
      endpoints: [
        { url: 'https://b.example/', role: 'admin' },
        { url: 'https://a.example/x?y=1', role: 'api' },
      ],
      tags: ['a,b', 'c"d', '一网通办'],
    };
    expect((await t.call('POST', '/api/v1/systems', { body })).status).toBe(201);
    const listed = (await (await t.call('GET', '/api/v1/systems?limit=500')).json()).items as Array<{ code: string }>;
    expect(listed.length).toBeGreaterThan(1);
    for (const item of listed) {
      const single = await (await t.call('GET', `/api/v1/systems/${item.code}`)).json();
      expect(item).toStrictEqual(single);
    }
  });
});
