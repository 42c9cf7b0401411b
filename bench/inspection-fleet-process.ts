/**
 * The loopback portal fleet of the inspection benchmark, in a process of its own so the prober's
 * figures (VmHWM, CPU) are the prober's: one HTTP server answering for PORTALS portals (each a homepage,
 * 10 sections and 39 articles, written like a Chinese government portal) and the DNS server naming
 * them (`p0.bench.gov.test` … → 127.0.0.1). Prints `{"port","dns","hosts"}` once listening; exits when
 * its stdin closes.
 *
 *   node --import tsx bench/inspection-fleet-process.ts 200
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDnsServer } from '../test/support/dns-server.js';

const PORTALS = Number(process.argv[2] ?? 200);
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

// Every portal serves the same pages: built once, so the fleet's own cost stays small.
const pages = new Map<string, Buffer>();
pages.set('/', Buffer.from(page('某某人民政府门户网站', list(0))));
for (let s = 0; s < TYPES.length; s++) pages.set(`/s${s}/`, Buffer.from(page('栏目', list(s))));
for (let a = 0; a < ARTICLES; a++) pages.set(`/a/${a}.html`, Buffer.from(page('正文', `<h1>文章</h1><p>${'政务公开正文内容。'.repeat(200)}</p>`)));

const server = createServer((req, res) => {
  const buf = pages.get(req.url ?? '/');
  if (!buf) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': buf.length });
  res.end(req.method === 'HEAD' ? undefined : buf);
});
server.keepAliveTimeout = 5000;
await new Promise<void>((r) => server.listen(0, '127.0.0.1', 4096, r));
const port = (server.address() as AddressInfo).port;
const hosts = Array.from({ length: PORTALS }, (_, i) => `p${i}.bench.gov.test`);
const dns = await startDnsServer({ zone: Object.fromEntries(hosts.map((h) => [h, { A: ['127.0.0.1'] }])) });
process.stdout.write(`${JSON.stringify({ port, dns: dns.address, hosts })}\n`);
const stop = () => {
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
// The benchmark holds our stdin open: when it exits, however it exits, so do we.
process.stdin.on('end', stop).resume();
