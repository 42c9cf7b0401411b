import { afterAll, describe, expect, it } from 'vitest';
import {
  fetchSiteSitemapFreshness,
  fetchSitemapFreshness,
  lastContentChange,
  newestLastmod,
  parseLastModified,
  parseSitemap,
  sitemapsFromRobots,
} from '../../probes/freshness.js';
import { FLEET } from '../support/fleet.js';
import { startFleetHarness } from '../support/fleet-setup.js';

const { fleet, probe } = await startFleetHarness();
afterAll(() => fleet.close());

const clock = { now: () => new Date('2026-03-10T00:00:00Z'), elapsedMs: () => performance.now() };

describe('content change history (pure)', () => {
  it('finds when the content last changed, skipping failed probes', () => {
    const history = [
      { at: '2026-01-01T02:00:00Z', contentHash: 'a' },
      { at: '2026-01-03T02:00:00Z', contentHash: 'b' },
      { at: '2026-01-02T02:00:00Z', contentHash: 'a' },
      { at: '2026-01-04T02:00:00Z', contentHash: null },
      { at: new Date('2026-01-05T02:00:00Z'), contentHash: 'b' },
    ];
    const change = lastContentChange(history);
    expect(change.lastChanged?.toISOString()).toBe('2026-01-03T02:00:00.000Z');
    expect(change.unchangedSince?.toISOString()).toBe('2026-01-03T02:00:00.000Z');
    expect(change.lastSeen?.toISOString()).toBe('2026-01-05T02:00:00.000Z');
    expect(change.changes).toBe(1);
  });

  it('reports no change for content never seen to change', () => {
    const change = lastContentChange([
      { at: '2026-01-01T00:00:00Z', contentHash: 'a' },
      { at: '2026-02-01T00:00:00Z', contentHash: 'a' },
    ]);
    expect(change).toMatchObject({ lastChanged: null, changes: 0 });
    expect(change.unchangedSince?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(lastContentChange([])).toEqual({ lastChanged: null, unchangedSince: null, lastSeen: null, changes: 0 });
  });

  it('parses Last-Modified', () => {
    expect(parseLastModified('Wed, 21 Oct 2026 07:28:00 GMT')?.toISOString()).toBe('2026-10-21T07:28:00.000Z');
    expect(parseLastModified('last week')).toBeNull();
  });
});

describe('sitemap parsing (pure)', () => {
  it('parses a urlset with namespaces, CDATA and entities', () => {
    const xml = `<?xml version="1.0"?><ns:urlset xmlns:ns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <ns:url><ns:loc><![CDATA[http://www.linyi.gov.cn/a?x=1&y=2]]></ns:loc><ns:lastmod>2026-01-02</ns:lastmod></ns:url>
      <ns:url><ns:loc>http://www.linyi.gov.cn/b?x=1&amp;y=2</ns:loc></ns:url>
      <ns:url><ns:lastmod>2026-01-05</ns:lastmod></ns:url>
    </ns:urlset>`;
    expect(parseSitemap(xml)).toEqual({
      kind: 'urlset',
      entries: [{ loc: 'http://www.linyi.gov.cn/a?x=1&y=2', lastmod: '2026-01-02' }, { loc: 'http://www.linyi.gov.cn/b?x=1&y=2' }],
    });
  });

  it('recognises a sitemap index and other documents', () => {
    expect(parseSitemap('<sitemapindex><sitemap><loc>/s1.xml</loc></sitemap></sitemapindex>').kind).toBe('sitemapindex');
    expect(parseSitemap('<html><body>not found</body></html>').kind).toBe('unknown');
  });

  it('picks the newest valid lastmod, ignoring the future and garbage', () => {
    const newest = newestLastmod(
      [
        { loc: 'a', lastmod: '2026-03-01' },
        { loc: 'b', lastmod: '2026-03-04T10:15:00+08:00' },
        { loc: 'c', lastmod: '2030-01-01' },
        { loc: 'd', lastmod: 'soon' },
      ],
      clock.now(),
    );
    expect(newest?.toISOString()).toBe('2026-03-04T02:15:00.000Z');
  });

  it('reads Sitemap lines of robots.txt', () => {
    expect(sitemapsFromRobots('User-agent: *\nSitemap: /a.xml\nsitemap:https://x.test/b.xml\n', 'http://www.linyi.gov.cn/')).toEqual([
      'http://www.linyi.gov.cn/a.xml',
      'https://x.test/b.xml',
    ]);
  });
});

describe('sitemaps over the fleet', () => {
  it('follows a sitemap index, gzipped children included, to the newest lastmod', async () => {
    const r = await fetchSitemapFreshness(fleet.url(FLEET.dual, '/sitemap.xml'), { ...probe, clock });
    expect(r.outcome).toBe('ok');
    expect(r.newest).toBe('2026-03-04T02:15:00.000Z');
    expect(r.sitemapsRead).toHaveLength(3);
    expect(r.urls).toBe(5);
    expect(r.urlsWithLastmod).toBe(4);
    expect(r.failures).toEqual([]);
    expect(r.truncated).toBe(false);
  });

  it('caps the number of sitemaps read', async () => {
    const r = await fetchSitemapFreshness(fleet.url(FLEET.dual, '/sitemap.xml'), { ...probe, clock, maxSitemaps: 2 });
    expect(r.sitemapsRead).toHaveLength(2);
    expect(r.truncated).toBe(true);
  });

  it('finds the sitemap through robots.txt', async () => {
    const r = await fetchSiteSitemapFreshness(fleet.url(FLEET.dual, '/some/page'), { ...probe, clock });
    expect(r.outcome).toBe('ok');
    expect(r.newest).toBe('2026-03-04T02:15:00.000Z');
  });

  it('reports a missing sitemap as data', async () => {
    const r = await fetchSitemapFreshness(fleet.url(FLEET.dual, '/no-sitemap.xml'), { ...probe, clock });
    expect(r).toMatchObject({ outcome: 'http_error', newest: null, sitemapsRead: [] });
    expect(r.failures[0]).toMatchObject({ outcome: 'http_error' });
  });

  it('reports a page that is not a sitemap', async () => {
    const r = await fetchSitemapFreshness(fleet.url(FLEET.dual, '/healthy'), { ...probe, clock });
    expect(r.outcome).toBe('protocol_error');
    expect(r.failures[0]).toMatchObject({ outcome: 'not_a_sitemap' });
  });

  it('applies the target policy to sitemap fetches', async () => {
    const r = await fetchSitemapFreshness(fleet.url(FLEET.metadata, '/sitemap.xml'), { ...probe, clock });
    expect(r.outcome).toBe('blocked_by_policy');
  });
});
