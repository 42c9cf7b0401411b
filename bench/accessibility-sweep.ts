/**
 * The accessibility kind at city scale (issue 11): 200 loopback portals, each checked by axe-core in the
 * headless Chromium on its homepage and one section page, through the real path (queue, probe kind,
 * policy-checked fetch for every request, store). Prints wall time, pages per second, CPU time, peak RSS
 * of this process and of Chromium (all its processes together), with the load average: the machine may
 * be shared, so read the CPU figures before the wall time.
 *
 *   npx tsx bench/accessibility-sweep.ts                 # PGlite in memory, /usr/bin/chromium
 *   PORTALS=50 INSPECTION_BROWSER=/path/to/chromium npx tsx bench/accessibility-sweep.ts
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { sql } from 'drizzle-orm';
import { browserPathFrom, createBrowserPool } from '../probes/browser.js';
import { createProbeLimiter } from '../probes/concurrency.js';
import { createProbeResolver } from '../probes/dns.js';
import { systemClock } from '../probes/outcome.js';
import { createTargetPolicy } from '../probes/policy.js';
import { endpoints, inspectionSections, sectionDays } from '../src/db/schema/index.js';
import { createSweep } from '../src/sweeps/queue.js';
import { runSweepWorker } from '../src/sweeps/runner.js';
import { startDnsServer } from '../test/support/dns-server.js';
import { benchDatabase, fillInventory } from './support.js';

const PORTALS = Number(process.env.PORTALS ?? 200);
const DAY = '2026-11-30';

function page(title: string, body: string) {
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="/site.css"></head><body>
<div class="nav"><a href="/">首页</a><a href="/tzgg/">通知公告</a><a href="/care/">关怀版</a></div><img src="/banner.png"><form><input name="q"><button>搜索</button></form>
${body}<div class="footer"><img src="/logo.png" alt="标识">主办单位：某某人民政府</div><script src="/site.js"></script></body></html>`;
}
const list = () => `<ul class="list">${Array.from({ length: 20 }, (_, i) => `<li><a href="/a/${i}.html">关于做好第${i}项政务信息公开工作的通知</a><span>2026-11-${String(29 - i).padStart(2, '0')}</span></li>`).join('')}</ul>`;

/** Resident memory (bytes) of every descendant process of `root`: Chromium's browser, renderers, GPU and utility processes. */
function descendantsRss(root: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(fields[1]));
      rss.set(Number(name), Number(fields[21]) * 4096);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  for (const [pid, bytes] of rss) {
    for (let p = parent.get(pid), depth = 0; p && depth < 10; p = parent.get(p), depth++) {
      if (p === root) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

async function main() {
  const executablePath = browserPathFrom(process.env.INSPECTION_BROWSER);
  if (!executablePath) throw new Error('no browser: install chromium or set INSPECTION_BROWSER');
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const send = (type: string, body: string | Buffer) => {
      const buf = Buffer.from(body);
      res.writeHead(200, { 'content-type': type, 'content-length': buf.length }).end(buf);
    };
    if (path === '/') return send('text/html; charset=utf-8', page('某某人民政府门户网站', list()));
    if (path === '/tzgg/') return send('text/html; charset=utf-8', page('通知公告', list()));
    if (path === '/site.css') return send('text/css', 'body{font-size:14px;color:#333} .footer{color:#aaa}');
    if (path === '/site.js') return send('application/javascript', 'document.body.dataset.ready = "1";');
    if (path.endsWith('.png')) return send('image/png', Buffer.alloc(512));
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const hosts = Array.from({ length: PORTALS }, (_, i) => `p${i}.bench.gov.test`);
  const dns = await startDnsServer({ zone: Object.fromEntries(hosts.map((h) => [h, { A: ['127.0.0.1'] }])) });

  const database = await benchDatabase();
  const { db } = database;
  await db.execute(sql`truncate table accessibility_days, site_days, section_days, inspection_sections restart identity cascade`);
  await fillInventory(db, PORTALS);
  const eps = await db.select({ id: endpoints.id, systemId: endpoints.systemId }).from(endpoints).orderBy(endpoints.id);
  for (const [i, e] of eps.entries()) {
    await db.update(endpoints).set({ url: `http://${hosts[i]}:${port}/` }).where(sql`id = ${e.id}`);
    // A section the site inspection found and loaded today: the page axe checks besides the homepage.
    const [s] = await db.insert(inspectionSections).values({ systemId: e.systemId, url: `http://${hosts[i]}:${port}/tzgg/`, name: '通知公告', type: 'notice_policy', source: 'discovered' }).returning({ id: inspectionSections.id });
    await db.insert(sectionDays).values({ sectionId: s!.id, systemId: e.systemId, day: DAY, outcome: 'ok', items: 20, dated: 20, newest: DAY });
  }

  const browser = createBrowserPool({ executablePath });
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  let chromiumPeak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    chromiumPeak = Math.max(chromiumPeak, descendantsRss(process.pid));
  }, 250);
  const deps = {
    resolver: createProbeResolver({ servers: dns.address, timeoutMs: 5000, tries: 2 }),
    policy: createTargetPolicy(),
    timeoutMs: 15_000,
    clock: { ...systemClock, now: () => new Date(`${DAY}T04:00:00Z`) },
    limiter: createProbeLimiter(200, 4),
    browser,
  };
  const sweep = await createSweep(db, { trigger: 'cli', kinds: ['accessibility'] }, new Date());
  const load0 = loadavg();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await runSweepWorker({ db, deps, workerId: 'bench-a11y', timeZone: 'Asia/Shanghai', sweepId: sweep.id, concurrency: Number(process.env.TARGETS_IN_FLIGHT ?? 20), probe: { retries: 0 } });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  const r = await db.execute(sql`select count(*)::int as portals, count(*) filter (where outcome = 'ok')::int as ok, coalesce(sum(jsonb_array_length(pages)), 0)::int as pages, count(*) filter (where section = 'checked')::int as with_section, coalesce(sum(critical_rules + serious_rules), 0)::int as serious from accessibility_days where day = ${DAY}::date`);
  const row = ((r as unknown as { rows?: Array<Record<string, number>> }).rows ?? (r as unknown as Array<Record<string, number>>))[0]!;
  const pages = Number(row.pages);
  console.log(`load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${(await import('node:os')).availableParallelism()} cores)`);
  console.log(`${row.portals} portals (${row.ok} ok, ${row.with_section} with a section page), ${pages} pages checked, ${row.serious} critical/serious rule violations`);
  console.log(`wall time ${seconds.toFixed(1)} s, ${(pages / seconds).toFixed(2)} pages/s; this process's CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (${((cpu.user + cpu.system) / 1e3 / pages).toFixed(0)} ms per page)`);
  console.log(`peak RSS: this process ${(peak / 1048576).toFixed(0)} MB (PGlite, fleet and DNS included; ${(baseline / 1048576).toFixed(0)} MB before the sweep), Chromium ${(chromiumPeak / 1048576).toFixed(0)} MB (all its processes, 2 pages at a time)`);
  await browser.close();
  await database.close();
  await dns.close();
  server.closeAllConnections();
  server.close();
}

await main();
