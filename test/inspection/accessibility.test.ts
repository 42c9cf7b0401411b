import { afterAll, describe, expect, it } from 'vitest';
import { checkAccessibility, type AccessibilityOptions } from '../../probes/accessibility.js';
import { browserPathFrom, createBrowserPool, DEFAULT_BROWSER_PATH } from '../../probes/browser.js';
import { createProbeDeps } from '../../probes/deps.js';
import { createProbeResolver } from '../../probes/dns.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { CHROMIUM, hasChromium } from '../support/browser.js';
import { FORBIDDEN_ADDRESS, startPortalFleet } from '../support/fleet-portals.js';

// axe-core in the real headless Chromium over the loopback portals (issue 11, 适老化 and accessibility).
const TODAY = '2026-11-30';
const fleet = await startPortalFleet(TODAY);
const pool = createBrowserPool({ executablePath: CHROMIUM, idleCloseMs: 60_000 });
afterAll(async () => {
  await pool.close();
  await fleet.close();
});
// The fleet is on 127.0.0.1; 127.0.0.2 (refused.gov.test) is what the policy refuses.
const opts: AccessibilityOptions = {
  browser: pool,
  resolver: createProbeResolver({ servers: fleet.dns.address, timeoutMs: 2000, tries: 1 }),
  policy: createTargetPolicy({ deny: `${FORBIDDEN_ADDRESS}/32` }),
  // Generous: several engineers share two cores.
  timeoutMs: 30_000,
};
const ruleIds = (r: Awaited<ReturnType<typeof checkAccessibility>>) => Object.fromEntries(r.pages.flatMap((p) => p.rules).map((x) => [x.id, x.impact]));

describe('INSPECTION_BROWSER', () => {
  it('is a path, off, or the Debian Chromium when it exists', () => {
    expect(browserPathFrom('off')).toBeNull();
    expect(browserPathFrom('/opt/chrome/chrome')).toBe('/opt/chrome/chrome');
    expect(browserPathFrom(undefined, () => true)).toBe(DEFAULT_BROWSER_PATH);
    expect(browserPathFrom(undefined, () => false)).toBeNull();
    expect(createProbeDeps({ INSPECTION_BROWSER: 'off' }).browser).toBeNull();
    expect(() => createProbeDeps({ INSPECTION_BROWSER: '/nonexistent/chromium' })).toThrow(/INSPECTION_BROWSER/);
  });

  it('without a browser the check is unmeasured (no_browser), never a failure', async () => {
    const r = await checkAccessibility(fleet.url('a11y-bad.gov.test'), { ...opts, browser: null });
    expect(r).toMatchObject({ outcome: 'unmeasured', reason: 'no_browser', pages: [] });
  });

  it('a browser that will not start is unmeasured (browser_failed), not a crash', async () => {
    const broken = createBrowserPool({ executablePath: '/nonexistent/chromium' });
    const r = await checkAccessibility(fleet.url('a11y-bad.gov.test'), { ...opts, browser: broken });
    expect(r).toMatchObject({ outcome: 'unmeasured', reason: 'browser_failed' });
    expect(r.error).toMatch(/nonexistent/);
    await broken.close();
  });
});

describe.skipIf(!hasChromium)('axe-core in Chromium over the loopback portals', () => {
  it('a portal with defects: image without alt, input without label, low contrast, no lang', async () => {
    const r = await checkAccessibility(fleet.url('a11y-bad.gov.test'), { ...opts, sectionUrl: fleet.url('a11y-bad.gov.test', '/xwdt/') });
    expect(r.outcome).toBe('ok');
    expect(r.section).toBe('checked');
    expect(r.pages.map((p) => [p.role, p.outcome])).toEqual([
      ['homepage', 'ok'],
      ['section', 'ok'],
    ]);
    const home = Object.fromEntries(r.pages[0]!.rules.map((x) => [x.id, x]));
    expect(home['image-alt']).toMatchObject({ impact: 'critical', nodes: 1, helpZh: '图像必须有替代文本' });
    expect(home['label']?.impact).toBe('critical');
    expect(home['color-contrast']?.impact).toBe('serious');
    expect(home['html-has-lang']?.impact).toBe('serious');
    expect(r.pages[0]!.violations.critical.rules).toBeGreaterThanOrEqual(2);
    expect(r.pages[0]!.violations.serious.rules).toBeGreaterThanOrEqual(2);
    // The section page's own defects count too; the totals are the pages' sums.
    expect(ruleIds(r)['image-alt']).toBe('critical');
    expect(r.violations.critical.nodes).toBe(r.pages[0]!.violations.critical.nodes + r.pages[1]!.violations.critical.nodes);
  });

  it('a clean portal: no critical or serious violation on the homepage or its section', async () => {
    const r = await checkAccessibility(fleet.url('a11y-clean.gov.test'), { ...opts, sectionUrl: fleet.url('a11y-clean.gov.test', '/tzgg/') });
    expect(r.outcome).toBe('ok');
    expect(r.section).toBe('checked');
    expect(r.violations.critical.rules + r.violations.serious.rules, JSON.stringify(r.pages.map((p) => p.rules))).toBe(0);
  });

  it('homepage only when no section is known, and it says so', async () => {
    const r = await checkAccessibility(fleet.url('a11y-clean.gov.test'), opts);
    expect(r.section).toBe('none');
    expect(r.pages).toHaveLength(1);
  });

  it('sub-resources from an address the policy refuses are refused and counted; Chromium never connects to it', async () => {
    const before = fleet.forbidden.connections();
    const r = await checkAccessibility(fleet.url('a11y-leak.gov.test'), opts);
    expect(r.outcome).toBe('ok');
    const home = r.pages[0]!;
    // The script and two images (by name and by address); the WebSocket is closed by the route, unseen by the server.
    expect(home.subresources.refused).toBeGreaterThanOrEqual(3);
    expect(home.refused).toEqual(expect.arrayContaining([`http://refused.gov.test:${fleet.forbidden.port}/stat.js`, `http://refused.gov.test:${fleet.forbidden.port}/pixel.png`, `http://${FORBIDDEN_ADDRESS}:${fleet.forbidden.port}/direct.png`]));
    expect(fleet.forbidden.connections() - before).toBe(0);
  });

  it('the same page with the policy allowing it: the forbidden server does get the requests (the proof above can fail)', async () => {
    const before = fleet.forbidden.connections();
    const r = await checkAccessibility(fleet.url('a11y-leak.gov.test'), { ...opts, policy: createTargetPolicy() });
    expect(r.outcome).toBe('ok');
    expect(r.pages[0]!.subresources.refused).toBe(0);
    expect(fleet.forbidden.connections() - before).toBeGreaterThanOrEqual(2);
  });

  it('a homepage that never finishes: a timeout within the budget, nothing else stalls', async () => {
    const r = await checkAccessibility(fleet.url('a11y-hang.gov.test'), { ...opts, timeoutMs: 6000 });
    expect(r.outcome).toBe('timeout');
    expect(r.pages[0]).toMatchObject({ outcome: 'timeout' });
    expect(r.violations.critical.rules).toBe(0);
    // The browser is still fine for the next portal.
    expect((await checkAccessibility(fleet.url('a11y-clean.gov.test'), opts)).outcome).toBe('ok');
  });

  it('a page whose image never comes: checked as loaded, the image counted as failed', async () => {
    // The load event is waited for three quarters of the budget; a budget this size leaves axe 5 s even on a loaded machine.
    const r = await checkAccessibility(fleet.url('a11y-hang.gov.test', '/slow-image/'), { ...opts, timeoutMs: 20_000 });
    expect(r.outcome).toBe('ok');
    expect(r.pages[0]!.loadIncomplete).toBe(true);
    expect(r.pages[0]!.subresources.failed).toBeGreaterThanOrEqual(1);
  });

  it('an endless page and a 50 MB page: body_too_large, bounded', async () => {
    for (const path of ['/endless/', '/huge/']) {
      const r = await checkAccessibility(fleet.url('trap.gov.test', path), opts);
      expect(r.outcome, path).toBe('body_too_large');
    }
  });

  it('a homepage the policy refuses is blocked_by_policy, and a missing page an HTTP error', async () => {
    expect((await checkAccessibility(`http://refused.gov.test:${fleet.forbidden.port}/`, opts)).outcome).toBe('blocked_by_policy');
    const r = await checkAccessibility(fleet.url('a11y-clean.gov.test', '/missing/'), opts);
    expect(r).toMatchObject({ outcome: 'http_error', pages: [{ status: 404 }] });
  });
});
