import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../reports/dates.js';
import { localDay } from '../../probes/time.js';
import { campaignInventory, itemStates, systemId } from '../campaigns/fixtures.js';
import { readXlsxRows } from '../inventory/helpers.js';
import { expectLabelled, expectNoProblems, expectNoSeriousA11y, hasChromium, launchBrowser, newPage, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.js';

const PHONE = { width: 390, height: 844 };

/**
 * Journey 4: ops start an ownership campaign for 兰山区 from the campaigns page (the county picker lists
 * counties only; the scope reads as names), export its links as a sheet, and 兰山区 answers through its
 * link on a phone: a missing phone number is refused in Chinese, two systems are confirmed and one is
 * handed to 罗庄区 through the department picker.
 */
describe.skipIf(!hasChromium)('browser: an ownership campaign answered on a phone', () => {
  let app: BrowserApp;
  let browser: Browser;
  let campaignUrl = '';
  let lanshanLink = '';

  beforeAll(async () => {
    app = await startBrowserApp();
    await campaignInventory(app.t);
    const res = await app.t.call('POST', '/api/v1/systems', { body: { code: 'LS-12345', name: '兰山区12345热线工单系统', departmentCode: '371302', contact: { name: '赵磊', phone: '0539-8200002' } } });
    expect(res.status).toBe(201);
    browser = await launchBrowser();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('ops create the campaign by county name and export its links', async () => {
    const page = await newPage(browser, { lang: 'zh' });
    await signIn(page, app.base);
    await page.goto(`${app.base}/campaigns`);
    await expectLabelled(page, 'campaigns');
    await expectNoSeriousA11y(page, 'campaigns');
    await screenshot(page, 'campaigns');
    const counties = await page.locator('fieldset input[name=counties] + label').allTextContents();
    expect(counties).toEqual(['兰山区人民政府', '罗庄区人民政府']);
    // An empty form is refused in Chinese.
    await page.locator('#c-name').fill('2026年兰山区系统归属核查');
    await page.locator('#c-deadline').fill(addDays(localDay(new Date()), 20));
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '发起', exact: true }).click()]);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('请选择至少一个县区或填写至少一个部门。');
    await page.getByLabel('兰山区人民政府').check();
    await Promise.all([page.waitForURL(/\/campaigns\/\d+\?done=created/), page.getByRole('button', { name: '发起', exact: true }).click()]);
    campaignUrl = new URL(page.url()).pathname;
    await expect(page.locator('dl.facts').textContent()).resolves.toContain('兰山区人民政府');
    await expectNoSeriousA11y(page, 'campaign');
    await screenshot(page, 'campaign');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /下载全部链接/ }).click()]);
    const rows = await readXlsxRows(readFileSync((await download.path())!));
    expect(rows[0]).toEqual(['部门', '部门编码', '联系人', '核查链接', '截止日期']);
    const lanshan = rows.find((r) => r[1] === '371302')!;
    expect(lanshan[0]).toBe('兰山区人民政府');
    expect(lanshan[2]).toBe('赵磊 0539-8200002');
    expect(String(lanshan[3])).toMatch(new RegExp(`^${app.base}/confirm/`));
    await page.goto(`${app.base}${campaignUrl}?lang=en`);
    await expectNoSeriousA11y(page, 'campaign');
    await screenshot(page, 'campaign');
    await page.goto(`${app.base}/campaigns?lang=en`);
    await expectNoSeriousA11y(page, 'campaigns');
    await screenshot(page, 'campaigns');
    await page.context().close();
    lanshanLink = String(lanshan[3]);
  }, 180_000);

  it('the department confirms two systems and hands one over on a phone; a missing phone number is refused in Chinese', async () => {
    const link = lanshanLink;
    const page = await newPage(browser, { lang: 'zh', viewport: PHONE });
    await page.goto(link);
    expect(await page.title()).toContain('信息系统归属确认');
    // Nothing is wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await expectLabelled(page, 'department page');
    await expectNoSeriousA11y(page, 'confirm');
    await screenshot(page, 'confirm-phone');

    const portal = await systemId(app.t, 'LS-PORTAL');
    const gis = await systemId(app.t, 'LS-GIS');
    const hotline = await systemId(app.t, 'LS-12345');
    await page.getByLabel('姓名').first().fill('王芳');
    await page.locator(`#sys-${portal}`).getByLabel('确认属于本单位').check();
    await page.locator(`#sys-${gis}`).getByLabel('确认属于本单位').check();
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: '提交', exact: true }).click()]);
    const alert = page.getByRole('alert').first();
    await expect(alert.textContent()).resolves.toBe('请更正以下问题：联系电话：必填');
    await screenshot(page, 'confirm-phone-error');

    await page.getByLabel('联系电话').first().fill('0539-8123456');
    const card = page.locator(`#sys-${hotline}`);
    await card.getByLabel('属于其他部门，移交').check();
    // The picker: a list of departments by name, searchable by typing; the full name is what is sent.
    const choices = await page.locator('datalist#departments option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(choices).toContain('罗庄区人民政府');
    await card.getByLabel('接收部门（部门编码或名称）').fill('罗庄区人民政府');
    await card.getByLabel('说明（退役原因等）').fill('热线已由罗庄区统一建设');
    await Promise.all([page.waitForURL(/done=saved&n=3/), page.getByRole('button', { name: '提交', exact: true }).click()]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('已保存 3 项答复');
    await expect(card.textContent()).resolves.toContain('等待 罗庄区人民政府 接收');
    await screenshot(page, 'confirm-phone-done');
    const campaignId = Number(campaignUrl.split('/').pop());
    expect(await itemStates(app.t, campaignId)).toMatchObject({ 'LS-PORTAL': 'confirmed', 'LS-GIS': 'confirmed', 'LS-12345': 'transfer_requested' });

    // An unknown department is refused in Chinese too.
    const again = await newPage(browser, { lang: 'zh', viewport: PHONE });
    await again.goto(link);
    await again.getByLabel('姓名').first().fill('王芳');
    await again.getByLabel('联系电话').first().fill('0539-8123456');
    const edu = again.locator(`#sys-${portal}`);
    await edu.getByLabel('属于其他部门，移交').check();
    await edu.getByLabel('接收部门（部门编码或名称）').fill('不存在的局');
    await Promise.all([again.waitForLoadState('load'), again.getByRole('button', { name: '提交', exact: true }).click()]);
    await expect(again.getByRole('alert').first().textContent()).resolves.toContain('找不到部门“不存在的局”，请从列表中选择。');
    expectNoProblems(page, 'confirm');
    await again.context().close();

    const en = await newPage(browser, { lang: 'en', viewport: PHONE });
    await en.goto(`${link}?lang=en`);
    await expectNoSeriousA11y(en, 'confirm');
    await screenshot(en, 'confirm-phone');
    await en.context().close();
    await page.context().close();
  }, 180_000);
});
