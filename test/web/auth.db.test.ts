import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../support/db.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { campaignInventory, createCampaign, testClock } from '../campaigns/fixtures.js';
import { csrfOf, FormClient } from './client.js';

describe.each(backends)('ops pages: sign-in, CSRF and scope on %s', (backend) => {
  let t: TestApp;
  const clock = testClock('2026-03-02T02:00:00Z');
  let campaignId: number;

  beforeAll(async () => {
    t = await startTestApp(backend, { now: clock.now });
    await campaignInventory(t);
    campaignId = await createCampaign(t, { name: '一季度核查', deadline: '2026-03-20', scope: { departments: ['371300'] } });
  });
  afterAll(() => t.close());

  it('the login page is an accessible form with its own CSRF cookie', async () => {
    const b = new FormClient(t);
    const { res, html } = await b.get('/login');
    expect(res.status).toBe(200);
    expect(html).toMatch(/^<!doctype html><html lang="zh-CN">/);
    expect(html).toContain('<label for="token">访问令牌</label>');
    expect(html).toContain('id="token" name="token"');
    expect(html).toContain('href="#main"');
    expect(html).not.toMatch(/<script/i);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('xc_login='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(res.headers.get('content-security-policy')).not.toMatch(/script-src/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('refuses a login without the CSRF field, or with a wrong token', async () => {
    const b = new FormClient(t);
    await b.get('/login');
    const noCsrf = await b.post('/login', { token: ADMIN });
    expect(noCsrf.res.status).toBe(403);
    expect(b.cookies.has('xc_session')).toBe(false);
    const page = await b.get('/login');
    const wrong = await b.post('/login', { _csrf: csrfOf(page.html), token: 'xc_not-a-real-token-at-all' });
    expect(wrong.res.status).toBe(401);
    expect(wrong.html).toContain('令牌无效或已被吊销');
    expect(b.cookies.has('xc_session')).toBe(false);
  });

  it('a valid token starts a signed session cookie: HttpOnly, SameSite=Strict, Path=/, Secure on https', async () => {
    const b = new FormClient(t);
    const res = await b.login(ADMIN);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('xc_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).not.toContain(ADMIN);
    const inv = await b.get('/inventory');
    expect(inv.res.status).toBe(200);
    expect(inv.html).toContain('兰山区政府门户网站');

    const login = await t.app.request('https://xuncha.linyi.example/login');
    const nonce = login.headers.getSetCookie().find((c) => c.startsWith('xc_login='))!.split(';')[0]!;
    const csrf = csrfOf(await login.text());
    const secure = await t.app.request('https://xuncha.linyi.example/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: nonce },
      body: new URLSearchParams({ _csrf: csrf, token: ADMIN }).toString(),
    });
    expect(secure.status).toBe(303);
    expect(secure.headers.getSetCookie().find((c) => c.startsWith('xc_session='))).toMatch(/Secure/);
  });

  it('pages need a session; a tampered or expired cookie is no session', async () => {
    const anon = await new FormClient(t).get('/inventory?q=x');
    expect(anon.res.status).toBe(303);
    expect(anon.res.headers.get('location')).toBe('/login?m=expired&next=%2Finventory%3Fq%3Dx');
    for (const path of ['/systems/LS-PORTAL', '/findings', '/campaigns', `/campaigns/${campaignId}`, '/reports']) {
      expect((await new FormClient(t).get(path)).res.status, path).toBe(303);
    }
    const b = new FormClient(t);
    await b.login(ADMIN);
    const good = b.cookies.get('xc_session')!;
    b.cookies.set('xc_session', `${good.slice(0, 10)}${good[10] === 'A' ? 'B' : 'A'}${good.slice(11)}`);
    expect((await b.get('/inventory')).res.status).toBe(303);
    b.cookies.set('xc_session', good);
    expect((await b.get('/inventory')).res.status).toBe(200);
    clock.set('2026-03-02T10:00:01Z');
    expect((await b.get('/inventory')).res.status).toBe(303);
    clock.set('2026-03-02T02:00:00Z');
  });

  it('revoking the token ends its sessions at once', async () => {
    const created = await (await t.call('POST', '/api/v1/tokens', { body: { role: 'auditor', name: '运维张工' } })).json();
    const b = new FormClient(t);
    expect((await b.login(created.token)).status).toBe(303);
    const page = await b.get('/inventory');
    expect(page.html).toContain('当前用户：运维张工（运维审计）');
    expect((await t.call('DELETE', `/api/v1/tokens/${created.id}`)).status).toBe(204);
    expect((await b.get('/inventory')).res.status).toBe(303);
  });

  it('after login only local paths are followed', async () => {
    const cases: Array<[string, string]> = [
      ['/findings', '/findings'],
      ['//evil.example/x', '/'],
      ['https://evil.example/', '/'],
      ['/\\evil.example', '/'],
    ];
    for (const [next, to] of cases) {
      // Through the page (the hidden field) and through a crafted form.
      const b = new FormClient(t);
      const page = await b.get(`/login?next=${encodeURIComponent(next)}`);
      const hidden = /name="next" value="([^"]*)"/.exec(page.html)![1]!;
      expect(hidden).toBe(to);
      const { res } = await b.post('/login', { _csrf: csrfOf(page.html), token: ADMIN, next });
      expect(res.headers.get('location'), next).toBe(to);
    }
  });

  it('every signed-in form needs the session’s synchronizer token', async () => {
    const b = new FormClient(t);
    await b.login(ADMIN);
    const other = new FormClient(t);
    await other.login(ADMIN);
    const otherCsrf = csrfOf((await other.get('/campaigns')).html);
    const create = { name: '伪造的核查', deadline: '2026-03-30', departments: '371300' };
    for (const csrf of [undefined, 'forged', otherCsrf]) {
      const res = await b.post('/campaigns', { _csrf: csrf, ...create });
      expect(res.res.status).toBe(403);
      expect(res.html).toContain('表单已过期或来源不明');
      expect((await b.post(`/campaigns/${campaignId}/close`, { _csrf: csrf })).res.status).toBe(403);
      expect((await b.post(`/campaigns/${campaignId}/links/371302/rotate`, { _csrf: csrf })).res.status).toBe(403);
      expect((await b.post('/logout', { _csrf: csrf })).res.status).toBe(403);
    }
    const list = (await (await t.call('GET', '/api/v1/campaigns')).json()).items;
    expect(list.map((c: { name: string }) => c.name)).toEqual(['一季度核查']);
    expect(list[0].status).toBe('open');
    expect((await b.get('/inventory')).res.status).toBe(200);
  });

  it('ops start a campaign from the page; bad input shows the form again', async () => {
    const b = new FormClient(t);
    await b.login(ADMIN);
    const bad = await b.submit('/campaigns', '/campaigns', { name: '二季度核查', deadline: '2026-06-30', departments: 'nope' });
    expect(bad.res.status).toBe(400);
    // The problem is said in Chinese, under the field's label.
    expect(bad.html).toContain('部门编码（含下级，用逗号分隔）：没有编码为 nope 的部门。');
    expect(bad.html).toContain('value="二季度核查"');
    const ok = await b.submit('/campaigns', '/campaigns', { name: '二季度核查', deadline: '2026-06-30', counties: ['371311'] });
    expect(ok.res.status).toBe(303);
    const page = await b.get(ok.res.headers.get('location')!);
    expect(page.html).toContain('核查已发起');
    expect(page.html).toContain('罗庄区人民政府');
    expect(page.html).toMatch(/value="http:\/\/localhost\/confirm\/\d+\.\d+\.[\w-]{43}"/);
  });

  it('logout ends the session', async () => {
    const b = new FormClient(t);
    await b.login(ADMIN);
    const page = await b.get('/inventory');
    const { res } = await b.post('/logout', { _csrf: csrfOf(page.html) });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?m=out');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('xc_session='))).toMatch(/Max-Age=0/);
    expect((await b.get('/login?m=out')).html).toContain('您已退出登录');
    expect((await b.get('/inventory')).res.status).toBe(303);
  });

  it('a department session sees only its subtree, on every page', async () => {
    const b = new FormClient(t);
    await b.login(await t.token('department', '371302'));
    const inv = await b.get('/inventory');
    expect(inv.res.status).toBe(200);
    for (const name of ['兰山区政府门户网站', '兰山街道协同办公系统', '兰山区地理信息平台', '兰山区教育资源平台']) expect(inv.html).toContain(name);
    for (const name of ['罗庄区政府门户网站', '临沂市数据共享交换平台']) expect(inv.html).not.toContain(name);
    // The department filter offers only its subtree.
    expect(inv.html).not.toContain('value="371311"');
    const foreign = await b.get('/systems/LZ-PORTAL');
    expect(foreign.res.status).toBe(403);
    expect(foreign.res.headers.get('content-type')).toContain('text/html');
    expect(foreign.html).not.toContain('罗庄区政府门户网站');
    expect((await b.get('/systems/LS-OA')).res.status).toBe(200);
    const campaign = await b.get(`/campaigns/${campaignId}`);
    expect(campaign.res.status).toBe(200);
    expect(campaign.html).toContain('兰山区教育局');
    expect(campaign.html).not.toContain('罗庄区人民政府');
    expect(campaign.html).not.toContain('/confirm/');
    expect(campaign.html).not.toContain('/rotate');
    const list = await b.get('/campaigns');
    expect(list.html).not.toContain('name="deadline"');
    const csrf = csrfOf(list.html);
    expect((await b.post('/campaigns', { _csrf: csrf, name: 'x', deadline: '2026-06-30', departments: '371302' })).res.status).toBe(403);
    expect((await b.post(`/campaigns/${campaignId}/close`, { _csrf: csrf })).res.status).toBe(403);
    expect((await b.post(`/campaigns/${campaignId}/links/371302/rotate`, { _csrf: csrf })).res.status).toBe(403);
    expect((await (await t.call('GET', `/api/v1/campaigns/${campaignId}`)).json()).status).toBe('open');
  });

  it('a viewer reads everything and changes nothing', async () => {
    const b = new FormClient(t);
    await b.login(await t.token('viewer'));
    const campaign = await b.get(`/campaigns/${campaignId}`);
    expect(campaign.html).toContain('罗庄区人民政府');
    expect(campaign.html).not.toContain('/confirm/');
    expect(campaign.html).not.toContain('/close');
    expect((await b.get('/systems/LZ-PORTAL')).res.status).toBe(200);
  });

  it('inventory filters and numbered pages', async () => {
    const b = new FormClient(t);
    await b.login(ADMIN);
    const q = await b.get(`/inventory?q=${encodeURIComponent('门户')}`);
    expect(q.html).toContain('兰山区政府门户网站');
    expect(q.html).not.toContain('兰山区地理信息平台');
    const lanshan = await b.get('/inventory?department=371302&lifecycle=live');
    expect(lanshan.html).toContain('兰山街道协同办公系统');
    expect(lanshan.html).not.toContain('罗庄区政府门户网站');
    expect(lanshan.html).not.toContain('兰山区旧网站');
    expect(lanshan.html).toMatch(/<option value="371302" selected="">/);
    const unknown = await b.get('/inventory?department=nope');
    expect(unknown.res.status).toBe(400);
    expect(unknown.html).toContain('unknown department nope');
    for (let i = 0; i < 50; i++) {
      await t.call('POST', '/api/v1/systems', { body: { code: `BULK-${String(i).padStart(2, '0')}`, name: `批量系统${i}`, departmentCode: '371311' } });
    }
    // 50 BULK systems and 罗庄区政府门户网站, in code order: 50 on page 1, one on page 2.
    const first = await b.get('/inventory?department=371311');
    expect(first.html).toContain('共 51 个系统，第 1/2 页');
    const next = /href="(\/inventory\?department=371311&amp;page=2)" rel="next"/.exec(first.html);
    expect(next).not.toBeNull();
    const second = await b.get(next![1]!.replace(/&amp;/g, '&'));
    expect(second.res.status).toBe(200);
    expect(second.html).toContain('共 51 个系统，第 2/2 页');
    expect(second.html).toContain('罗庄区政府门户网站');
    expect(second.html).not.toContain('批量系统49');
    expect(second.html).not.toContain('rel="next"');
  });

  it('switches to English with ?lang=en and remembers it', async () => {
    const b = new FormClient(t);
    await b.login(ADMIN);
    const en = await b.get('/inventory?lang=en');
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('Inventory');
    expect(en.html).toContain('href="/inventory?lang=zh"');
    expect(b.cookies.get('xc_lang')).toBe('en');
    expect((await b.get('/findings')).html).toContain('<html lang="en">');
    expect((await b.get('/findings?lang=zh')).html).toContain('<html lang="zh-CN">');
    expect((await b.get('/findings')).html).toContain('问题台账');
  });

  it('report downloads work from the reports page with the session; departments may not read them', async () => {
    const anon = await new FormClient(t).get('/reports/monthly?month=2026-02&format=csv');
    expect(anon.res.status).toBe(303);
    const dept = new FormClient(t);
    await dept.login(await t.token('department', '371302'));
    expect((await dept.get('/reports/monthly?month=2026-02&format=csv')).res.status).toBe(403);
    const b = new FormClient(t);
    await b.login(ADMIN);
    const page = await b.get('/reports');
    // Only months with data are offered: on this test's clock (March 2026) the inventory, written on the
    // real clock, has none yet, so none is offered (the live app below offers this month).
    expect(page.html).not.toContain('month=2026-02');
    expect(page.html).toContain('还没有数据');
    expect((await b.get('/reports/monthly?month=2026-13')).res.status).toBe(400);
    // A month before any data is a clear 422 page, not a crash.
    expect((await b.get('/reports/monthly?month=2026-02&lang=zh&format=html')).res.status).toBe(422);
    // On a real clock, this month's report downloads in every format, and the page offers it, chosen.
    {
      const { localDay } = await import('../../probes/time.js');
      const live0 = await startTestApp(backend);
      try {
        await campaignInventory(live0);
        const c0 = new FormClient(live0);
        await c0.login(ADMIN);
        const month = localDay(new Date()).slice(0, 7);
        const offered = await c0.get('/reports');
        expect(offered.html).toContain(`<option value="${month}" selected="">`);
        expect(offered.html).toContain(`href="/reports/monthly?month=${month}&amp;lang=zh&amp;format=xlsx"`);
      } finally {
        await live0.close();
      }
    }
    const live = await startTestApp(backend);
    try {
      await campaignInventory(live);
      const month = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
      const c = new FormClient(live);
      await c.login(ADMIN);
      const html = await c.get(`/reports/monthly?month=${month}&lang=zh&format=html`);
      expect(html.res.status).toBe(200);
      expect(html.res.headers.get('content-type')).toContain('text/html');
      expect(html.res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(html.res.headers.get('content-security-policy')).not.toContain('script');
      const xlsx = await c.get(`/reports/monthly?month=${month}&lang=en&format=xlsx`);
      expect(xlsx.res.status).toBe(200);
      expect(xlsx.res.headers.get('content-disposition')).toBe(`attachment; filename="xuncha-monthly-${month}.en.xlsx"`);
    } finally {
      await live.close();
    }
  });

  it('system page: empty states until sweeps run, then the chart', async () => {
    const b = new FormClient(t);
    await b.login(ADMIN);
    const page = await b.get('/systems/LS-PORTAL');
    expect(page.html).toContain('尚无探测记录');
    expect(page.html).toContain('尚未检测 IPv6');
    expect(page.html).toContain('尚无使用数据');
    expect(page.html).toContain('http://www.lanshan.example/');
  });
});
