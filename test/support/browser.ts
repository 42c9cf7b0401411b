import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect, vi } from 'vitest';
import pino from 'pino';
import type { ProbeDeps } from '../../probes/deps.js';
import { createServiceMetrics } from '../../src/metrics.js';
import { SweepService } from '../../src/sweeps/service.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import { ADMIN, startTestApp, type TestApp } from './app.js';
import type { Backend } from './db.js';

/**
 * Shared support for the browser tests (test/e2e/*.e2e.test.ts): the Debian Chromium driven by
 * playwright-core, the real app served on 127.0.0.1, pages that record every dialog and CSP refusal,
 * axe checks and screenshots. Tests skip (with a warning) where Chromium is not installed; CI installs it.
 */
/**
 * A journey drives a real browser through several pages, each doing real work (an xlsx import in a
 * worker, a sweep): on a loaded machine (CI beside `stress --cpu 4`) one step took over 30 s. The
 * budgets below are generous on purpose: they catch a hang, never a slow machine.
 */
export const STEP_TIMEOUT_MS = 180_000;
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SHOTS = 'test-output/screenshots';

if (!hasChromium) {
  console.warn(`[e2e] skipped: ${CHROMIUM} is not installed (apt-get install -y chromium); CI installs it.`);
}

export type PageLang = 'zh' | 'en';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** The real app (real database, real HTTP server) listening on 127.0.0.1 for a browser. */
export interface BrowserApp {
  t: TestApp;
  base: string;
  close(): Promise<void>;
}

export async function startBrowserApp(opts: { backend?: Backend; now?: () => Date; probes?: ProbeDeps } = {}): Promise<BrowserApp> {
  let sweeps: SweepService | undefined;
  // The server listens first, so the app's PUBLIC_URL is the address the browser really uses (links are
  // minted only from PUBLIC_URL); requests before the app exists cannot happen, as no one knows the port.
  let handler: ((req: Request) => Response | Promise<Response>) | undefined;
  const server = serve({ fetch: (req) => handler!(req), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const t = await startTestApp(opts.backend ?? 'pglite', {
    now: opts.now,
    publicUrl: base,
    // With probe dependencies (a loopback fleet), the app runs sweeps as `xuncha serve` does: classify after each.
    extraDeps: opts.probes
      ? ({ db }) => {
          const log = pino({ level: 'silent' });
          const now = opts.now ?? (() => new Date());
          sweeps = new SweepService({ db, deps: opts.probes!, timeZone: 'Asia/Shanghai', concurrency: 20, retentionDays: 400, log, metrics: createServiceMetrics(), now, afterSweep: async () => void (await classifyAll(db, { now: now() })) });
          return { sweeps };
        }
      : undefined,
  });
  handler = (req) => t.app.fetch(req);
  return {
    t,
    base,
    async close() {
      await sweeps?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
    },
  };
}

/** What a page saw that it must never see: dialogs (alert/confirm from injected script) and CSP refusals. */
export interface PageProblems {
  lang: PageLang;
  dialogs: string[];
  cspErrors: string[];
}

const problems = new WeakMap<Page, PageProblems>();

export interface NewPageOptions {
  lang?: PageLang;
  viewport?: { width: number; height: number };
  /** A saved sign-in (`context.storageState({ path })`). */
  storageState?: BrowserContextOptions['storageState'];
}

/**
 * A page in its own context. The language is the `xc_lang` cookie the app itself sets on `?lang=`
 * (cookies ignore the port, so it holds for any 127.0.0.1 server). Close it with `page.context().close()`.
 */
export async function newPage(browser: Browser, opts: NewPageOptions = {}): Promise<Page> {
  const lang = opts.lang ?? 'zh';
  const context = await browser.newContext({
    locale: lang === 'zh' ? 'zh-CN' : 'en-US',
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    storageState: opts.storageState,
  });
  await context.addCookies([{ name: 'xc_lang', value: lang, domain: '127.0.0.1', path: '/' }]);
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  const seen: PageProblems = { lang, dialogs: [], cspErrors: [] };
  problems.set(page, seen);
  page.on('dialog', async (d) => {
    seen.dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) seen.cspErrors.push(m.text());
  });
  return page;
}

export function problemsOf(page: Page): PageProblems {
  return problems.get(page) ?? { lang: 'zh', dialogs: [], cspErrors: [] };
}

/** No dialog opened and the CSP refused nothing on this page so far. */
export function expectNoProblems(page: Page, label = ''): void {
  const p = problemsOf(page);
  expect(p.dialogs, `${label}: dialogs`).toEqual([]);
  expect(p.cspErrors, `${label}: CSP errors`).toEqual([]);
}

/** Signs in through the login form with a bearer token (the admin's unless given). */
export async function signIn(page: Page, base: string, token: string = ADMIN): Promise<void> {
  await page.goto(`${base}/login`);
  await page.locator('#token').fill(token);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.locator('#token').press('Enter')]);
}

/** axe-core on the page as it is now: zero serious or critical violations, listed by rule and node if any. */
export async function expectNoSeriousA11y(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')}`);
  expect(serious, `${label} (${problemsOf(page).lang}): serious/critical axe violations`).toEqual([]);
}

/** Every visible form control has an accessible name from a label (or aria-label). */
export async function expectLabelled(page: Page, where: string): Promise<void> {
  const unlabelled = await page.$$eval('input:not([type=hidden]), select, textarea', (els) =>
    els.filter((e) => !(e as HTMLInputElement).labels?.length && !e.getAttribute('aria-label')).map((e) => e.outerHTML.slice(0, 80)),
  );
  expect(unlabelled, where).toEqual([]);
}

/** A full-page screenshot under test-output/screenshots/NAME-LANG.png, LANG from the page's `<html lang>`. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const lang = (await page.getAttribute('html', 'lang'))?.startsWith('en') ? 'en' : 'zh';
  const path = `${SHOTS}/${name}-${lang}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
