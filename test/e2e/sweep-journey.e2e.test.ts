import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeLimiter } from '../../probes/concurrency.js';
import { createProbeResolver } from '../../probes/dns.js';
import { systemClock, type ProbeClock } from '../../probes/outcome.js';
import { FLEET } from '../support/fleet.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-setup.js';
import { expectLabelled, expectNoProblems, expectNoSeriousA11y, hasChromium, launchBrowser, newPage, screenshot, signIn, startBrowserApp, type BrowserApp, type PageLang } from '../support/browser.js';

/**
 * The system clock, except that a probe's deadline passes only when the test says so: the hanging
 * endpoint keeps the sweep running until then, so the page is seen mid-sweep on any machine.
 */
function deadlineClock() {
  const pending = new Set<() => void>();
  const clock: ProbeClock = {
    ...systemClock,
    setTimer(_ms, fn) {
      pending.add(fn);
      return () => pending.delete(fn);
    },
  };
  return { clock, expireAll: () => [...pending].forEach((fn) => fn()) };
}

/**
 * Journey 2: ops start a sweep of the loopback fleet from the browser, watch its progress change in
 * place (htmx), and the overview then shows the failures by outcome in Chinese. Every page of this
 * half of the workbench also passes axe (no serious or critical violation) in Chinese and English and
 * is photographed in both.
 */
describe.skipIf(!hasChromium)('browser: ops run a sweep and read the overview', () => {
  let h: FleetHarness;
  let app: BrowserApp;
  let browser: Browser;
  let deadlines: ReturnType<typeof deadlineClock>;
  let ops: Page;

  beforeAll(async () => {
    h = await startFleetHarness();
    deadlines = deadlineClock();
    const resolver = createProbeResolver({ servers: h.fleet.dnsServers, timeoutMs: 60_000, tries: 1 });
    app = await startBrowserApp({ probes: { resolver, policy: h.policy, timeoutMs: 60_000, clock: deadlines.clock, limiter: createProbeLimiter(20, 4) } });
    const { t } = app;
    expect((await t.call('POST', '/api/v1/departments', { body: { code: '371300', name: '临沂市人民政府', level: 'city', kind: 'government' } })).status).toBe(201);
    const systems = [
      { code: 'LY-PORTAL', name: '临沂市政府门户网站', endpoints: [{ url: h.fleet.url(FLEET.v4, '/healthy'), role: 'portal' }] },
      { code: 'LY-HALL', name: '临沂市网上办事大厅', endpoints: [{ url: h.fleet.url(FLEET.v4, '/status/500'), role: 'app' }] },
      { code: 'LY-OLD', name: '临沂市旧版信息公开网', endpoints: [{ url: h.fleet.url(FLEET.nxdomain, '/'), role: 'portal' }] },
      { code: 'LY-GIS', name: '临沂市地理信息服务平台', endpoints: [{ url: h.fleet.url(FLEET.v4, '/hang'), role: 'app' }] },
      { code: 'LY-OA', name: '临沂市协同办公系统', userScope: 'internal', endpoints: [{ url: `http://${FLEET.v4}:${h.fleet.ports.refused}/`, role: 'app' }] },
    ];
    for (const s of systems) expect((await t.call('POST', '/api/v1/systems', { body: { departmentCode: '371300', operatorUnit: '临沂市大数据中心', ...s } })).status).toBe(201);
    browser = await launchBrowser();
    ops = await newPage(browser, { lang: 'zh' });
    await signIn(ops, app.base);
  }, 180_000);

  afterAll(async () => {
    deadlines?.expireAll();
    await browser?.close();
    await app?.close();
    await h?.fleet.close();
  });

  it('starts a sweep from the page, watches it progress in place, and the overview shows the failures', async () => {
    const page = ops;
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByRole('navigation').getByRole('link', { name: '巡查', exact: true }).click();
    await page.waitForURL(`${app.base}/sweeps`);
    await expectLabelled(page, 'sweeps');
    await page.getByLabel('全部在用系统').check();
    await page.getByLabel('可用性').check();
    await page.getByRole('button', { name: '开始巡查' }).click();
    await page.waitForURL(/\/sweeps\/\d+\?started=5$/);
    expect(await page.getByRole('status').first().textContent()).toContain('共 5 个入口');
    // Four addresses answer or fail at once; the hanging one waits for its deadline. htmx swaps the panel.
    await page.locator('#sweep-counts', { hasText: '已完成 4/5 个入口' }).waitFor({ timeout: 90_000 });
    const navigations: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) navigations.push(f.url());
    });
    expect(await page.locator('#sweep-progress').getAttribute('data-status')).toBe('running');
    expect(await page.locator('#sweep-progress').getAttribute('hx-trigger')).toBe('every 2s');
    await screenshot(page, 'sweep-running');
    deadlines.expireAll();
    await page.locator('#sweep-progress[data-status="done"]').waitFor({ timeout: 90_000 });
    // The panel was replaced in place: no navigation happened.
    expect(navigations).toEqual([]);
    const outcomes = await page.locator('#sweep-outcomes tbody tr').allTextContents();
    expect(outcomes.join('|')).toMatch(/正常1/);
    for (const label of ['HTTP 错误1', '域名不存在1', '响应超时1', '连接被拒绝1']) expect(outcomes).toContain(label);
    await screenshot(page, 'sweep-done');

    // Classification runs after the sweep; the overview then tells what failed, in Chinese.
    await page.getByRole('navigation').getByRole('link', { name: '总览', exact: true }).click();
    await page.waitForURL(`${app.base}/`);
    const last = await page.locator('#last-sweep').textContent();
    expect(last).toContain('探测 5/5 个入口，失败 4 个');
    const failures = await page.locator('#sweep-failures tbody tr').allTextContents();
    expect(failures.sort()).toEqual(['HTTP 错误1', '响应超时1', '域名不存在1', '连接被拒绝1'].sort());
    expect(await page.locator('#next-steps').textContent()).toContain('上次巡查有 4 个入口探测失败');
    expect(await page.locator('body').textContent()).not.toMatch(/dns_nxdomain|connect_refused|http_error/);
  }, 240_000);

  const pages: Array<{ name: string; path: string }> = [
    { name: 'overview', path: '/' },
    { name: 'inventory', path: '/inventory?sort=availability&dir=asc' },
    { name: 'system', path: '/systems/LY-HALL' },
    { name: 'system-insufficient', path: '/systems/LY-OA' },
    { name: 'sweeps', path: '/sweeps' },
  ];
  for (const lang of ['zh', 'en'] as PageLang[]) {
    it(`every page of the workbench passes axe and is photographed (${lang})`, async () => {
      const page = await newPage(browser, { lang, viewport: { width: 1280, height: 900 } });
      await signIn(page, app.base);
      for (const p of pages) {
        const res = await page.goto(`${app.base}${p.path}`);
        expect(res!.status(), p.path).toBe(200);
        expect(await page.getAttribute('html', 'lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
        await expectLabelled(page, p.name);
        await expectNoSeriousA11y(page, p.name);
        await screenshot(page, p.name);
      }
      const [sweepLink] = await page.locator('#sweep-history a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
      await page.goto(sweepLink!);
      await expectNoSeriousA11y(page, 'sweep');
      await screenshot(page, 'sweep');
      expectNoProblems(page, lang);
      await page.context().close();
    }, 240_000);
  }

  it('no dialog opened and the CSP refused nothing on the journey', () => {
    expectNoProblems(ops, 'journey');
  });
});
