import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createCrawlGate } from '../../probes/concurrency.js';
import { createProbeDeps } from '../../probes/deps.js';
import { createProbeResolver } from '../../probes/dns.js';
import { DEFAULT_INSPECTION_LIMITS, inspectSite } from '../../probes/inspection.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { readPage } from '../../probes/sections.js';
import { startDnsServer } from '../support/dns-server.js';

/**
 * The inspection's memory bounds, by design (issue 11): what a crawl keeps and how many pages and
 * portals are in flight are counted here on a real loopback fleet, never timed.
 */

const TODAY = '2026-11-30';
const PORTALS = Array.from({ length: 8 }, (_, i) => `p${i}.bounds.gov.test`);
const HUGE = 'huge.bounds.gov.test';

const page = (body: string) => `<!doctype html><html><head><meta charset="utf-8"><title>门户</title></head><body>${body}</body></html>`;
const nav = `<div class="nav">${Array.from({ length: 6 }, (_, i) => `<a href="/s${i}/">栏目${i}动态</a>`).join('')}</div>`;
const list = `<ul class="list">${Array.from({ length: 10 }, (_, i) => `<li><a href="/a/${i}.html">关于做好第${i}项政务信息公开工作的通知</a><span>2026-11-${String(20 + (i % 9)).padStart(2, '0')}</span></li>`).join('')}</ul>`;
// 10,000 distinct same-site links on the homepage and on every page below it.
const tenThousand = `<div>${Array.from({ length: 10_000 }, (_, i) => `<a href="/x/${i}.html">链接${i}</a>`).join('')}</div>`;

interface Seen {
  requests: string[];
  /** Most GETs answered at once, and most distinct portals with a request open at once. */
  maxGets: number;
  maxSites: number;
}

async function startFleet(): Promise<{ server: Server; port: number; seen: Seen }> {
  const seen: Seen = { requests: [], maxGets: 0, maxSites: 0 };
  let gets = 0;
  const open = new Map<string, number>();
  const server = createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const path = req.url ?? '/';
    seen.requests.push(`${host} ${req.method} ${path}`);
    const isGet = req.method === 'GET';
    if (isGet) seen.maxGets = Math.max(seen.maxGets, ++gets);
    open.set(host, (open.get(host) ?? 0) + 1);
    seen.maxSites = Math.max(seen.maxSites, open.size);
    res.on('close', () => {
      if (isGet) gets--;
      const n = open.get(host)! - 1;
      if (n) open.set(host, n);
      else open.delete(host);
    });
    const body = host === HUGE ? page(`${nav}${list}${tenThousand}`) : path === '/' || /^\/s\d\/$/.test(path) ? page(`${nav}${list}`) : page('<h1>正文</h1><p>政务公开正文。</p>');
    const buf = Buffer.from(body);
    // The answer waits a turn of the fleet's event loop, so requests overlap as they do on a real fleet.
    setImmediate(() => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': buf.length });
      res.end(req.method === 'HEAD' ? undefined : buf);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

const fleet = await startFleet();
const dns = await startDnsServer({ zone: Object.fromEntries([...PORTALS, HUGE].map((h) => [h, { A: ['127.0.0.1'] }])) });
afterAll(async () => {
  fleet.server.closeAllConnections();
  fleet.server.close();
  await dns.close();
});
const url = (host: string) => `http://${host}:${fleet.port}/`;
const opts = { resolver: createProbeResolver({ servers: dns.address, timeoutMs: 2000, tries: 2 }), policy: createTargetPolicy(), timeoutMs: 10_000, today: TODAY };

describe('the inspection crawl is bounded by design', () => {
  it('a portal with 10,000 links on every page: pages, links kept and links checked stay within the caps, each link once, its host looked up once', async () => {
    const limits = { maxPages: 20, maxLinks: 300, maxLinksPerPage: 500 };
    const r = await inspectSite(url(HUGE), { ...opts, limits });
    expect(r.outcome).toBe('ok');
    expect(r.pages.fetched).toBeLessThanOrEqual(limits.maxPages);
    expect(r.pages.capped).toBe(true);
    expect(r.links.truncated).toBe(true);
    // Links checked: at most maxLinks queued, plus the pages the crawl fetched itself.
    expect(r.links.checked).toBeGreaterThan(0);
    expect(r.links.checked).toBeLessThanOrEqual(limits.maxLinks + limits.maxPages);
    const mine = fleet.seen.requests.filter((x) => x.startsWith(`${HUGE} `));
    const heads = mine.filter((x) => x.includes(' HEAD '));
    expect(new Set(heads).size).toBe(heads.length); // each link checked once
    expect(new Set(mine.map((x) => x.split(' ')[2])).size).toBeLessThanOrEqual(limits.maxLinks + limits.maxPages);
    // Every request of the crawl went to the one host, looked up once.
    expect(dns.queries.filter((q) => q === `A ${HUGE}`)).toHaveLength(1);
    // What the result keeps is capped too, whatever the site holds.
    expect(r.links.brokenList.length).toBeLessThanOrEqual(DEFAULT_INSPECTION_LIMITS.maxListed);
    expect(JSON.stringify(r).length).toBeLessThan(64 * 1024);
  }, 120_000);

  it('many portals at once: a sweep worker crawls at most gate.sites of them and holds at most gate.pages pages', async () => {
    const gate = createCrawlGate(12);
    expect(gate.limits).toEqual({ sites: 2, pages: 4 });
    fleet.seen.maxGets = 0;
    fleet.seen.maxSites = 0;
    const results = await Promise.all(PORTALS.map((h) => inspectSite(url(h), { ...opts, gate })));
    expect(results.map((r) => r.outcome)).toEqual(PORTALS.map(() => 'ok'));
    expect(results.map((r) => [r.pages.fetched, r.sections.length, r.links.broken])).toEqual(PORTALS.map(() => [17, 6, 0]));
    // Link checks are HEADs here (all answer), so every GET is a page held by the crawl.
    expect(fleet.seen.maxGets).toBeLessThanOrEqual(gate.limits.pages);
    expect(fleet.seen.maxSites).toBeLessThanOrEqual(gate.limits.sites);
    expect(gate.sites.inFlight + gate.pages.inFlight).toBe(0);
  }, 120_000);

  it('sizes the gate from the probe concurrency, and every sweep worker gets one', () => {
    expect(createCrawlGate(1).limits).toEqual({ sites: 1, pages: 2 });
    expect(createCrawlGate(100).limits).toEqual({ sites: 16, pages: 16 });
    expect(createCrawlGate(10_000).limits).toEqual({ sites: 32, pages: 16 });
    expect(createProbeDeps({ PROBE_CONCURRENCY: 60 }).crawls?.limits).toEqual({ sites: 10, pages: 16 });
  });

  it('reads a page of 20,000 unclosed tags without recursion, keeping only small facts', () => {
    const deep = `<html><body>${'<div>'.repeat(20_000)}<ul><li><a href="/a.html">关于深层嵌套页面的通知</a><span>2026-11-28</span></li></ul></body></html>`;
    const read = readPage(deep, 'http://deep.test/', TODAY);
    expect(read.list.newest).toBe('2026-11-28');
    expect(read.facts.links).toEqual([{ url: 'http://deep.test/a.html', text: '关于深层嵌套页面的通知' }]);
    expect(Object.keys(read)).toEqual(['list', 'facts', 'sections']);
  }, 60_000);
});
