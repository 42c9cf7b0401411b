import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLabelled, expectNoProblems, expectNoSeriousA11y, hasChromium, launchBrowser, newPage, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.js';
import { smallInventory } from '../support/inventory.js';

/**
 * Journey 5: the admin creates a token on the tokens page (shown once, never cached), a script uses it,
 * the admin revokes it, and the API answers the revoked token with 401.
 */
describe.skipIf(!hasChromium)('browser: API tokens', () => {
  let app: BrowserApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startBrowserApp();
    await smallInventory(app.t);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('creates a token shown once, which works until it is revoked', async () => {
    const page = await newPage(browser, { lang: 'zh' });
    await signIn(page, app.base);
    await page.goto(`${app.base}/tokens`);
    await expectLabelled(page, 'tokens');
    await expectNoSeriousA11y(page, 'tokens');
    await screenshot(page, 'tokens');

    // A department token without its department is refused in Chinese.
    await page.getByLabel('名称（用途）').fill('兰山区数据推送');
    await page.getByLabel('角色').selectOption('department');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '创建', exact: true }).click()]);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('部门角色的令牌必须选择所属部门。');

    await page.getByLabel('名称（用途）').fill('月报脚本');
    await page.getByLabel('角色').selectOption('viewer');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url() === `${app.base}/tokens` && r.request().method() === 'POST'), page.getByRole('button', { name: '创建', exact: true }).click()]);
    expect(response.status()).toBe(201);
    expect(response.headers()['cache-control']).toBe('no-store');
    await page.waitForLoadState('load');
    const token = await page.locator('#new-token').inputValue();
    expect(token.length).toBeGreaterThan(20);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('已创建令牌“月报脚本”。');
    await screenshot(page, 'tokens-created');
    const row = page.locator('#tokens tbody tr').filter({ hasText: '月报脚本' });
    await expect(row.locator('td').first().textContent()).resolves.toBe('只读');

    // A script uses it.
    expect((await app.t.call('GET', '/api/v1/systems', { token })).status).toBe(200);

    // The list never shows it again.
    await page.goto(`${app.base}/tokens`);
    expect(await page.content()).not.toContain(token);

    await Promise.all([page.waitForURL(/done=revoked/), page.getByRole('button', { name: '撤销令牌：月报脚本' }).click()]);
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('令牌已撤销，立即失效。');
    await expect(page.locator('#tokens tbody tr').filter({ hasText: '月报脚本' }).textContent()).resolves.toContain('撤销');
    const denied = await app.t.call('GET', '/api/v1/systems', { token });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expectNoProblems(page, 'tokens');
    await page.context().close();

    const en = await newPage(browser, { lang: 'en' });
    await signIn(en, app.base);
    await en.goto(`${app.base}/tokens?lang=en`);
    await expect(en.locator('h1').textContent()).resolves.toBe('API tokens');
    await expectNoSeriousA11y(en, 'tokens');
    await screenshot(en, 'tokens');
    await en.context().close();
  }, 180_000);

  it('is the admin page only: an auditor signed in is refused', async () => {
    const auditor = await app.t.token('auditor');
    const page = await newPage(browser, { lang: 'zh' });
    await signIn(page, app.base, auditor);
    const res = await page.goto(`${app.base}/tokens`);
    expect(res!.status()).toBe(403);
    await expect(page.getByRole('alert').textContent()).resolves.toBe('您无权查看或修改此内容。');
    await page.context().close();
  }, 120_000);
});
