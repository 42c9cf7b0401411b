/**
 * The site inspection at city scale (issue 11): 200 loopback portals × 50 pages each (a homepage, 10
 * sections, 39 articles), inspected by one sweep worker through the real path (queue, probe kind,
 * store), then a second sweep the next day. Prints wall time, pages per second, peak RSS and database
 * growth per sweep, with the ratio to the targets (< 60 s, < 256 MB).
 *
 *   npx tsx bench/inspection-sweep.ts            # PGlite in memory
 *   DATABASE_URL=postgres://… npx tsx bench/inspection-sweep.ts
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { createProbeLimiter } from '../probes/concurrency.js';
import { createProbeResolver } from '../probes/dns.js';
import { systemClock } from '../probes/outcome.js';
import { createTargetPolicy } from '../probes/policy.js';
import { endpoints } from '../src/db/schema/index.js';
import { createSweep } from '../src/sweeps/queue.js';
import { runSweepWorker } from '../src/sweeps/runner.js';
import { startDnsServer } from '../test/support/dns-server.js';
import { benchDatabase, fillInventory } from './support.js';

const PORTALS = Number(process.env.PORTALS ?? 200);
const SECTIONS = 10;
const ARTICLES = 39;
const TYPES = ['要闻动态', '部门动态', '通知公告', '政策文件', '人事任免', '县区动态', '政策解读', '工作动态', '公示公告', '媒体关注'];

function page(title: string, body: string) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body><div class="nav"><a href="/">首页</a>${TYPES.map((n, i) => `<a href="/s${i}/">${n}</a>`).join('')}</div>${body}<div class="footer"><img src="/logo.png" alt="标识">主办单位：某某人民政府</div></body></html>`;
}

const day = (n: number) => new Date(Date.UTC(2026, 10, 30 - n)).toISOString().slice(0, 10);
const list = (section: number) =>
  `<ul class="list">${Array.from({ length: 20 }, (_, i) => {
    const a = (section * 4 + i) % ARTICLES;
    return `<li><a href="/a/${a}.html">关于做好第${section}类第${i}项政务信息公开工作的通知</a><span>${day(i + section)}</span></li>`;
  }).join('')}</ul>`;

async function main() {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    let body: string | null = null;
    if (path === '/') body = page('某某人民政府门户网站', list(0));
    else if (/^\/s\d+\/$/.test(path)) body = page('栏目', list(Number(path.slice(2, -1))));
    else if (/^\/a\/\d+\.html$/.test(path)) body = page('正文', `<h1>文章</h1><p>${'政务公开正文内容。'.repeat(200)}</p>`);
    if (body === null) {
      res.writeHead(404).end();
      return;
    }
    const buf = Buffer.from(body);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': buf.length });
    res.end(req.method === 'HEAD' ? undefined : buf);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const hosts = Array.from({ length: PORTALS }, (_, i) => `p${i}.bench.gov.test`);
  const dns = await startDnsServer({ zone: Object.fromEntries(hosts.map((h) => [h, { A: ['127.0.0.1'] }])) });

  const database = await benchDatabase();
  const { db } = database;
  await db.execute(sql`truncate table site_days, section_days, inspection_sections restart identity cascade`);
  await fillInventory(db, PORTALS);
  const eps = await db.select({ id: endpoints.id }).from(endpoints).orderBy(endpoints.id);
  for (const [i, e] of eps.entries()) await db.update(endpoints).set({ url: `http://${hosts[i]}:${port}/` }).where(sql`id = ${e.id}`);

  const size = async () => {
    const r = await db.execute(sql`select sum(pg_total_relation_size(c.oid))::bigint as b from pg_class c where c.relname in ('probe_results', 'site_days', 'section_days', 'inspection_sections', 'sweep_targets') or c.relname like 'probe_results%'`);
    return Number(((r as unknown as { rows?: Array<{ b: string }> }).rows ?? (r as unknown as Array<{ b: string }>))[0]?.b ?? 0);
  };

  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  const resolver = createProbeResolver({ servers: dns.address, timeoutMs: 5000, tries: 2 });
  const runs: Array<{ seconds: number; pages: number; growth: number }> = [];
  for (const [k, at] of [new Date('2026-11-30T04:00:00Z'), new Date('2026-12-01T04:00:00Z')].entries()) {
    const before = await size();
    const deps = { resolver, policy: createTargetPolicy(), timeoutMs: 15_000, clock: { ...systemClock, now: () => at }, limiter: createProbeLimiter(Number(process.env.PROBE_CONCURRENCY ?? 200), 4) };
    const sweep = await createSweep(db, { trigger: 'cli', kinds: ['inspection'] }, new Date());
    const t0 = performance.now();
    await runSweepWorker({ db, deps, workerId: `bench-${k}`, timeZone: 'Asia/Shanghai', sweepId: sweep.id, concurrency: Number(process.env.TARGETS_IN_FLIGHT ?? 20), probe: { retries: 0 } });
    const seconds = (performance.now() - t0) / 1000;
    const r = await db.execute(sql`select coalesce(sum(pages), 0)::int as pages, count(*)::int as sites, coalesce(sum(links_broken), 0)::int as broken from site_days where day = ${at.toISOString().slice(0, 10)}::date`);
    const row = ((r as unknown as { rows?: Array<Record<string, number>> }).rows ?? (r as unknown as Array<Record<string, number>>))[0]!;
    const growth = (await size()) - before;
    runs.push({ seconds, pages: Number(row.pages), growth });
    console.log(`sweep ${k + 1}: ${row.sites} portals, ${row.pages} pages, ${row.broken} broken links, ${seconds.toFixed(1)} s, ${(Number(row.pages) / seconds).toFixed(0)} pages/s, DB growth ${(growth / 1024).toFixed(0)} KiB`);
  }
  clearInterval(sampler);
  const worst = Math.max(...runs.map((r) => r.seconds));
  const mb = peak / 1024 / 1024;
  console.log(`wall time (worst sweep) ${worst.toFixed(1)} s — target < 60 s: ${(worst / 60).toFixed(2)}× of target (${worst < 60 ? 'met' : 'missed'})`);
  console.log(`peak RSS ${mb.toFixed(0)} MB (whole process: the fleet, DNS and, without DATABASE_URL, PGlite included; ${(baseline / 1048576).toFixed(0)} MB before the first sweep, +${((peak - baseline) / 1048576).toFixed(0)} MB during the sweeps) — target < 256 MB: ${(mb / 256).toFixed(2)}× of target (${mb < 256 ? 'met' : 'missed'})`);
  console.log(`DB growth per sweep: ${runs.map((r) => `${(r.growth / 1024).toFixed(0)} KiB`).join(', ')} (${(runs[1]!.growth / PORTALS).toFixed(0)} bytes per portal on a repeat day)`);
  await database.close();
  await dns.close();
  server.closeAllConnections();
  server.close();
}

await main();
