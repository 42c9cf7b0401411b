import { afterAll, describe, expect, it } from 'vitest';
import { createProbeResolver } from '../../probes/dns.js';
import { inspectSite } from '../../probes/inspection.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { decodePage, discoverSections, extractList, parseItemDate } from '../../probes/sections.js';
import { defaultPolicy } from '../../reports/policy.js';
import { encodeGbk } from '../support/fleet-gbk.js';
import { startPortalFleet } from '../support/fleet-portals.js';

const TODAY = '2026-11-30';
const fleet = await startPortalFleet(TODAY);
afterAll(() => fleet.close());
const resolver = createProbeResolver({ servers: fleet.dns.address, timeoutMs: 1000, tries: 1 });
const policy = createTargetPolicy();
const opts = {
  resolver,
  policy,
  timeoutMs: 3000,
  today: TODAY,
  wordingTerms: defaultPolicy.siteInspection.wordingTerms,
  outboundKeywords: defaultPolicy.siteInspection.outboundKeywords,
};

describe('dates of list items (pure)', () => {
  it('reads every format Chinese portals use', () => {
    const ctx = { today: TODAY };
    expect(parseItemDate('2021-06-30', ctx)).toBe('2021-06-30');
    expect(parseItemDate('发布：2021/6/30', ctx)).toBe('2021-06-30');
    expect(parseItemDate('2021年06月30日', ctx)).toBe('2021-06-30');
    expect(parseItemDate('2021.06.30', ctx)).toBe('2021-06-30');
    expect(parseItemDate('[06-30]', { year: 2021, today: TODAY })).toBe('2021-06-30');
    expect(parseItemDate('06-30', { year: 2021, today: TODAY })).toBe('2021-06-30');
    // No year: this year, or last year when this year's would be in the future.
    expect(parseItemDate('[11-28]', ctx)).toBe('2026-11-28');
    expect(parseItemDate('12-25', ctx)).toBe('2025-12-25');
    expect(parseItemDate('2026-02-30', ctx)).toBeNull();
    expect(parseItemDate('2027-01-01', ctx)).toBeNull();
    expect(parseItemDate('第12期', ctx)).toBeNull();
  });

  it('takes the year of the heading above an undated-year list', () => {
    const l = extractList('<h3>2024年</h3><ul><li><span>06-30</span><a href="/a.html">关于印发某某办法的通知</a></li><li><span>05-01</span><a href="/b.html">关于开展某某工作的通知</a></li></ul>', 'http://x.test/', TODAY);
    expect(l.items).toHaveLength(2);
    expect(l.newest).toBe('2024-06-30');
  });

  it('finds dates in a <span> after the title, and ignores navigation menus', () => {
    const l = extractList('<div class="nav"><ul><li><a href="/a/">首页</a></li><li><a href="/b/">政务公开</a></li></ul></div><ul class="list"><li><a href="/1.html">市政府召开常务会议</a><span>2026-11-01</span></li><li><a href="/2.html">全市营商环境推进会召开</a><span>2026-10-01</span></li></ul>', 'http://x.test/', TODAY);
    expect(l.items.map((i) => i.date)).toEqual(['2026-11-01', '2026-10-01']);
  });

  it('decodes GBK (declared or sniffed) and notices a wrong declared charset', () => {
    const gbk = encodeGbk('<html><head><meta charset="gb2312"></head><body>通知公告</body></html>');
    expect(decodePage(gbk).text).toContain('通知公告');
    const liar = decodePage(encodeGbk('<html><body>关于做好政务信息系统整合共享工作的通知</body></html>'), 'text/html; charset=utf-8');
    expect(liar.charsetMismatch).toBe(true);
    expect(liar.text).toContain('整合共享');
  });

  it('survives malformed HTML and discovers sections from the navigation and 更多 links', () => {
    expect(extractList('<ul><li><a href="/x">未闭合的标签<span>2026-11-01', 'http://x.test/', TODAY).newest).toBe('2026-11-01');
    const s = discoverSections('<div class="nav"><a href="/">首页</a><a href="/ywdt/">要闻动态</a><a href="/tzgg/">通知公告</a></div><div><h2>人事任免</h2><a href="/rsrm/">更多</a></div><a href="http://other.test/x/">外站</a>', 'http://x.test/');
    expect(s.map((x) => [x.url, x.type])).toEqual([
      ['http://x.test/ywdt/', 'dynamic'],
      ['http://x.test/tzgg/', 'notice_policy'],
      ['http://x.test/rsrm/', 'personnel'],
    ]);
  });
});

describe('inspecting the loopback portals', () => {
  it('a fresh UTF-8 portal: every markup and date format read, links fine, no wording errors', async () => {
    const r = await inspectSite(fleet.url('fresh.gov.test'), opts);
    expect(r.outcome).toBe('ok');
    expect(r.homepage.newest).toBe('2026-11-28');
    expect(r.homepage.navigationOnly).toBe(false);
    const byName = Object.fromEntries(r.sections.map((s) => [s.name, s]));
    for (const n of ['要闻动态', '部门动态', '县区动态', '通知公告', '政策文件']) {
      expect(byName[n], n).toMatchObject({ outcome: 'ok', items: 6, newest: '2026-11-28' });
    }
    expect(byName['人事任免']).toMatchObject({ type: 'personnel', newest: '2026-10-21' });
    expect(r.links.broken).toBe(0);
    expect(r.links.checked).toBeGreaterThan(10);
    expect(r.links.external).toBe(1);
    expect(r.links.outboundRisks).toEqual([]);
    expect(r.wording.hits).toBe(0);
    expect(r.a11y.careEntry).toMatchObject({ found: true, opens: true });
    expect(r.a11y.images).toBeGreaterThan(0);
  }, 60_000);

  it('a stale GBK portal: old dates, a broken link, a lapsed domain, a gambling page, a wording error', async () => {
    const r = await inspectSite(fleet.url('stale.gov.test'), opts);
    expect(r.outcome).toBe('ok');
    expect(r.homepage.charset).toBe('gb18030');
    expect(r.homepage.newest).toBe('2026-05-14');
    expect(r.sections.filter((s) => s.type === 'dynamic' && s.newest && s.newest < '2026-06-01')).toHaveLength(6);
    expect(r.links.brokenList).toContainEqual(expect.objectContaining({ url: fleet.url('stale.gov.test', '/missing.html'), page: fleet.url('stale.gov.test'), status: 404 }));
    expect(r.links.outboundRisks).toContainEqual(expect.objectContaining({ risk: 'domain_unresolvable', url: `http://lapsed-domain.test:${fleet.port}/` }));
    expect(r.links.outboundRisks).toContainEqual(expect.objectContaining({ risk: 'content_mismatch', url: fleet.url('casino.example.test') }));
    expect(r.wording.list[0]).toMatchObject({ wrong: '中华人民共合国', right: '中华人民共和国', page: fleet.url('stale.gov.test') });
    expect(r.wording.list[0]!.context).toContain('中华人民共合国');
  }, 60_000);

  it('a navigation-only homepage, and blank sections', async () => {
    const n = await inspectSite(fleet.url('navonly.gov.test'), opts);
    expect(n.homepage).toMatchObject({ navigationOnly: true, items: 0 });
    expect(n.sections.every((s) => s.newest === '2026-11-28')).toBe(true);
    const b = await inspectSite(fleet.url('blank.gov.test'), opts);
    expect(b.sections.filter((s) => s.outcome === 'ok' && s.items === 0)).toHaveLength(6);
  }, 60_000);

  it('bad input: a crawl trap, an endless list, a 50 MB page, malformed HTML, a lying charset — bounded, with a clear outcome', async () => {
    const r = await inspectSite(fleet.url('trap.gov.test'), { ...opts, limits: { maxPages: 30, maxDepth: 50 } });
    expect(r.outcome).toBe('ok');
    expect(r.pages.fetched).toBeLessThanOrEqual(30);
    expect(r.pages.capped).toBe(true);
    const byName = Object.fromEntries(r.sections.map((s) => [s.name, s]));
    expect(byName['文件下载']!.outcome).toBe('body_too_large');
    // The endless list ends at the body cap or the time budget, whichever comes first.
    expect(['body_too_large', 'timeout']).toContain(byName['信息列表']!.outcome);
    expect(byName['工作动态']).toMatchObject({ outcome: 'ok', newest: '2026-11-28' });
    expect(byName['通知公告']).toMatchObject({ outcome: 'ok', items: 6, newest: '2026-11-28' });
    expect(fleet.requests.filter((x) => x.startsWith('trap.gov.test GET /cal/')).length).toBeLessThanOrEqual(30);
    // Links past the page cap are still checked once, HEAD first.
    expect(fleet.requests.some((x) => x.startsWith('trap.gov.test HEAD /'))).toBe(true);
    // Memory is bounded by the body cap (the 50 MB page ends body_too_large above) and the page cap; the
    // process's RSS is no measure of it here, since the fleet serving the 50 MB runs in this process too.
  }, 120_000);
});
