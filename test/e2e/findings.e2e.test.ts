import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeDeps } from '../../probes/deps.js';
import { findings, systems } from '../../src/db/schema/index.js';
import { createSweep } from '../../src/sweeps/queue.js';
import { runSweepWorker } from '../../src/sweeps/runner.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { expectLabelled, expectNoProblems, expectNoSeriousA11y, hasChromium, launchBrowser, newPage, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.js';
import { NOW, TZ, cityFixture } from '../verdicts/fixture.js';

/**
 * Journey 3: a case goes notify → answer decommission → close refused while the endpoint still answers
 * (a real HTTP server on 127.0.0.1, probed by a real sweep) → the server is stopped → close accepted →
 * the month's report counts the zombie as cleared. Once with the mouse, once with the keyboard only.
 */
describe.skipIf(!hasChromium)('browser: pushing a finding to closure', () => {
  let app: BrowserApp;
  let browser: Browser;
  let clock = NOW;
  const servers: Record<string, Server> = {};
  const findingOf: Record<string, number> = {};

  /** A loopback web server standing for the system that is said to be switched off. */
  async function liveServer(): Promise<Server> {
    const s = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>仍在运行</title><p>系统仍在运行</p>'));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return s;
  }

  /** A liveness sweep of one system, as the scheduler would run it. */
  async function sweep(code: string): Promise<void> {
    clock = new Date(clock.getTime() + 60_000);
    const db = app.t.database.db;
    const created = await createSweep(db, { trigger: 'api', systems: [code], kinds: ['liveness'], requestedBy: 'e2e' }, clock);
    await runSweepWorker({ db, deps: createProbeDeps({ PROBE_TIMEOUT_MS: 5000 }), workerId: `e2e:${code}`, timeZone: TZ, sweepId: created.id, concurrency: 4, now: () => clock });
    clock = new Date(clock.getTime() + 60_000);
  }

  const tick = () => (clock = new Date(clock.getTime() + 60_000));

  beforeAll(async () => {
    app = await startBrowserApp({ now: () => clock });
    await cityFixture(app.t);
    await classifyAll(app.t.database.db, { now: NOW, timeZone: TZ });
    for (const code of ['DEAD', 'QUIET']) {
      servers[code] = await liveServer();
      const url = `http://127.0.0.1:${(servers[code]!.address() as AddressInfo).port}/`;
      const res = await app.t.call('PATCH', `/api/v1/systems/${code}`, { body: { endpoints: [{ url, role: 'portal' }] } });
      expect(res.status, await res.clone().text()).toBe(200);
      const [f] = await app.t.database.db.select({ id: findings.id }).from(findings).innerJoin(systems, eq(systems.id, findings.systemId)).where(eq(systems.code, code));
      findingOf[code] = f!.id;
    }
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    for (const s of Object.values(servers)) await new Promise((r) => s.close(r));
    await app?.close();
  });

  /** The month's report as a person opens it from the reports page: its zombie count and whether it lists the system. */
  async function monthReport(page: Page, system: string): Promise<{ zombies: number; listed: boolean }> {
    await page.goto(`${app.base}/reports`);
    // Only months with data are offered; the latest is chosen.
    expect(await page.locator('#r-month').inputValue()).toBe('2026-11');
    await page.locator('#r-format').selectOption('html');
    await Promise.all([page.waitForURL(/\/reports\/monthly\?month=2026-11/), page.getByRole('button', { name: '下载' }).click()]);
    const text = (await page.locator('body').textContent()) ?? '';
    const m = /其中活跃\d+个，半僵尸\d+个，僵尸(\d+)个/.exec(text);
    expect(m, text.slice(0, 400)).not.toBeNull();
    return { zombies: Number(m![1]), listed: text.includes(system) };
  }

  const act = async (page: Page, heading: string, button: string) => {
    const form = page.locator('form.card').filter({ has: page.getByRole('heading', { name: heading }) });
    await Promise.all([page.waitForLoadState('load'), form.getByRole('button', { name: button }).click()]);
    return form;
  };

  it('notify, answer decommission, close refused while it answers, accepted once it is off, cleared in the report', async () => {
    const page = await newPage(browser, { lang: 'zh' });
    await signIn(page, app.base);
    const before = await monthReport(page, '兰山区教育信息网');
    expect(before.listed).toBe(true);

    await page.goto(`${app.base}/findings`);
    await expectLabelled(page, 'findings');
    await expectNoSeriousA11y(page, 'findings');
    await screenshot(page, 'findings');
    // County filter: 兰山区 takes its bureaus' cases (DEAD is 兰山区教育和体育局's).
    const countyOptions = await page.locator('#f-county option').allTextContents();
    expect(countyOptions).toEqual(['全部', '兰山区人民政府', '罗庄区人民政府']);
    await page.locator('#f-county').selectOption('371302');
    await Promise.all([page.waitForURL(/county=371302/), page.getByRole('button', { name: '筛选' }).click()]);
    const listed = await page.locator('#findings tbody tr td:nth-child(2) a').allTextContents();
    expect(listed).toContain('兰山区教育信息网');
    expect(listed).not.toContain('市大数据局内部协同系统');
    await page.getByRole('link', { name: '兰山区教育信息网' }).click();
    await page.waitForURL(`${app.base}/findings/${findingOf.DEAD}`);
    await expectLabelled(page, 'finding');
    await expectNoSeriousA11y(page, 'finding');
    await screenshot(page, 'finding');
    expect(await page.locator('section[aria-labelledby=h-case] ul').textContent()).toContain('无法访问');

    tick();
    await act(page, '发出整改通知', '通知部门');
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('已发出整改通知。');
    await expect(page.locator('#finding-state').textContent()).resolves.toContain('已通知');

    tick();
    await page.getByLabel('下线').check();
    await page.getByLabel('说明或理由').fill('教育信息网已并入区政府门户，11月底关停');
    await act(page, '记录部门答复', '保存答复');
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('已记录部门答复。');
    await expect(page.locator('#finding-answer').textContent()).resolves.toContain('下线');

    // Not probed since the answer: closing waits for a sweep.
    tick();
    await act(page, '办结', '办结事项');
    await expect(page.locator('#finding-error').textContent()).resolves.toContain('还没有巡查过');

    // Swept while the server still answers: refused, and the case is reopened.
    await sweep('DEAD');
    await act(page, '办结', '办结事项');
    await expect(page.locator('#finding-error').textContent()).resolves.toContain('最近一次巡查显示系统仍可访问');
    await expect(page.locator('#finding-state').textContent()).resolves.toContain('重新打开');
    await screenshot(page, 'finding-close-refused');

    // The department switches it off; the next sweep finds nothing; closing is accepted.
    await new Promise((r) => servers.DEAD!.close(r));
    await sweep('DEAD');
    await act(page, '办结', '办结事项');
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('事项已办结。');
    await expect(page.locator('#finding-state').textContent()).resolves.toContain('已办结');
    await expect(page.locator('#finding-facts').textContent()).resolves.toContain('已关停下线');
    await expect(page.locator('#finding-history tbody tr').count()).resolves.toBeGreaterThanOrEqual(5);

    // The evidence pack downloads.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载证据包（JSON）' }).click()]);
    expect(download.suggestedFilename()).toBe(`xuncha-finding-${findingOf.DEAD}-evidence.json`);

    // Cleared: one zombie fewer, and the system is no longer in the report's problem list.
    expect(await monthReport(page, '兰山区教育信息网')).toEqual({ zombies: before.zombies - 1, listed: false });
    await screenshot(page, 'report-monthly');
    expectNoProblems(page, 'findings journey');
    await page.context().close();
  }, 240_000);

  it('the same journey with the keyboard only', async () => {
    const page = await newPage(browser, { lang: 'zh' });
    await signIn(page, app.base);
    await page.goto(`${app.base}/findings/${findingOf.QUIET}`);

    /** Tab (never the mouse) until the focused element matches. */
    const tabTo = async (selector: string) => {
      for (let i = 0; i < 120; i++) {
        await page.keyboard.press('Tab');
        if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      }
      throw new Error(`Tab never reached ${selector}`);
    };
    const submit = async (action: string) => {
      await tabTo(`form:has(input[name=action][value=${action}]) button[type=submit]`);
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
      expect(outline).not.toBe('none');
      // Wait for the page the form leads to, not the one already loaded (that raced the next read).
      await Promise.all([page.waitForEvent('framenavigated', (f) => f === page.mainFrame()), page.keyboard.press('Enter')]);
      await page.waitForLoadState('load');
    };

    tick();
    await submit('notify');
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('已发出整改通知。');
    tick();
    await tabTo('#answer-keep');
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    expect(await page.locator('#answer-decommission').isChecked()).toBe(true);
    await tabTo('#answer-note');
    await page.keyboard.type('内部协同已迁入市政务协同平台');
    await submit('answer');
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('已记录部门答复。');

    await sweep('QUIET');
    await submit('close');
    await expect(page.locator('#finding-error').textContent()).resolves.toContain('最近一次巡查显示系统仍可访问');

    await new Promise((r) => servers.QUIET!.close(r));
    await sweep('QUIET');
    await submit('close');
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('事项已办结。');
    expectNoProblems(page, 'keyboard journey');
    await page.context().close();
  }, 240_000);

  it('reads in English, accessibly, with bulk notify and paging', async () => {
    const page = await newPage(browser, { lang: 'en' });
    await signIn(page, app.base);
    await page.goto(`${app.base}/findings?lang=en`);
    await expect(page.locator('#findings-count').textContent()).resolves.toMatch(/^\d+ cases$/);
    await expect(page.getByText('Page 1 of 1').count()).resolves.toBe(1);
    // Bulk notify the open ones.
    const open = page.locator('#findings tbody tr').filter({ hasText: 'open' }).filter({ hasNotText: 'reopened' });
    const n = await open.count();
    expect(n).toBeGreaterThan(0);
    for (let i = 0; i < n; i++) await open.nth(i).locator('input[type=checkbox]').check();
    await Promise.all([page.waitForURL(/done=notified/), page.getByRole('button', { name: 'Notify the departments of the selected cases' }).click()]);
    await expect(page.getByRole('status').first().textContent()).resolves.toBe(`${n} cases notified; 0 could not be (already notified or closed).`);
    await expectNoSeriousA11y(page, 'findings');
    await screenshot(page, 'findings');
    await page.goto(`${app.base}/findings/${findingOf.DEAD}?lang=en`);
    await expectNoSeriousA11y(page, 'finding');
    await screenshot(page, 'finding');
    await page.goto(`${app.base}/reports?lang=en`);
    await expectNoSeriousA11y(page, 'reports');
    await screenshot(page, 'reports');
    await page.goto(`${app.base}/reports/monthly?month=2026-01&format=html&lang=en`);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('There is no data for 2026-01; choose one of the months below.');
    await page.context().close();
    const zh = await newPage(browser, { lang: 'zh' });
    await signIn(zh, app.base);
    await zh.goto(`${app.base}/reports`);
    await expectNoSeriousA11y(zh, 'reports');
    await screenshot(zh, 'reports');
    await zh.goto(`${app.base}/reports/monthly?month=2026-01&format=html`);
    await expect(zh.getByRole('alert').textContent()).resolves.toBe('2026-01 没有数据，无法生成通报；请从下列月份中选择。');
    await zh.context().close();
  }, 180_000);
});
