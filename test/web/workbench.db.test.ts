import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../reports/dates.js';
import { localDay } from '../../probes/time.js';
import { endpointState, endpoints, probeDays, sweeps, sweepTargets } from '../../src/db/schema/index.js';
import { classifyAll } from '../../src/verdicts/index.js';
import { eq } from 'drizzle-orm';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { campaignInventory, systemId } from '../campaigns/fixtures.js';
import { csrfOf, FormClient } from './client.js';

/** The workbench pages through their forms: overview, inventory list and export, system edit/retire, sweeps. */
describe.each(backends)('ops workbench pages, on %s', (backend) => {
  let t: TestApp;
  let ops: FormClient;

  beforeAll(async () => {
    t = await startTestApp(backend);
    await campaignInventory(t);
    // Internal, maintained, never probed and no usage source: not enough evidence to judge.
    expect((await t.call('POST', '/api/v1/systems', { body: { code: 'LS-HR', name: '兰山区人事管理系统', departmentCode: '371302', userScope: 'internal', operatorUnit: '兰山区人社局', contact: { name: '张伟', phone: '0539-8200001' } } })).status).toBe(201);
    const db = t.database.db;
    const today = localDay(new Date());
    // LS-PORTAL: 30 days of probes, 2 of them bad; its endpoint last failed with connect_refused.
    const portal = await systemId(t, 'LS-PORTAL');
    await db.insert(probeDays).values(Array.from({ length: 30 }, (_, i) => ({ systemId: portal, day: addDays(today, i - 29), probes: 10, ok: i < 2 ? 0 : 10, failed: i < 2 ? 10 : 0, sumMs: 3000, maxMs: 500 })));
    const [ep] = await db.select({ id: endpoints.id }).from(endpoints).where(eq(endpoints.systemId, portal));
    await db.insert(endpointState).values({ endpointId: ep!.id, systemId: portal, lastProbeAt: new Date(), lastOutcome: 'connect_refused', ipv6: { grade: 'partial' }, ipv6At: new Date() });
    // A finished sweep: 3 addresses, 2 failed.
    const [sw] = await db.insert(sweeps).values({ trigger: 'api', requestedBy: 'test', status: 'done', targets: 3, startedAt: new Date(), finishedAt: new Date(), options: { kinds: ['liveness'] } }).returning({ id: sweeps.id });
    await db.insert(sweepTargets).values([
      { sweepId: sw!.id, systemId: portal, url: 'http://a.example/', state: 'done', outcome: 'ok' },
      { sweepId: sw!.id, systemId: portal, url: 'http://b.example/', state: 'done', outcome: 'dns_nxdomain' },
      { sweepId: sw!.id, systemId: portal, url: 'http://c.example/', state: 'done', outcome: 'connect_refused' },
    ]);
    await classifyAll(db, { now: new Date() });
    ops = new FormClient(t);
    expect((await ops.login(ADMIN)).status).toBe(303);
  }, 180_000);

  afterAll(async () => {
    await t?.close();
  });

  it('lands on the overview after sign-in, with counts, the last sweep in Chinese and what to do next', async () => {
    const fresh = new FormClient(t);
    const page = await fresh.get('/login');
    const { res } = await fresh.post('/login', { _csrf: csrfOf(page.html), token: ADMIN });
    expect(res.headers.get('location')).toBe('/');
    const { res: r2, html } = await fresh.get('/');
    expect(r2.status).toBe(200);
    expect(html).toContain('<title>总览 · 巡查</title>');
    expect(html).toContain('上次巡查有 1 个入口探测失败'.replace('1', '2'));
    expect(html).toContain('域名不存在');
    expect(html).toContain('连接被拒绝');
    expect(html).not.toContain('dns_nxdomain<');
    // LS-OA is internal with no usage source: the classifier says so, and the overview tells how to fix it.
    expect(html).toMatch(/\d+ 个系统证据不足：缺少使用量数据（接入方法/);
    expect(html).toContain('aria-current="page">总览</a>');
    for (const area of ['总览', '系统清单', '巡查', '导入', '问题台账', '归属核查', '月度通报', '令牌']) expect(html).toContain(`>${area}</a>`);
    const en = await fresh.get('/?lang=en');
    expect(en.html).toContain('What to do next');
    expect(en.html).toContain('domain does not exist');
  });

  it('a first visit to / goes to the login form without an "expired" notice', async () => {
    const anon = new FormClient(t);
    const { res } = await anon.get('/');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it('lists the inventory with a total, pages, figures in Chinese and sorting', async () => {
    const { res, html } = await ops.get('/inventory?sort=availability&dir=asc');
    expect(res.status).toBe(200);
    expect(html).toMatch(/共 8 个系统，第 1\/1 页/);
    expect(html).toContain('93.3%');
    expect(html).toContain('连接被拒绝');
    expect(html).toContain('部分支持');
    expect(html).toContain('aria-sort="ascending"');
    // Ascending availability: the only system with a figure comes first (nulls last).
    const first = /<tr data-code="([^"]+)"/.exec(html)![1];
    expect(first).toBe('LS-PORTAL');
    const bad = await ops.get('/inventory?department=NOPE');
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain('提交的内容有误');
  });

  it('exports the current selection to xlsx', async () => {
    const { res } = await ops.request('GET', '/inventory/export.xlsx?department=371302');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const res2 = await t.app.request('/inventory/export.xlsx?department=371302', { headers: { cookie: [...ops.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res2.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    const codes: string[] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) codes.push(String(row.getCell(1).value));
    });
    // 兰山区 and its subtree: LS-PORTAL, LS-OA, LS-GIS, LS-OLD, LS-EDU (not LZ-PORTAL, not CITY-DATA).
    expect(codes.sort()).toEqual(['LS-EDU', 'LS-GIS', 'LS-HR', 'LS-OA', 'LS-OLD', 'LS-PORTAL']);
  });

  it('edits a system, explains a conflict in Chinese with the other change shown, and retires it', async () => {
    const page = await ops.get('/systems/LS-GIS');
    expect(page.res.status).toBe(200);
    const csrf = csrfOf(page.html);
    const version = /name="version" value="(\d+)"/.exec(page.html)![1]!;
    const fields = {
      _csrf: csrf,
      version,
      name: '兰山区地理信息平台',
      departmentCode: '371302',
      operatorUnit: '兰山区大数据中心',
      contractor: '新承建商',
      contactName: '李明',
      contactPhone: '0539-8000000',
      contactEmail: '',
      description: '',
      lifecycle: 'live',
      launchedOn: '2020-05-01',
      deployment: 'gov_cloud',
      cloudRequired: 'true',
      network: 'internet',
      builtBy: 'county',
      mlpsLevel: '2',
      userScope: 'public',
      registeredUsers: '',
      endpoints: 'https://gis.lanshan.example/ portal',
      tags: '地图，测绘',
    };
    // Someone else saves first (through the API).
    const other = await t.call('PATCH', '/api/v1/systems/LS-GIS', { body: { contractor: '另一家承建商' }, headers: { 'if-match': `"${version}"` } });
    expect(other.status).toBe(200);
    const conflict = await ops.post('/systems/LS-GIS', fields);
    expect(conflict.res.status).toBe(409);
    expect(conflict.html).toContain('在您编辑期间');
    expect(conflict.html).toMatch(/data-field="contractor"><td>承建单位<\/td><td>另一家承建商<\/td>/);
    // The form keeps what the person typed and now carries the new version.
    expect(conflict.html).toContain('value="新承建商"');
    const newVersion = /name="version" value="(\d+)"/.exec(conflict.html)![1]!;
    expect(Number(newVersion)).toBe(Number(version) + 1);

    const bad = await ops.post('/systems/LS-GIS', { ...fields, version: newVersion, contactPhone: 'abc', launchedOn: '2020-13-40' });
    expect(bad.res.status).toBe(400);
    expect(bad.html).toContain('联系电话填写有误');
    expect(bad.html).toContain('上线日期填写有误');

    const saved = await ops.post('/systems/LS-GIS', { ...fields, version: newVersion });
    expect(saved.res.status).toBe(303);
    const after = await (await t.call('GET', '/api/v1/systems/LS-GIS')).json();
    expect(after).toMatchObject({ contractor: '新承建商', deployment: 'gov_cloud', cloudRequired: true, mlpsLevel: 2, tags: ['地图', '测绘'], contact: { name: '李明', phone: '0539-8000000' }, endpoints: [{ url: 'https://gis.lanshan.example/', role: 'portal' }] });

    // A department token may not retire: the service says so, the page in Chinese.
    const dept = new FormClient(t);
    await dept.login(await t.token('department', '371302'));
    const dpage = await dept.get('/systems/LS-GIS');
    const refused = await dept.post('/systems/LS-GIS/retire', { _csrf: csrfOf(dpage.html), confirm: 'yes', version: String(after.version) });
    expect(refused.res.status).toBe(403);
    expect(refused.html).toContain('您无权查看或修改此内容');
    const retired = await ops.post('/systems/LS-GIS/retire', { _csrf: csrf, confirm: 'yes', version: String(after.version) });
    expect(retired.res.status).toBe(303);
    expect((await (await t.call('GET', '/api/v1/systems/LS-GIS')).json()).lifecycle).toBe('retired');
  });

  it('says exactly which evidence is missing and takes usage and a pull source from the page', async () => {
    const page = await ops.get('/systems/LS-HR');
    expect(page.html).toContain('证据不足');
    expect(page.html).toContain('data-gap="usage_source"');
    expect(page.html).toContain('非面向公众的系统未接入使用量数据');
    expect(page.html).toContain('xuncha usage import-log');
    const csrf = csrfOf(page.html);
    const pushed = await ops.post('/systems/LS-HR/usage', { _csrf: csrf, date: localDay(new Date()), metric: 'logins', value: '42' });
    expect(pushed.res.status).toBe(303);
    const usage = await (await t.call('GET', '/api/v1/systems/LS-HR/usage')).json();
    expect(JSON.stringify(usage)).toContain('42');
    const badSource = await ops.post('/systems/LS-HR/usage-sources', { _csrf: csrf, kind: 'json', url: 'ftp://x', selector: '/v', metric: 'logins' });
    expect(badSource.res.status).toBe(400);
    expect(badSource.html).toContain('拉取地址填写有误');
    const source = await ops.post('/systems/LS-HR/usage-sources', { _csrf: csrf, kind: 'json', url: 'http://oa.lanshan.example/stats', selector: '/data/logins', metric: 'logins' });
    expect(source.res.status).toBe(303);
    expect((await ops.get('/systems/LS-HR')).html).toContain('http://oa.lanshan.example/stats');
  });

  it('shows the sweeps page, its history and an honest refusal where this runtime does not probe', async () => {
    const page = await ops.get('/sweeps');
    expect(page.res.status).toBe(200);
    expect(page.html).toContain('id="kind-liveness"');
    expect(page.html).toMatch(/<td class="num ">?2|class="num bad">2</);
    const started = await ops.post('/sweeps', { _csrf: csrfOf(page.html), scope: 'all', kinds: ['liveness'] });
    expect(started.res.status).toBe(503);
    expect(started.html).toContain('本部署不执行探测');
    const none = await ops.post('/sweeps', { _csrf: csrfOf(page.html), scope: 'all' });
    expect(none.res.status).toBe(400);
    expect(none.html).toContain('请至少选择一个探测项目');
    const id = /href="\/sweeps\/(\d+)"/.exec(page.html)![1];
    const detail = await ops.get(`/sweeps/${id}`);
    expect(detail.res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(detail.html).toContain('<script src="/assets/htmx.min.js?v=2.0.11" defer="">');
    expect(detail.html).toContain('已完成 3/3 个入口（正常 1，失败 2）');
    // Finished: no polling attribute.
    expect(detail.html).not.toContain('hx-trigger');
    // Other pages allow no script at all.
    expect(page.res.headers.get('content-security-policy')).not.toMatch(/script-src/);
  });

  it('serves htmx from node_modules with a long cache, and a favicon', async () => {
    const js = await t.app.request('/assets/htmx.min.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('max-age=31536000');
    expect(await js.text()).toContain('htmx');
    const ico = await t.app.request('/favicon.ico');
    expect(ico.status).toBe(200);
    expect(ico.headers.get('content-type')).toBe('image/x-icon');
    const bytes = new Uint8Array(await ico.arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]);
  });
});
