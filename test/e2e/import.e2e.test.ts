import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/inventory/demo.js';
import { expectLabelled, expectNoProblems, expectNoSeriousA11y, hasChromium, launchBrowser, newPage, screenshot, signIn, startBrowserApp, type BrowserApp } from '../support/browser.js';
import { readXlsxRows, xlsxOf } from '../inventory/helpers.js';

/**
 * Journey 1: ops import a department's sheet as departments send them — a title row and a 填报 line above
 * the header, 序号 and 备注 columns — see the dry run (problems in Chinese by row and column, the columns
 * ignored), correct the sheet, apply it, and find the systems in the inventory.
 */
describe.skipIf(!hasChromium)('browser: importing a department sheet', () => {
  let app: BrowserApp;
  let browser: Browser;
  let dir: string;
  const TITLE = ['临沂市公安局政务信息系统清单（2026年）'];
  const FILLED = ['填报单位：临沂市公安局', null, null, '填报日期：2026年11月'];
  const HEADER = ['序号', '系统名称', '系统编码', '主管部门', '联系人', '联系电话', '部署方式', '访问地址', '备注'];
  const rows = (phone: string) => [
    [1, '户政业务管理系统', 'GA-J1-001', '市公安局', '李强', '0539-8000101', '政务云', 'https://hz.ga.linyi.gov.cn.example/', '省厅统建'],
    [2, '出入境预约系统', 'GA-J1-002', '市公安局', '李强', phone, '自建机房', 'https://crj.ga.linyi.gov.cn.example/', null],
    [3, '交通违法处理系统', 'GA-J1-003', '371300-GA', '王敏', '0539-8000103', '政务云', 'https://jj.ga.linyi.gov.cn.example/', '拟整合'],
  ];

  beforeAll(async () => {
    app = await startBrowserApp();
    await seedDemo(app.t.database.db);
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'xuncha-import-e2e-'));
    writeFileSync(join(dir, '公安局-有误.xlsx'), await xlsxOf([TITLE, FILLED, HEADER, ...rows('电话待补')]));
    writeFileSync(join(dir, '公安局.xlsx'), await xlsxOf([TITLE, FILLED, HEADER, ...rows('0539-8000102')]));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  async function check(page: Page, file: string) {
    await page.locator('#import-file').setInputFiles(join(dir, file));
    await Promise.all([page.waitForURL(`${app.base}/import`), page.locator('form[enctype="multipart/form-data"] button[type=submit]').click()]);
  }

  it('previews a sheet with a title row and a 备注 column, shows its problem in Chinese, then imports the corrected one', async () => {
    const page = await newPage(browser, { lang: 'zh' });
    await signIn(page, app.base);
    await page.goto(`${app.base}/import`);
    await expectLabelled(page, 'import');
    await expectNoSeriousA11y(page, 'import');
    await screenshot(page, 'import');
    // The template downloads with Chinese headers.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载导入模板（.xlsx）' }).click()]);
    expect(download.suggestedFilename()).toBe('信息系统导入模板.xlsx');
    const template = await readXlsxRows(readFileSync((await download.path())!));
    expect(template[0]!.slice(0, 3)).toEqual(['系统编码', '系统名称', '主管部门']);

    await check(page, '公安局-有误.xlsx');
    await expect(page.locator('#import-counts').textContent()).resolves.toBe('共 3 行：新增 2 个，更新 0 个，不变 0 个；问题 1 处。');
    const problem = page.locator('#import-errors tbody tr');
    await expect(problem.count()).resolves.toBe(1);
    await expect(problem.locator('td').allTextContents()).resolves.toEqual(['5', '联系电话', '“电话待补”：电话号码只能包含数字、空格、“+”“-”和括号']);
    await expect(page.locator('#ignored-columns tbody').textContent()).resolves.toContain('备注');
    expect(await page.getByRole('button', { name: /确认导入/ }).count()).toBe(0);
    await expectNoSeriousA11y(page, 'import preview with problems');
    await screenshot(page, 'import-problems');

    await check(page, '公安局.xlsx');
    await expect(page.locator('#import-counts').textContent()).resolves.toBe('共 3 行：新增 3 个，更新 0 个，不变 0 个；问题 0 处。');
    await expect(page.getByText('表头在第 3 行；其上方的行已跳过。').count()).resolves.toBe(1);
    await expect(page.locator('#ignored-columns tbody tr td:first-child').allTextContents()).resolves.toEqual(['序号', '备注']);
    await expect(page.locator('#import-preview tbody tr').count()).resolves.toBe(3);
    await expect(page.locator('#import-preview tbody tr').first().locator('td').allTextContents()).resolves.toEqual(['4', 'GA-J1-001', '户政业务管理系统', '临沂市公安局', '新增']);
    await screenshot(page, 'import-preview');
    await Promise.all([page.waitForURL(`${app.base}/import/apply`), page.getByRole('button', { name: '确认导入（写入 3 个系统）' }).click()]);
    await expect(page.getByRole('status').first().textContent()).resolves.toContain('导入完成：共 3 行，新增 3 个，更新 0 个，不变 0 个。');

    await page.getByRole('link', { name: '查看系统清单' }).click();
    await page.goto(`${app.base}/inventory?q=GA-J1`);
    const names = await page.locator('table tbody tr td:nth-child(2)').allTextContents();
    expect(names.sort()).toEqual(['交通违法处理系统', '出入境预约系统', '户政业务管理系统']);

    // The same sheet again changes nothing.
    await page.goto(`${app.base}/import`);
    await check(page, '公安局.xlsx');
    await expect(page.locator('#import-counts').textContent()).resolves.toBe('共 3 行：新增 0 个，更新 0 个，不变 3 个；问题 0 处。');
    expectNoProblems(page, 'import');
    await page.context().close();
  }, 180_000);

  it('reads in English with ?lang=en, accessibly', async () => {
    const page = await newPage(browser, { lang: 'en' });
    await signIn(page, app.base);
    await page.goto(`${app.base}/import?lang=en`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Import the inventory');
    await check(page, '公安局-有误.xlsx');
    await expect(page.locator('#import-errors tbody tr td').nth(2).textContent()).resolves.toBe('"电话待补": digits, spaces, "+", "-" and parentheses only');
    await expectNoSeriousA11y(page, 'import');
    await screenshot(page, 'import-problems');
    await page.context().close();
  }, 120_000);
});
