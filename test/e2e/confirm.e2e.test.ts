import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../reports/dates.js';
import { localDay } from '../../probes/time.js';
import { endpoints, endpointState, findings, probeDays, systems, usageDays } from '../../src/db/schema/index.js';
import { eq } from 'drizzle-orm';
import { ADMIN, type TestApp } from '../support/app.js';
import { expectLabelled, hasChromium, launchBrowser, newPage as openPage, problemsOf, screenshot, startBrowserApp, type BrowserApp } from '../support/browser.js';
import { campaignInventory, createCampaign, systemId } from '../campaigns/fixtures.js';
import { linksOf } from '../web/client.js';

const P1 = '<script>alert(1)</script>';
const P2 = '"><img src=x onerror=alert(1)>';

/**
 * The whole flow in a real browser against the real server on 127.0.0.1: a department confirms three
 * systems and hands one over through its link, ops (signed in) watch the progress change, and an
 * expired and a forged link are refused. No JavaScript runs on our pages; no dialog may ever open.
 */
describe.skipIf(!hasChromium)('browser: department confirmation and ops progress', () => {
  let app: BrowserApp;
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let offsetMs = 0;
  let campaignId: number;
  let links: Map<string, string>;
  const dialogs: string[] = [];
  const cspErrors: string[] = [];

  /** A page whose dialogs and CSP refusals are gathered for the last test. */
  async function newPage(storageState?: string) {
    const page = await openPage(browser, { lang: 'zh', storageState });
    const seen = problemsOf(page);
    page.on('close', () => {
      dialogs.push(...seen.dialogs);
      cspErrors.push(...seen.cspErrors);
    });
    return page;
  }

  beforeAll(async () => {
    app = await startBrowserApp({ now: () => new Date(Date.now() + offsetMs) });
    t = app.t;
    base = app.base;
    await campaignInventory(t);
    for (const body of [
      { code: 'LS-HR', name: '兰山区人事管理系统', departmentCode: '371302', description: `${P1} 人事档案`, contact: { name: P2, phone: '0539-8200001' } },
      { code: 'LS-12345', name: '兰山区12345热线工单系统', departmentCode: '371302', operatorUnit: '兰山区政务服务中心' },
    ]) {
      expect((await t.call('POST', '/api/v1/systems', { body })).status).toBe(201);
    }
    await seedEvidence(t);
    const today = localDay(new Date());
    campaignId = await createCampaign(t, { name: '2026年兰山区系统归属核查', deadline: addDays(today, 20), scope: { counties: ['371302', '371311'] } });
    links = await linksOf(t, campaignId);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('ops sign in with a token through the login form, keyboard only', async () => {
    const page = await newPage();
    await page.goto(`${base}/login`);
    await screenshot(page, 'login');
    await expectLabelled(page, 'login');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    // The first Tab lands on the skip link, visibly outlined.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('跳到正文');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('token');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.toBe('none');
    await page.keyboard.type(ADMIN);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/inventory`);
    // The inline stylesheet applied (its CSP hash matched): the header is dark blue.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('header.top')!).backgroundColor)).toBe('rgb(11, 61, 145)');
    await screenshot(page, 'inventory');
    await expectLabelled(page, 'inventory');
    await page.goto(`${base}/campaigns/${campaignId}`);
    const row = page.locator('#by-department tr[data-department="371302"]');
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('4');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('0');
    await page.context().storageState({ path: 'test-output/ops-state.json' });
    await page.context().close();
  }, 60_000);

  it('a department confirms three systems, then hands one over, through its link', async () => {
    const page = await newPage();
    const link = `${base}${links.get('371302')!}`;
    await page.goto(link);
    expect(await page.title()).toContain('信息系统归属确认');
    await screenshot(page, 'department-confirm');
    await expectLabelled(page, 'department page');
    await page.getByLabel('姓名').first().fill('王芳');
    await page.getByLabel('联系电话').first().fill('0539-8123456');
    for (const code of ['LS-PORTAL', 'LS-GIS', 'LS-HR']) {
      const id = await systemId(t, code);
      await page.locator(`#sys-${id}`).getByLabel('确认属于本单位').check();
    }
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.waitForURL(/done=saved/);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('已保存 3 项答复');

    const hotline = await systemId(t, 'LS-12345');
    const card = page.locator(`#sys-${hotline}`);
    // The official is remembered for the next form.
    expect(await page.getByLabel('姓名').first().inputValue()).toBe('王芳');
    await card.getByLabel('属于其他部门，移交').check();
    await card.getByLabel('接收部门（部门编码或名称）').fill('371311');
    await card.getByLabel('说明（退役原因等）').fill(`热线已由罗庄区统一建设 ${P2}`);
    await page.getByRole('button', { name: '提交', exact: true }).click();
    await page.waitForURL(/done=saved&n=1/);
    await expect(card.textContent()).resolves.toContain('等待 罗庄区人民政府 接收');
    await screenshot(page, 'department-confirm-done');
    await page.context().close();
  }, 60_000);

  it('ops see the progress change', async () => {
    const page = await newPage('test-output/ops-state.json');
    const context = page.context();
    await page.goto(`${base}/campaigns/${campaignId}`);
    const row = page.locator('#by-department tr[data-department="371302"]');
    await expect(row.locator('td').nth(2).textContent()).resolves.toBe('3');
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe('1');
    await expect(row.locator('td').nth(5).textContent()).resolves.toBe('0');
    expect(await page.locator('#totals').textContent()).toContain('已确认 3');
    await screenshot(page, 'campaign-progress');
    await expectLabelled(page, 'campaign page');
    await page.goto(`${base}/campaigns`);
    await expectLabelled(page, 'campaign list');
    await page.goto(`${base}/reports`);
    await expectLabelled(page, 'reports');
    const hr = await systemId(t, 'LS-GIS');
    await page.goto(`${base}${links.get('371302')!}/systems/${hr}`);
    await expectLabelled(page, 'correction page');
    await screenshot(page, 'department-correct');
    await page.goto(`${base}/systems/LS-PORTAL`);
    expect(await page.locator('svg.chart').count()).toBe(1);
    await screenshot(page, 'system');
    await page.goto(`${base}/systems/LS-HR`);
    await page.goto(`${base}/findings`);
    await screenshot(page, 'findings');
    await page.goto(`${base}/inventory?lang=en`);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await screenshot(page, 'inventory');
    await context.close();
  }, 60_000);

  it('a forged link and an expired link are refused, showing nothing', async () => {
    const page = await newPage();
    const good = links.get('371311')!;
    const forged = `${good.slice(0, -2)}${good.endsWith('AA') ? 'BB' : 'AA'}`;
    const res = await page.goto(`${base}${forged}`);
    expect(res!.status()).toBe(403);
    expect(await page.textContent('main')).toContain('此链接无效或已被撤销');
    expect(await page.textContent('body')).not.toContain('罗庄区');
    offsetMs = 40 * 86_400_000;
    const expired = await page.goto(`${base}${good}`);
    expect(expired!.status()).toBe(410);
    expect(await page.textContent('main')).toContain('此链接已过期');
    await screenshot(page, 'link-expired');
    offsetMs = 0;
    const valid = await page.goto(`${base}${good}`);
    expect(valid!.status()).toBe(200);
    expect(await page.textContent('body')).toContain('兰山区12345热线工单系统');
    await page.context().close();
  }, 60_000);

  it('no dialog ever opened and the CSP refused nothing', () => {
    expect(dialogs).toEqual([]);
    expect(cspErrors).toEqual([]);
  });
});

/** A month of daily probes, IPv6, usage, a verdict and findings, so the pages show real content. */
async function seedEvidence(t: TestApp): Promise<void> {
  const db = t.database.db;
  const id = await systemId(t, 'LS-PORTAL');
  const today = localDay(new Date());
  const rows = Array.from({ length: 30 }, (_, i) => {
    const day = addDays(today, i - 30);
    const probes = 24;
    const ok = i % 9 === 4 ? 16 : i % 5 === 2 ? 22 : 24;
    return { systemId: id, day, probes, ok, failed: probes - ok, sumMs: probes * (380 + ((i * 37) % 260)), maxMs: 2400 };
  });
  await db.insert(probeDays).values(rows);
  const [ep] = await db.select({ id: endpoints.id }).from(endpoints).where(eq(endpoints.systemId, id));
  await db.insert(endpointState).values({
    endpointId: ep!.id,
    systemId: id,
    lastProbeAt: new Date(),
    lastOutcome: 'ok',
    lastOkAt: new Date(),
    ipv6: { aaaa: true, nsAaaa: false, v4Ok: true, v6Ok: true, parity: 0.96, secondLevelRate: 0.91, thirdLevelRate: 0.84, latencyRatio: 1.08, grade: 'partial', reasons: ['second_level_low', 'third_level_low'] },
    ipv6At: new Date(),
  });
  await db.insert(usageDays).values(
    Array.from({ length: 20 }, (_, i) => ({ systemId: id, day: addDays(today, i - 20), metric: 'visits' as const, source: 'push' as const, value: 800 + ((i * 53) % 300) })),
  );
  await db
    .update(systems)
    .set({ status: 'semi_zombie', statusAt: new Date(), statusReasons: [{ code: 'availability_low', detail: '近30天可用率 93.1%，低于 95%', since: addDays(today, -30) }] })
    .where(eq(systems.id, id));
  const [sys] = await db.select({ departmentId: systems.departmentId }).from(systems).where(eq(systems.id, id));
  const gis = await systemId(t, 'LS-GIS');
  for (const [systemId, status, verdict] of [
    [id, 'notified', 'semi_zombie'],
    [gis, 'open', 'zombie'],
    [gis, 'answered', 'semi_zombie'],
  ] as const) {
    await db.insert(findings).values({
      systemId,
      departmentId: sys!.departmentId,
      status,
      verdict,
      reasons: [{ code: verdict === 'zombie' ? 'unreachable' : 'availability_low' }],
      policyVersion: '2026.1',
      evidence: {},
      evidenceSha256: '0'.repeat(64),
      openedAt: new Date(),
      deadline: addDays(today, 30),
      answer: status === 'answered' ? { action: 'keep', justification: `汛期使用，申请保留 ${P1}`, by: '兰山区人民政府' } : null,
    });
  }
}
