import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page, Route } from 'playwright-core';
import { addCounts, emptyCounts, IMPACTS, type AxePage, type AxeRule, type Impact, type ImpactCounts } from '../reports/inspection/accessibility.js';
import type { BrowserPool } from './browser.js';
import type { ProbeResolver } from './dns.js';
import { createPolicyFetch, isBlockedByPolicy } from './egress.js';
import { classifyError, DEFAULT_MAX_REDIRECTS, USER_AGENT } from './liveness.js';
import { roundMs, shortMessage, systemClock, type ProbeClock } from './outcome.js';
import type { TargetPolicy } from './policy.js';

/**
 * 适老化 and accessibility of a portal (issue 11): axe-core in the headless Chromium over the homepage
 * and one section page. Chromium fetches nothing itself: every request it makes is answered by our
 * policy-checked fetch (page routes) with size caps, or refused; the result counts what was refused or
 * failed. Informational only: nothing here is a verdict. Never throws: failures are outcomes.
 */

export { IMPACTS, type Impact, type ImpactCounts } from '../reports/inspection/accessibility.js';

/** The WCAG 2.x A/AA rules axe runs. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
/** Rules kept per page (the worst first). */
export const MAX_RULES_PER_PAGE = 20;
/** One response body Chromium gets (document, script, image…), and all of a page's together. */
export const MAX_RESPONSE_BYTES = 5 * 1024 * 1024;
export const MAX_PAGE_BYTES = 20 * 1024 * 1024;
const MAX_LISTED_REFUSED = 10;

export type AccessibilityPage = AxePage;

export interface AccessibilityResult {
  /** `ok` when axe ran on the homepage; `unmeasured` with a reason when no browser could; else the homepage's outcome. */
  outcome: string;
  reason: 'no_browser' | 'browser_failed' | null;
  /** Whether a section page was checked: `checked`, `none` (no recent section: homepage only), `failed`. */
  section: 'checked' | 'none' | 'failed';
  pages: AccessibilityPage[];
  /** Sum over the pages axe ran on. */
  violations: ImpactCounts;
  durationMs: number;
  error?: string;
}

export interface AccessibilityOptions {
  /** Null: no browser configured (INSPECTION_BROWSER=off or no Chromium installed). */
  browser: BrowserPool | null;
  resolver: ProbeResolver;
  policy: TargetPolicy;
  /** Hard budget of each page: load and axe together (PROBE_TIMEOUT_MS). */
  timeoutMs: number;
  clock?: ProbeClock;
  ca?: string | Buffer;
  /** The section page to check besides the homepage, if any. */
  sectionUrl?: string | null;
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;
let axeZh: Record<string, { help?: string }> | undefined;
/** axe-core's bundle and its Chinese rule texts, read once per process. */
function axeAssets(): { source: string; zh: Record<string, { help?: string }> } {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  axeZh ??= (JSON.parse(readFileSync(require.resolve('axe-core/locales/zh_CN.json'), 'utf8')) as { rules: Record<string, { help?: string }> }).rules;
  return { source: axeSource, zh: axeZh };
}

export async function checkAccessibility(homepage: string, o: AccessibilityOptions): Promise<AccessibilityResult> {
  const clock = o.clock ?? systemClock;
  const started = clock.elapsedMs();
  const base = { pages: [] as AccessibilityPage[], violations: emptyCounts() };
  const done = (r: Omit<AccessibilityResult, 'durationMs' | 'violations' | 'pages'> & { pages?: AccessibilityPage[] }): AccessibilityResult => {
    const pages = r.pages ?? [];
    const violations = pages.filter((p) => p.outcome === 'ok').reduce((a, p) => addCounts(a, p.violations), emptyCounts());
    return { ...base, ...r, pages, violations, durationMs: roundMs(clock.elapsedMs() - started) };
  };
  if (!o.browser) return done({ outcome: 'unmeasured', reason: 'no_browser', section: o.sectionUrl ? 'failed' : 'none' });
  const fetchFn = createPolicyFetch({
    policy: o.policy,
    resolver: o.resolver,
    clock,
    connectTimeoutMs: o.timeoutMs,
    ...(o.ca ? { trustedCa: [typeof o.ca === 'string' ? o.ca : o.ca.toString('utf8')] } : {}),
  });
  try {
    return await o.browser.withContext(async (context) => {
      await context.routeWebSocket(/.*/, (ws) => void ws.close({ code: 1008, reason: 'not allowed' }).catch(() => undefined));
      const pages = [await checkPage(context, homepage, 'homepage', fetchFn, o.timeoutMs)];
      let section: AccessibilityResult['section'] = 'none';
      if (o.sectionUrl && pages[0]!.outcome === 'ok') {
        const p = await checkPage(context, o.sectionUrl, 'section', fetchFn, o.timeoutMs);
        pages.push(p);
        section = p.outcome === 'ok' ? 'checked' : 'failed';
      } else if (o.sectionUrl) section = 'failed';
      const home = pages[0]!;
      return done({ outcome: home.outcome, reason: null, section, pages, ...(home.error ? { error: home.error } : {}) });
    });
  } catch (err) {
    // The browser would not start or died under us: unmeasured, never a failure of the portal.
    return done({ outcome: 'unmeasured', reason: 'browser_failed', section: 'failed', error: shortMessage(err) });
  }
}

/** Request headers passed on to the site (the rest are Chromium's business, or undici's). */
const FORWARDED = ['accept', 'accept-language', 'content-type', 'referer', 'cookie', 'origin', 'x-requested-with'];
/** Response headers Chromium must not see: the body is already decoded and whole. */
const DROPPED = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);

async function readCapped(res: Response, cap: number, signal: AbortSignal): Promise<Buffer | null> {
  if (!res.body) return Buffer.alloc(0);
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) {
    await res.body.cancel().catch(() => undefined);
    return null;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason ?? new Error('aborted');
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => undefined);
        return null;
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return Buffer.concat(chunks);
}

async function checkPage(context: BrowserContext, url: string, role: AccessibilityPage['role'], fetchFn: typeof fetch, budgetMs: number): Promise<AccessibilityPage> {
  const result: AccessibilityPage = { url, role, outcome: 'ok', violations: emptyCounts(), rules: [], rulesTotal: 0, subresources: { fetched: 0, refused: 0, failed: 0 }, refused: [] };
  // Requests in flight stop when the page's time is up, or when axe starts (what has not come by then never will).
  const fetching = new AbortController();
  let pageBytes = 0;
  let redirects = 0;
  /** Why the document itself failed, as our fetch saw it (Chromium only sees an aborted request). */
  let documentFailure: { outcome: string; error: string; status?: number } | undefined;
  let page: Page | undefined;

  const refuse = (route: Route, u: string, isDocument: boolean) => {
    if (isDocument) documentFailure = { outcome: 'blocked_by_policy', error: `refused by the target policy: ${u}` };
    else {
      result.subresources.refused++;
      if (result.refused.length < MAX_LISTED_REFUSED) result.refused.push(u.slice(0, 300));
    }
    return route.abort('blockedbyclient').catch(() => undefined);
  };

  const handle = async (route: Route) => {
    const req = route.request();
    const u = req.url();
    const isDocument = req.isNavigationRequest() && req.frame() === page?.mainFrame();
    if (!/^https?:\/\//i.test(u)) return refuse(route, u, isDocument);
    if (isDocument && req.redirectedFrom() && ++redirects > DEFAULT_MAX_REDIRECTS) {
      documentFailure = { outcome: 'too_many_redirects', error: `more than ${DEFAULT_MAX_REDIRECTS} redirects` };
      return route.abort('failed').catch(() => undefined);
    }
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    for (const [k, v] of Object.entries(await req.allHeaders().catch(() => ({}) as Record<string, string>))) if (FORWARDED.includes(k.toLowerCase())) headers[k] = v;
    try {
      const res = await fetchFn(u, { method: req.method(), headers, body: (req.postDataBuffer() as unknown as BodyInit | null) ?? undefined, redirect: 'manual', signal: fetching.signal });
      const body = await readCapped(res, Math.min(MAX_RESPONSE_BYTES, MAX_PAGE_BYTES - pageBytes), fetching.signal);
      if (body === null) {
        if (isDocument) documentFailure = { outcome: 'body_too_large', error: `the page is larger than ${MAX_RESPONSE_BYTES} bytes` };
        else result.subresources.failed++;
        return route.abort('failed').catch(() => undefined);
      }
      pageBytes += body.length;
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        if (!DROPPED.has(k)) out[k] = v;
      });
      if (!isDocument) result.subresources.fetched++;
      await route.fulfill({ status: res.status, headers: out, body }).catch(() => undefined);
    } catch (err) {
      if (isBlockedByPolicy(err)) return refuse(route, u, isDocument);
      const failure = classifyError(err, { timedOut: fetching.signal.aborted, phase: 'request' });
      if (isDocument) documentFailure = { outcome: failure.outcome, error: failure.message };
      else result.subresources.failed++;
      await route.abort(failure.outcome === 'timeout' ? 'timedout' : 'failed').catch(() => undefined);
    }
  };

  type Found = Partial<Pick<AccessibilityPage, 'outcome' | 'status' | 'error' | 'loadIncomplete' | 'violations' | 'rules' | 'rulesTotal'>>;
  const work = async (): Promise<Found> => {
    page = await context.newPage();
    await page.route('**/*', handle);
    const started = Date.now();
    const domBudget = Math.round(budgetMs * 0.6);
    let response;
    try {
      response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: domBudget });
    } catch (err) {
      if (documentFailure) return documentFailure;
      if (/timeout/i.test(String(err))) return { outcome: 'timeout', error: `the page did not load within ${domBudget} ms` };
      return { outcome: 'protocol_error', error: shortMessage(err) };
    }
    const status = response?.status() ?? 0;
    if (status >= 400) return { outcome: 'http_error', status, error: `HTTP ${status}` };
    const found: Found = { outcome: 'ok', violations: emptyCounts() };
    // The load event, within the first three quarters of the budget; the rest is axe's.
    await page.waitForLoadState('load', { timeout: Math.max(1, Math.round(budgetMs * 0.75) - (Date.now() - started)) }).catch(() => (found.loadIncomplete = true));
    fetching.abort(new Error('the page is being checked'));
    const { source, zh } = axeAssets();
    await page.evaluate(source);
    const violations = await page.evaluate(
      async ({ tags }) => {
        const axe = (globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact?: string | null; help: string; nodes: unknown[] }> }> } }).axe;
        const r = await axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: tags } });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'minor', help: v.help, nodes: v.nodes.length }));
      },
      { tags: AXE_TAGS },
    );
    const rank = (i: string) => (IMPACTS as readonly string[]).indexOf(i);
    const rules: AxeRule[] = violations
      .map((v) => ({ id: v.id, impact: (rank(v.impact) >= 0 ? v.impact : 'minor') as Impact, nodes: v.nodes, help: v.help.slice(0, 300), helpZh: zh[v.id]?.help?.slice(0, 300) ?? null }))
      .sort((a, b) => rank(a.impact) - rank(b.impact) || b.nodes - a.nodes || (a.id < b.id ? -1 : 1));
    for (const r of rules) {
      found.violations![r.impact].rules++;
      found.violations![r.impact].nodes += r.nodes;
    }
    return { ...found, rulesTotal: rules.length, rules: rules.slice(0, MAX_RULES_PER_PAGE) };
  };

  let timer: NodeJS.Timeout | undefined;
  const outOfTime = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), budgetMs)));
  try {
    const w = work().catch((err: unknown): Found => documentFailure ?? { outcome: 'protocol_error', error: shortMessage(err) });
    const found = await Promise.race([w, outOfTime]);
    // A page that never finishes (or an axe run that never ends): the page goes, the outcome is clear.
    Object.assign(result, found === 'timeout' ? { outcome: 'timeout', error: `the page was not checked within ${budgetMs} ms` } : found);
  } finally {
    clearTimeout(timer);
    fetching.abort(new Error('page done'));
    await (page as Page | undefined)?.close().catch(() => undefined);
  }
  if (result.outcome !== 'ok') result.violations = emptyCounts();
  return result;
}
