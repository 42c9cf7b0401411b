import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignDepartments, missingSystemReports } from '../../src/db/schema/index.js';
import { uiZh } from '../../i18n/ui-zh.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { csrfOf, FormClient, linksOf } from '../web/client.js';
import { auditCount, campaignInventory, createCampaign, itemStates, systemId, testClock, transferRows } from './fixtures.js';

const OFFICIAL = { official_name: '王芳', official_phone: '0539-8123456' };

describe.each(backends)('ownership campaigns on %s', (backend) => {
  let t: TestApp;
  const clock = testClock('2026-03-02T02:00:00Z');
  let id: number;
  let links: Map<string, string>;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: clock.now });
    await campaignInventory(t);
  });
  afterAll(() => t.close());

  describe('creation', () => {
    it('refuses bad scopes, past deadlines, empty scopes and non-ops tokens', async () => {
      const bad: Array<[unknown, number, string | undefined]> = [
        [{ name: 'x', deadline: '2026-03-01', scope: { departments: ['371300'] } }, 400, 'deadline'],
        [{ name: 'x', deadline: '2026-02-30', scope: { departments: ['371300'] } }, 400, 'deadline'],
        [{ name: 'x', deadline: '2026-03-20', scope: { counties: ['371302-001'] } }, 400, 'scope.counties[0]'],
        [{ name: 'x', deadline: '2026-03-20', scope: { departments: ['nope'] } }, 400, 'scope.departments[0]'],
        [{ name: 'x', deadline: '2026-03-20', scope: {} }, 400, 'scope'],
        [{ name: '', deadline: '2026-03-20', scope: { departments: ['371300'] } }, 400, 'name'],
      ];
      for (const [body, status, path] of bad) {
        const res = await t.call('POST', '/api/v1/campaigns', { body });
        expect(res.status, JSON.stringify(body)).toBe(status);
        const problem = await res.json();
        expect(problem.errors.map((e: { path: string }) => e.path)).toContain(path);
      }
      // A scope whose only system is retired holds nothing to confirm.
      await t.call('POST', '/api/v1/departments', { body: { code: 'EMPTY', name: '空部门', level: 'county', parentCode: '371300' } });
      expect((await t.call('POST', '/api/v1/campaigns', { body: { name: 'x', deadline: '2026-03-20', scope: { counties: ['EMPTY'] } } })).status).toBe(422);
      const viewer = await t.token('viewer');
      const dept = await t.token('department', '371302');
      for (const token of [viewer, dept]) {
        const res = await t.call('POST', '/api/v1/campaigns', { token, body: { name: 'x', deadline: '2026-03-20', scope: { departments: ['371300'] } } });
        expect(res.status).toBe(403);
      }
      expect((await (await t.call('GET', '/api/v1/campaigns')).json()).items).toEqual([]);
    });

    it('snapshots every live system in scope, one department row and link per owner', async () => {
      const res = await t.call('POST', '/api/v1/campaigns', {
        body: { name: '2026年一季度系统归属核查', deadline: '2026-03-20', scope: { counties: ['371302'], departments: ['371311'] } },
      });
      expect(res.status).toBe(201);
      const body = await res.json();
      id = body.id;
      expect(res.headers.get('location')).toBe(`/api/v1/campaigns/${id}`);
      expect(await itemStates(t, id)).toEqual({ 'LS-PORTAL': 'pending', 'LS-GIS': 'pending', 'LS-OA': 'pending', 'LS-EDU': 'pending', 'LZ-PORTAL': 'pending' });
      expect(body.totals).toMatchObject({ systems: 5, pending: 5, confirmed: 0, departments: 4, linksVisited: 0, completed: 0 });
      expect(body.byDepartment.map((d: { departmentCode: string }) => d.departmentCode).sort()).toEqual(['371302', '371302-001', '371302-JY', '371311']);
      const lanshan = body.byCounty.find((c: { countyCode: string }) => c.countyCode === '371302');
      expect(lanshan).toMatchObject({ countyName: '兰山区', systems: 4, departments: 3 });
      expect(body.byCounty.find((c: { countyCode: string }) => c.countyCode === '371311')).toMatchObject({ systems: 1, departments: 1 });
      // Links expire 14 days after the deadline day ends (Asia/Shanghai).
      expect(body.byDepartment[0].linkExpiresAt).toBe('2026-04-03T16:00:00.000Z');
      links = await linksOf(t, id);
      expect([...links.keys()].sort()).toEqual(['371302', '371302-001', '371302-JY', '371311']);
      const list = (await (await t.call('GET', '/api/v1/campaigns')).json()).items;
      expect(list).toMatchObject([{ id, name: '2026年一季度系统归属核查', status: 'open', overdue: false, totals: { systems: 5 } }]);
    });

    it('links are for ops only; department tokens read only their part of the progress', async () => {
      const dept = await t.token('department', '371302');
      expect((await t.call('GET', `/api/v1/campaigns/${id}/links`, { token: dept })).status).toBe(403);
      expect((await t.call('GET', `/api/v1/campaigns/${id}/links`, { token: await t.token('viewer') })).status).toBe(403);
      const mine = await (await t.call('GET', `/api/v1/campaigns/${id}`, { token: dept })).json();
      expect(mine.byDepartment.map((d: { departmentCode: string }) => d.departmentCode).sort()).toEqual(['371302', '371302-001', '371302-JY']);
      const other = await t.token('department', '371300-DSJ');
      expect((await t.call('GET', `/api/v1/campaigns/${id}`, { token: other })).status).toBe(403);
      expect((await t.call('GET', `/api/v1/campaigns/${id}/links`, { token: null })).status).toBe(401);
    });
  });

  describe('links', () => {
    it('a valid link shows the department its systems and records the visit', async () => {
      const b = new FormClient(t);
      const { res, html } = await b.get(links.get('371302')!);
      expect(res.status).toBe(200);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(html).toContain('兰山区政府门户网站');
      expect(html).toContain('兰山区地理信息平台');
      expect(html).not.toContain('兰山区教育资源平台'); // another department's
      expect(html).not.toContain('兰山区旧网站'); // retired
      const p = await (await t.call('GET', `/api/v1/campaigns/${id}`)).json();
      expect(p.byDepartment.find((d: { departmentCode: string }) => d.departmentCode === '371302').linkVisitedAt).toBe('2026-03-02T02:00:00.000Z');
    });

    it('a forged or malformed link is refused with 403 and shows nothing', async () => {
      const good = links.get('371302')!;
      const last = good.slice(-1);
      const forged = `${good.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
      const otherId = good.replace(/^\/confirm\/\d+/, `/confirm/${Number(/\/confirm\/(\d+)/.exec(good)![1]) + 1}`);
      const longer = good.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 86400}.`);
      for (const path of [forged, otherId, longer, '/confirm/garbage', '/confirm/1.2.3']) {
        const { res, html } = await new FormClient(t).get(path);
        expect(res.status, path).toBe(403);
        expect(html).not.toContain('兰山区');
        expect(html).toContain('此链接无效或已被撤销');
      }
      expect((await new FormClient(t).post(forged, { ...OFFICIAL, all: 'confirm' })).res.status).toBe(403);
      expect(await itemStates(t, id)).toMatchObject({ 'LS-PORTAL': 'pending' });
    });

    it('an expired link is refused with 410 (fixed clock past deadline + 14 days)', async () => {
      clock.set('2026-04-03T16:00:00Z');
      const { res, html } = await new FormClient(t).get(links.get('371302')!);
      expect(res.status).toBe(410);
      expect(html).toContain('此链接已过期');
      expect(html).not.toContain('兰山区政府门户网站');
      clock.set('2026-04-03T15:59:59Z');
      expect((await new FormClient(t).get(links.get('371302')!)).res.status).toBe(200);
      clock.set('2026-03-02T02:00:00Z');
    });

    it('rotating a link revokes the old one', async () => {
      const before = links.get('371302-JY')!;
      const res = await t.call('POST', `/api/v1/campaigns/${id}/links/371302-JY/rotate`);
      expect(res.status).toBe(200);
      const fresh = new URL((await res.json()).url).pathname;
      expect(fresh).not.toBe(before);
      expect((await new FormClient(t).get(before)).res.status).toBe(403);
      expect((await new FormClient(t).get(fresh)).res.status).toBe(200);
      links.set('371302-JY', fresh);
      expect((await t.call('POST', `/api/v1/campaigns/${id}/links/371302-JY/rotate`, { token: await t.token('viewer') })).status).toBe(403);
      expect((await t.call('POST', `/api/v1/campaigns/${id}/links/999999/rotate`)).status).toBe(404);
    });
  });

  describe('department answers through its link', () => {
    it('every form needs the page CSRF token', async () => {
      const b = new FormClient(t);
      const path = links.get('371302')!;
      const auditBefore = await auditCount(t);
      expect((await b.post(path, { ...OFFICIAL, all: 'confirm' })).res.status).toBe(403);
      expect((await b.post(path, { ...OFFICIAL, all: 'confirm', _csrf: 'x'.repeat(60) })).res.status).toBe(403);
      // A token from another department's page is not valid here.
      const other = await b.get(links.get('371311')!);
      expect((await b.post(path, { ...OFFICIAL, all: 'confirm', _csrf: csrfOf(other.html) })).res.status).toBe(403);
      expect((await b.post(`${path}/missing`, { ...OFFICIAL, name: 'x' })).res.status).toBe(403);
      expect(await itemStates(t, id)).toMatchObject({ 'LS-PORTAL': 'pending', 'LS-GIS': 'pending' });
      expect(await auditCount(t)).toBe(auditBefore);
    });

    it('the official name and phone are required', async () => {
      const b = new FormClient(t);
      const path = links.get('371302')!;
      const lsPortal = await systemId(t, 'LS-PORTAL');
      const { res, html } = await b.submit(path, path, { official_name: '', official_phone: 'abc', [`action_${lsPortal}`]: 'confirm' });
      expect(res.status).toBe(400);
      expect(html).toContain('role="alert"');
      expect(html).toContain('aria-invalid="true"');
      expect(await itemStates(t, id)).toMatchObject({ 'LS-PORTAL': 'pending' });
    });

    it('a crafted form naming another department’s system is refused whole: 403, nothing changed', async () => {
      const b = new FormClient(t);
      const path = links.get('371302')!;
      const own = await systemId(t, 'LS-PORTAL');
      const foreign = await systemId(t, 'LZ-PORTAL');
      const outside = await systemId(t, 'CITY-DATA');
      const auditBefore = await auditCount(t);
      for (const victim of [foreign, outside, 999999]) {
        const { res, html } = await b.submit(path, path, { ...OFFICIAL, [`action_${own}`]: 'confirm', [`action_${victim}`]: 'confirm' });
        expect(res.status).toBe(403);
        expect(html).toContain('所提交的系统不属于本单位');
      }
      // The correction page and form of another department's system.
      expect((await b.get(`${path}/systems/${foreign}`)).res.status).toBe(403);
      const page = await b.get(path);
      const { res } = await b.post(`${path}/systems/${foreign}`, { _csrf: csrfOf(page.html), ...OFFICIAL, name: '被篡改', endpoints: '' });
      expect(res.status).toBe(403);
      expect(await itemStates(t, id)).toMatchObject({ 'LS-PORTAL': 'pending', 'LZ-PORTAL': 'pending' });
      expect((await (await t.call('GET', '/api/v1/systems/LZ-PORTAL')).json()).name).toBe('罗庄区政府门户网站');
      expect(await auditCount(t)).toBe(auditBefore);
    });

    it('confirms ownership, recording who answered', async () => {
      const b = new FormClient(t);
      const path = links.get('371302')!;
      const lsPortal = await systemId(t, 'LS-PORTAL');
      const { res } = await b.submit(path, path, { ...OFFICIAL, [`action_${lsPortal}`]: 'confirm' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe(`${path}?done=saved&n=1`);
      expect(await itemStates(t, id)).toMatchObject({ 'LS-PORTAL': 'confirmed', 'LS-GIS': 'pending' });
      const after = await b.get(res.headers.get('location')!);
      expect(after.html).toContain('已保存 1 项答复');
      // The next form comes filled in with the same official.
      expect(after.html).toContain('value="王芳"');
      const audit = await (await t.call('GET', '/api/v1/audit?entity=system&entityId=LS-PORTAL')).json();
      const entry = audit.items.find((e: { action: string }) => e.action === 'campaign.confirm');
      expect(entry.actor).toContain('campaign link: 兰山区人民政府 (王芳)');
      expect(entry.after.official).toEqual({ name: '王芳', phone: '0539-8123456' });
    });

    it('corrects fields through updateSystem, audited under the link and the official', async () => {
      const b = new FormClient(t);
      const path = links.get('371302')!;
      const gis = await systemId(t, 'LS-GIS');
      const form = await b.get(`${path}/systems/${gis}`);
      expect(form.res.status).toBe(200);
      expect(form.html).toContain('旧承建商');
      const bad = await b.post(`${path}/systems/${gis}`, {
        _csrf: csrfOf(form.html),
        ...OFFICIAL,
        name: '兰山区地理信息平台',
        contractor: '旧承建商',
        contactEmail: 'not-an-email',
        endpoints: 'ftp://gis.lanshan.example/',
      });
      expect(bad.res.status).toBe(400);
      expect((await (await t.call('GET', '/api/v1/systems/LS-GIS')).json()).version).toBe(1);
      const { res } = await b.post(`${path}/systems/${gis}`, {
        _csrf: csrfOf(form.html),
        ...OFFICIAL,
        name: '兰山区地理信息公共服务平台',
        operatorUnit: '兰山区大数据中心',
        contractor: '山东某某科技有限公司',
        contactName: '赵六',
        contactPhone: '0539-7777777',
        contactEmail: 'zhao@lanshan.example.gov.cn',
        description: '地图服务',
        endpoints: 'https://gis.lanshan.example/ portal\nhttps://gis.lanshan.example/api api',
        alsoConfirm: '1',
      });
      expect(res.status).toBe(303);
      const sys = await (await t.call('GET', '/api/v1/systems/LS-GIS')).json();
      expect(sys).toMatchObject({
        name: '兰山区地理信息公共服务平台',
        operatorUnit: '兰山区大数据中心',
        contractor: '山东某某科技有限公司',
        contact: { name: '赵六', phone: '0539-7777777', email: 'zhao@lanshan.example.gov.cn' },
        description: '地图服务',
        endpoints: [
          { url: 'https://gis.lanshan.example/', role: 'portal' },
          { url: 'https://gis.lanshan.example/api', role: 'api' },
        ],
        version: 2,
      });
      const audit = await (await t.call('GET', '/api/v1/audit?entity=system&entityId=LS-GIS')).json();
      const update = audit.items.find((e: { action: string }) => e.action === 'update');
      expect(update.actor).toContain('campaign link: 兰山区人民政府 (王芳)');
      expect(update.before.contractor).toBe('旧承建商');
      expect(update.after.contractor).toBe('山东某某科技有限公司');
      expect(await itemStates(t, id)).toMatchObject({ 'LS-GIS': 'confirmed' });
    });

    it('a transfer to a department that does not exist is a clear 400, nothing changed', async () => {
      const b = new FormClient(t);
      const path = links.get('371302-JY')!;
      const edu = await systemId(t, 'LS-EDU');
      const before = (await transferRows(t)).length;
      // Each refusal is worded in Chinese from its reason code, never the service's English.
      const wording: Record<string, string> = { '999999': '找不到部门“999999”', '': uiZh['ui.confirm.error.chooseTarget'], '371302-JY': uiZh['ui.confirm.error.sameTarget'] };
      for (const [to, said] of Object.entries(wording)) {
        const { res, html } = await b.submit(path, path, { ...OFFICIAL, [`action_${edu}`]: 'transfer', [`to_${edu}`]: to });
        expect(res.status, to).toBe(400);
        expect(html).toContain('role="alert"');
        expect(html).toContain(`href="#to_${edu}"`);
        expect(html, to).toContain(said);
        for (const english of ['no department with code', 'choose the department', 'already belongs']) expect(html, to).not.toContain(english);
      }
      const { html } = await b.submit(path, path, { ...OFFICIAL, [`action_${edu}`]: 'transfer', [`to_${edu}`]: '999999' });
      expect(html).toContain('找不到部门“999999”'); // the confirm page speaks Chinese (ui.confirm.error.unknownTarget)
      expect((await transferRows(t)).length).toBe(before);
      expect(await itemStates(t, id)).toMatchObject({ 'LS-EDU': 'pending' });
    });

    it('hands a system over; the receiving department accepts on its own link and the system moves', async () => {
      const sender = new FormClient(t);
      const path = links.get('371302-JY')!;
      const edu = await systemId(t, 'LS-EDU');
      // The city big-data bureau had no systems in scope: it gets a link for the hand-over.
      const { res } = await sender.submit(path, path, { ...OFFICIAL, [`action_${edu}`]: 'transfer', [`to_${edu}`]: '临沂市大数据局', [`note_${edu}`]: '已划转市大数据局' });
      expect(res.status).toBe(303);
      expect(await itemStates(t, id)).toMatchObject({ 'LS-EDU': 'transfer_requested' });
      const [transfer] = (await transferRows(t)).slice(-1);
      expect(transfer).toMatchObject({ state: 'pending', note: '已划转市大数据局', requestedBy: '王芳 (0539-8123456)' });
      links = await linksOf(t, id);
      expect(links.has('371300-DSJ')).toBe(true);
      let p = await (await t.call('GET', `/api/v1/campaigns/${id}`)).json();
      expect(p.byDepartment.find((d: { departmentCode: string }) => d.departmentCode === '371300-DSJ')).toMatchObject({ systems: 0, incomingTransfers: 1, completedAt: null });
      expect(p.byDepartment.find((d: { departmentCode: string }) => d.departmentCode === '371302-JY')).toMatchObject({ transferPending: 1, completedAt: '2026-03-02T02:00:00.000Z' });

      // Another department cannot accept it.
      const stranger = new FormClient(t);
      const strangerPath = links.get('371311')!;
      const sp = await stranger.get(strangerPath);
      expect((await stranger.post(`${strangerPath}/transfers/${transfer!.id}`, { _csrf: csrfOf(sp.html), ...OFFICIAL, decision: 'accept' })).res.status).toBe(403);

      const receiver = new FormClient(t);
      const rpath = links.get('371300-DSJ')!;
      const page = await receiver.get(rpath);
      expect(page.html).toContain('兰山区教育资源平台');
      expect(page.html).toContain('已划转市大数据局');
      const accept = await receiver.post(`${rpath}/transfers/${transfer!.id}`, { _csrf: csrfOf(page.html), official_name: '刘强', official_phone: '0539-8999999', decision: 'accept' });
      expect(accept.res.status).toBe(303);
      expect((await (await t.call('GET', '/api/v1/systems/LS-EDU')).json()).departmentCode).toBe('371300-DSJ');
      expect(await itemStates(t, id)).toMatchObject({ 'LS-EDU': 'transferred' });
      const audit = await (await t.call('GET', '/api/v1/audit?entity=system&entityId=LS-EDU')).json();
      const move = audit.items.find((e: { action: string }) => e.action === 'update');
      expect(move.actor).toContain('campaign link: 临沂市大数据局 (刘强)');
      expect(move.before.departmentCode).toBe('371302-JY');
      expect(move.after.departmentCode).toBe('371300-DSJ');
      p = await (await t.call('GET', `/api/v1/campaigns/${id}`)).json();
      expect(p.byDepartment.find((d: { departmentCode: string }) => d.departmentCode === '371300-DSJ')).toMatchObject({ confirmed: 1, incomingTransfers: 0 });
      expect(p.byDepartment.find((d: { departmentCode: string }) => d.departmentCode === '371300-DSJ').completedAt).not.toBeNull();
      // Accepting twice is a conflict, not a second move.
      const again = await receiver.post(`${rpath}/transfers/${transfer!.id}`, { _csrf: csrfOf(page.html), official_name: '刘强', official_phone: '0539-8999999', decision: 'accept' });
      expect(again.res.status).toBe(409);
    });

    it('a rejected hand-over goes back to the sender; ops may accept one through the API', async () => {
      const b = new FormClient(t);
      const path = links.get('371311')!;
      const lz = await systemId(t, 'LZ-PORTAL');
      await b.submit(path, path, { ...OFFICIAL, [`action_${lz}`]: 'transfer', [`to_${lz}`]: '371302' });
      const [first] = (await transferRows(t)).slice(-1);
      const rec = new FormClient(t);
      const rpath = links.get('371302')!;
      const page = await rec.get(rpath);
      const reject = await rec.post(`${rpath}/transfers/${first!.id}`, { _csrf: csrfOf(page.html), ...OFFICIAL, decision: 'reject', note: '不是我们的' });
      expect(reject.res.status).toBe(303);
      expect(await itemStates(t, id)).toMatchObject({ 'LZ-PORTAL': 'pending' });
      expect((await (await t.call('GET', '/api/v1/systems/LZ-PORTAL')).json()).departmentCode).toBe('371311');

      await b.submit(path, path, { ...OFFICIAL, [`action_${lz}`]: 'transfer', [`to_${lz}`]: '371302' });
      const [second] = (await transferRows(t)).slice(-1);
      expect((await t.call('POST', `/api/v1/transfers/${second!.id}/accept`, { token: await t.token('viewer') })).status).toBe(403);
      const res = await t.call('POST', `/api/v1/transfers/${second!.id}/accept`, { body: { note: '经核实' } });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ state: 'accepted', fromDepartmentCode: '371311', toDepartmentCode: '371302', systemCode: 'LZ-PORTAL' });
      expect((await (await t.call('GET', '/api/v1/systems/LZ-PORTAL')).json()).departmentCode).toBe('371302');
      const list = await (await t.call('GET', `/api/v1/campaigns/${id}/transfers`)).json();
      expect(list.items.map((x: { state: string }) => x.state).sort()).toEqual(['accepted', 'accepted', 'rejected']);
    });

    it('asks for retirement with a reason; the system itself is not retired by the department', async () => {
      const b = new FormClient(t);
      const path = links.get('371302-001')!;
      const oa = await systemId(t, 'LS-OA');
      const noReason = await b.submit(path, path, { ...OFFICIAL, [`action_${oa}`]: 'retire' });
      expect(noReason.res.status).toBe(400);
      expect(noReason.html).toContain(`href="#note_${oa}"`);
      const { res } = await b.submit(path, path, { ...OFFICIAL, [`action_${oa}`]: 'retire', [`note_${oa}`]: '已并入市协同办公平台' });
      expect(res.status).toBe(303);
      expect(await itemStates(t, id)).toMatchObject({ 'LS-OA': 'retirement_requested' });
      expect((await (await t.call('GET', '/api/v1/systems/LS-OA')).json()).lifecycle).toBe('live');
      const p = await (await t.call('GET', `/api/v1/campaigns/${id}`)).json();
      expect(p.totals.retirementRequested).toBe(1);
    });

    it('reports a missing system', async () => {
      const b = new FormClient(t);
      const path = links.get('371302-001')!;
      const bad = await b.submit(path, `${path}/missing`, { ...OFFICIAL, name: '', url: 'javascript:alert(1)' });
      expect(bad.res.status).toBe(400);
      const { res } = await b.submit(path, `${path}/missing`, { ...OFFICIAL, name: '兰山街道网格化管理系统', url: 'http://wg.lanshan.example/', note: '2024年上线' });
      expect(res.status).toBe(303);
      const list = await (await t.call('GET', `/api/v1/campaigns/${id}/missing-systems`)).json();
      expect(list.items).toMatchObject([{ departmentCode: '371302-001', name: '兰山街道网格化管理系统', url: 'http://wg.lanshan.example/', note: '2024年上线', reportedByName: '王芳' }]);
      const rows = await t.database.db.select().from(missingSystemReports).where(eq(missingSystemReports.campaignId, id));
      expect(rows).toHaveLength(1);
    });

    it('progress shows who is done', async () => {
      const p = await (await t.call('GET', `/api/v1/campaigns/${id}`)).json();
      const done = Object.fromEntries(p.byDepartment.map((d: { departmentCode: string; completedAt: string | null }) => [d.departmentCode, d.completedAt !== null]));
      expect(done).toEqual({ '371302': true, '371302-001': true, '371302-JY': true, '371311': true, '371300-DSJ': true });
      expect(p.totals).toMatchObject({ systems: 5, pending: 0, departments: 5, completed: 5 });
    });
  });

  describe('closing', () => {
    it('after closing, a reused link is refused and no answer is taken', async () => {
      const path = links.get('371302')!;
      const b = new FormClient(t);
      const page = await b.get(path);
      expect(page.res.status).toBe(200);
      expect((await t.call('POST', `/api/v1/campaigns/${id}/close`, { token: await t.token('viewer') })).status).toBe(403);
      const res = await t.call('POST', `/api/v1/campaigns/${id}/close`);
      expect(res.status).toBe(200);
      expect((await res.json()).status).toBe('closed');
      const again = await b.get(path);
      expect(again.res.status).toBe(410);
      expect(again.html).toContain('本次核查已结束');
      const post = await b.post(path, { _csrf: csrfOf(page.html), ...OFFICIAL, all: 'confirm' });
      expect(post.res.status).toBe(410);
      expect((await t.call('POST', `/api/v1/campaigns/${id}/links/371302/rotate`)).status).toBe(409);
      const rows = await t.database.db.select().from(campaignDepartments).where(eq(campaignDepartments.campaignId, id));
      expect(rows).toHaveLength(5);
    });
  });
});
