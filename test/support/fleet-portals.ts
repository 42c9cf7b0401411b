import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { startDnsServer, type TestDnsServer } from './dns-server.js';
import { encodeGbk } from './fleet-gbk.js';

/**
 * Loopback portals written like real Chinese government sites, for the national website inspection
 * (issue 11). One HTTP server answers for every portal by its Host; a DNS server maps the portal names
 * to 127.0.0.1 and knows nothing of the lapsed domain (NXDOMAIN). Dates are relative to `today`, so the
 * scorecards hold whatever day the test injects.
 *
 * Portals (each veto item has a passing and a failing one):
 * - `fresh.gov.test` (UTF-8): five list markups and every date format, all sections fresh, a 关怀版 entry.
 * - `stale.gov.test` (GBK, declared gb2312): homepage and six dynamic sections stale for months, a broken
 *   internal link, an external link to a lapsed domain, an external gambling page, a wording error.
 * - `navonly.gov.test`: a homepage that is only navigation; its fresh second-level pages are judged.
 * - `blank.gov.test`: six blank sections (暂无信息).
 * - `trap.gov.test`: a crawl trap (endless calendar), an endless link list, a 50 MB page, malformed HTML
 *   and a page that declares UTF-8 but is GBK.
 * - `casino.example.test`: the gambling page an external link now leads to.
 * Accessibility (axe-core in Chromium):
 * - `a11y-bad.gov.test`: no `lang`, an image without alt, an input without label, low-contrast text.
 * - `a11y-clean.gov.test`: none of that (0 critical/serious), a clean section page too.
 * - `a11y-leak.gov.test`: pulls a script, an image and a WebSocket from `refused.gov.test` (127.0.0.2),
 *   the fleet's `forbidden` server, which counts every connection made to it (the policy must refuse it).
 * - `a11y-hang.gov.test`: a homepage that never finishes; `/slow-image/`: a page whose image never comes.
 */

export interface PortalFleet {
  port: number;
  dns: TestDnsServer;
  url(host: string, path?: string): string;
  /** Requests seen, as `HOST METHOD PATH`. */
  requests: string[];
  /** A server on 127.0.0.2 (`refused.gov.test`) that counts the TCP connections anyone makes to it. */
  forbidden: { address: string; port: number; connections(): number };
  close(): Promise<void>;
}

export const PORTAL_HOSTS = ['fresh.gov.test', 'stale.gov.test', 'navonly.gov.test', 'blank.gov.test', 'trap.gov.test', 'casino.example.test', 'a11y-bad.gov.test', 'a11y-clean.gov.test', 'a11y-leak.gov.test', 'a11y-hang.gov.test'] as const;
export const FORBIDDEN_HOST = 'refused.gov.test';
export const FORBIDDEN_ADDRESS = '127.0.0.2';
export const LAPSED_HOST = 'lapsed-domain.test';

function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

const [Y, M, D] = [(d: string) => d.slice(0, 4), (d: string) => d.slice(5, 7), (d: string) => d.slice(8, 10)];

function html(title: string, body: string, charset = 'utf-8'): string {
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="${charset}"><title>${title}</title></head><body>
<div class="header"><img src="/logo.png" alt="${title}"><img src="/banner.png"></div>
${body}
<div class="footer">主办单位：${title} 网站标识码 3713000001</div></body></html>`;
}

const TITLES = ['市政府召开常务会议研究部署重点工作', '关于做好政务信息系统整合共享工作的通知', '全市营商环境优化提升工作推进会召开', '市大数据局开展政务服务满意度调查', '数字临沂建设专项小组第四次会议召开', '关于公布第二批市级政务服务事项清单的公告', '我市一网通办平台新增高频事项', '政府网站与政务新媒体检查情况通报'];

/** A list in one of the markups Chinese portals use, dated `day` minus i days, in the format asked for. */
function list(markup: 'ul-span' | 'table' | 'dl' | 'div' | 'year-heading', format: 'dash' | 'slash' | 'cn' | 'bracket' | 'md', newest: string, n = 6, prefix = '/art'): string {
  const fmt = (d: string) => {
    if (format === 'dash') return d;
    if (format === 'slash') return `${Y(d)}/${Number(M(d))}/${Number(D(d))}`;
    if (format === 'cn') return `${Y(d)}年${M(d)}月${D(d)}日`;
    if (format === 'bracket') return `[${M(d)}-${D(d)}]`;
    return `${M(d)}-${D(d)}`;
  };
  const days = Array.from({ length: n }, (_, i) => addDays(newest, -i * 3));
  const a = (i: number) => `<a href="${prefix}/${i}.html" title="${TITLES[i % TITLES.length]}" target="_blank">${TITLES[i % TITLES.length]}</a>`;
  switch (markup) {
    case 'ul-span':
      return `<ul class="list">${days.map((d, i) => `<li>${a(i)}<span class="date">${fmt(d)}</span></li>`).join('')}</ul>`;
    case 'table':
      return `<table class="list"><tbody>${days.map((d, i) => `<tr><td class="bt">${a(i)}</td><td class="rq">${fmt(d)}</td></tr>`).join('')}</tbody></table>`;
    case 'dl':
      return `<dl class="news">${days.map((d, i) => `<dd><em>${fmt(d)}</em>${a(i)}</dd>`).join('')}</dl>`;
    case 'div':
      return `<div class="news-list">${days.map((d, i) => `<div class="item">${a(i)} <i>${fmt(d)}</i></div>`).join('')}</div>`;
    case 'year-heading': {
      const byYear = new Map<string, string[]>();
      for (const d of days) byYear.set(Y(d), [...(byYear.get(Y(d)) ?? []), d]);
      return [...byYear].map(([y, ds]) => `<h3 class="year">${y}年</h3><ul>${ds.map((d, i) => `<li><span>${M(d)}-${D(d)}</span>${a(i)}</li>`).join('')}</ul>`).join('');
    }
  }
}

interface Site {
  charset: 'utf-8' | 'gbk';
  /** What `<meta charset>` says (the wrong-charset page lies). */
  declared?: string;
  pages: Record<string, string | ((req: IncomingMessage, res: ServerResponse) => void)>;
}

function nav(sections: Array<[string, string]>): string {
  return `<div class="nav"><ul><li><a href="/">首页</a></li>${sections.map(([href, name]) => `<li><a href="${href}">${name}</a></li>`).join('')}</ul></div>`;
}

function sectionPage(site: string, name: string, body: string, charset = 'utf-8') {
  return html(`${name}_${site}`, `<div class="position">当前位置：<a href="/">首页</a> &gt; ${name}</div><div class="main">${body}</div>`, charset);
}

/** A page written with accessibility in mind: language, title, landmarks, alt text, labels, contrast. */
function cleanPage(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title}</title>
<style>body{color:#1a1a1a;background:#fff;font-size:16px}a{color:#0b4f9c;display:inline-block;min-height:24px;min-width:24px;padding:4px 8px}li{margin:4px 0}</style></head><body>
<header><img src="/logo.png" alt="${title}"><nav aria-label="主导航"><ul><li><a href="/">首页</a></li><li><a href="/tzgg/">通知公告</a></li><li><a href="/care/">关怀版</a></li></ul></nav></header>
<main><h1>${title}</h1>${body}</main><footer><p>主办单位：${title}</p></footer></body></html>`;
}

export function portalSites(today: string, port: number, forbiddenPort = 0): Record<string, Site> {
  const recent = addDays(today, -2);
  const old = addDays(today, -200);
  const abs = (host: string, path: string) => `http://${host}:${port}${path}`;

  const freshSections: Array<[string, string, string]> = [
    ['/ywdt/', '要闻动态', list('ul-span', 'dash', recent)],
    ['/bmdt/', '部门动态', list('table', 'slash', recent)],
    ['/xqdt/', '县区动态', list('dl', 'cn', recent)],
    ['/tzgg/', '通知公告', list('div', 'bracket', recent)],
    ['/zcwj/', '政策文件', list('year-heading', 'md', recent)],
    ['/rsrm/', '人事任免', list('ul-span', 'cn', addDays(today, -40))],
  ];
  const fresh: Site = {
    charset: 'utf-8',
    pages: {
      '/': html(
        '临沂市示范市人民政府',
        `${nav(freshSections.map(([h, n]) => [h, n]))}<div class="care"><a href="/care/">关怀版</a></div>
        <div class="block"><h2 class="tit">要闻动态</h2><a class="more" href="/ywdt/">更多</a>${list('ul-span', 'dash', recent, 5, '/ywdt')}</div>
        <div class="block"><h2 class="tit">通知公告</h2><a class="more" href="/tzgg/">更多&gt;&gt;</a>${list('table', 'cn', recent, 5, '/tzgg')}</div>
        <div class="links"><a href="${abs('navonly.gov.test', '/')}">某某区政府门户</a></div>`,
      ),
      '/care/': html('关怀版', '<p>长者模式：大字体，高对比度。</p>'),
      ...Object.fromEntries(freshSections.map(([h, n, body]) => [h, sectionPage('示范市', n, body)])),
    },
  };
  for (const p of ['/art', '/ywdt', '/tzgg']) for (let i = 0; i < 8; i++) fresh.pages[`${p}/${i}.html`] = html(TITLES[i]!, `<div class="article"><h1>${TITLES[i]}</h1><p>发布时间：${recent}</p><p>正文内容。</p></div>`);

  // Six dynamic sections, every one months old; the GBK portal of a county that stopped updating.
  const staleSections: Array<[string, string]> = [
    ['/xwzx/', '新闻中心'],
    ['/gzdt/', '工作动态'],
    ['/xzdt/', '乡镇动态'],
    ['/mtgz/', '媒体关注'],
    ['/tpxw/', '图片新闻'],
    ['/ztzl/', '专题动态'],
  ];
  const stale: Site = {
    charset: 'gbk',
    pages: {
      '/': html(
        '某某县人民政府',
        `${nav(staleSections)}<div class="block"><h2>工作动态</h2><a href="/gzdt/">更多</a>${list('ul-span', 'cn', old, 5, '/art')}</div>
        <p>依据中华人民共合国有关法律法规。</p>
        <div class="links"><a href="/missing.html">政务公开指南</a><a href="http://${LAPSED_HOST}:${port}/">某某信息港</a><a href="${abs('casino.example.test', '/')}">便民服务网</a></div>`,
        'gb2312',
      ),
      ...Object.fromEntries(staleSections.map(([h, n], i) => [h, sectionPage('某某县', n, list(i % 2 ? 'table' : 'ul-span', i % 2 ? 'slash' : 'dash', addDays(old, -i)), 'gb2312')])),
    },
  };
  for (let i = 0; i < 8; i++) stale.pages[`/art/${i}.html`] = html(TITLES[i]!, `<h1>${TITLES[i]}</h1><p>${old}</p>`, 'gb2312');

  const navSections: Array<[string, string, string]> = [
    ['/news/', '新闻动态', list('ul-span', 'dash', recent)],
    ['/notice/', '通知公告', list('table', 'cn', recent)],
  ];
  const navonly: Site = {
    charset: 'utf-8',
    pages: {
      '/': html('某某区政府门户', `<div class="banner"><img src="/big.jpg" alt="区容区貌"></div>${nav(navSections.map(([h, n]) => [h, n]))}`),
      ...Object.fromEntries(navSections.map(([h, n, b]) => [h, sectionPage('某某区', n, b)])),
    },
  };
  for (let i = 0; i < 8; i++) navonly.pages[`/art/${i}.html`] = html(TITLES[i]!, `<h1>${TITLES[i]}</h1>`);

  const blankSections: Array<[string, string]> = [
    ['/ldxx/', '领导信息'],
    ['/jgzn/', '机构职能'],
    ['/ghjh/', '规划计划'],
    ['/tjsj/', '统计数据'],
    ['/czzj/', '财政资金'],
    ['/jytabl/', '建议提案办理'],
  ];
  const blank: Site = {
    charset: 'utf-8',
    pages: {
      '/': html('某某开发区管委会', `${nav([['/dt/', '园区动态'], ...blankSections])}<div class="block"><h2>园区动态</h2><a href="/dt/">更多</a>${list('ul-span', 'dash', recent, 4)}</div>`),
      '/dt/': sectionPage('开发区', '园区动态', list('ul-span', 'dash', recent)),
      ...Object.fromEntries(blankSections.map(([h, n]) => [h, sectionPage('开发区', n, '<ul class="list"></ul><div class="nodata">暂无信息</div>')])),
    },
  };
  for (let i = 0; i < 8; i++) blank.pages[`/art/${i}.html`] = html(TITLES[i]!, `<h1>${TITLES[i]}</h1>`);

  const trap: Site = {
    charset: 'utf-8',
    pages: {
      '/': html('陷阱测试站', `${nav([['/cal/?d=0', '活动日历'], ['/endless/', '信息列表'], ['/huge/', '文件下载'], ['/broken-html/', '工作动态'], ['/liar/', '通知公告']])}${list('ul-span', 'dash', recent, 3)}`),
      '/endless/': (_req, res) => {
        // An endless list: the server keeps writing links until the reader gives up.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        let i = 0;
        const more = () => {
          while (i % 5000 !== 4999) res.write(`<li><a href="/e/${i++}.html">第${i}条信息公开目录</a><span>${recent}</span></li>`);
          i++;
          if (!res.destroyed && i < 5_000_000) setImmediate(more);
          else res.end();
        };
        res.write('<html><body><ul>');
        more();
      },
      '/huge/': (_req, res) => {
        // 50 MB, streamed (never held in memory here).
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(50 * 1024 * 1024) });
        const chunk = Buffer.alloc(1024 * 1024, 'a');
        let sent = 0;
        const more = () => {
          while (sent < 50 && !res.destroyed) {
            sent++;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
      },
      '/broken-html/': `<html><body><div class="list"><ul><li><a href="/art/1.html">${TITLES[1]}<span>${recent}</li><li><a href="/art/2.html">${TITLES[2]}</a><span>${addDays(recent, -1)}<li><table><tr><td>`,
      '/liar/': (_req, res) => {
        // Declares UTF-8, sends GBK: the decoder must notice.
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(encodeGbk(sectionPage('陷阱', '通知公告', list('ul-span', 'cn', recent))));
      },
    },
  };
  for (let i = 0; i < 8; i++) trap.pages[`/art/${i}.html`] = html(TITLES[i]!, `<h1>${TITLES[i]}</h1>`);

  const casino: Site = { charset: 'utf-8', pages: { '/': html('澳门威尼斯人娱乐城', '<h1>真人荷官 在线百家乐 博彩平台 注册就送</h1>') } };

  const a11yBad: Site = {
    charset: 'utf-8',
    pages: {
      // No lang; an image without alt; a text input without a label; light grey text on white.
      '/': `<!DOCTYPE html><html><head><meta charset="utf-8"><title>某某镇人民政府</title></head><body>
<div class="top"><img src="/logo.png"></div>${nav([['/xwdt/', '新闻动态']])}
<div class="search"><input type="text" name="q"><button type="submit">搜索</button></div>
<p style="color:#d0d0d0;background:#ffffff">本网站由某某镇人民政府主办，联系电话 0539-0000000</p>
${list('ul-span', 'dash', recent, 4, '/xwdt')}</body></html>`,
      '/xwdt/': `<!DOCTYPE html><html><head><meta charset="utf-8"><title>新闻动态</title></head><body><img src="/pic.png">${list('ul-span', 'dash', recent)}</body></html>`,
    },
  };
  const a11yClean: Site = {
    charset: 'utf-8',
    pages: {
      '/': cleanPage('某某街道办事处', `<form role="search"><label for="q">站内搜索</label><input id="q" type="text" name="q"><button type="submit">搜索</button></form>${list('ul-span', 'dash', recent, 4, '/tzgg')}`),
      '/tzgg/': cleanPage('通知公告', list('ul-span', 'dash', recent)),
      '/care/': cleanPage('关怀版', '<p>长者模式：大字体，高对比度。</p>'),
    },
  };
  const forbidden = `http://${FORBIDDEN_HOST}:${forbiddenPort}`;
  const a11yLeak: Site = {
    charset: 'utf-8',
    pages: {
      '/': cleanPage(
        '某某乡人民政府',
        `<p>统计代码与外部图片：</p><img src="${forbidden}/pixel.png" alt="访问统计"><img src="http://${FORBIDDEN_ADDRESS}:${forbiddenPort}/direct.png" alt="直连地址">
<script src="${forbidden}/stat.js"></script><script>try { new WebSocket('ws://${FORBIDDEN_HOST}:${forbiddenPort}/live'); } catch (e) {}</script>`,
      ),
    },
  };
  const a11yHang: Site = {
    charset: 'utf-8',
    pages: {
      // Headers and the start of the page, then nothing, ever.
      '/': (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.write('<!DOCTYPE html><html lang="zh-CN"><head><title>加载中</title></head><body><p>正在加载');
      },
      '/slow-image/': cleanPage('图片新闻', `<img src="/never.png" alt="一张永远不来的图片"><p>图片新闻正文。</p>`),
      '/never.png': (_req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.write(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      },
    },
  };

  return {
    'fresh.gov.test': fresh,
    'stale.gov.test': stale,
    'navonly.gov.test': navonly,
    'blank.gov.test': blank,
    'trap.gov.test': trap,
    'casino.example.test': casino,
    'a11y-bad.gov.test': a11yBad,
    'a11y-clean.gov.test': a11yClean,
    'a11y-leak.gov.test': a11yLeak,
    'a11y-hang.gov.test': a11yHang,
  };
}

/** The crawl trap: every calendar page links to the next and previous day, forever. */
function calendar(url: URL, res: ServerResponse) {
  const d = Number(url.searchParams.get('d') ?? 0);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(html('活动日历', `<a href="/cal/?d=${d - 1}">上一天</a><a href="/cal/?d=${d + 1}">下一天</a><a href="/cal/?d=${d + 30}">下一月</a>`));
}

export async function startPortalFleet(today: string): Promise<PortalFleet> {
  const requests: string[] = [];
  let sites: Record<string, Site> = {};
  const server: Server = createServer((req, res) => {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    const url = new URL(req.url ?? '/', `http://${host}`);
    requests.push(`${host} ${req.method} ${url.pathname}${url.search}`);
    const site = sites[host];
    if (host === 'trap.gov.test' && url.pathname === '/cal/') return calendar(url, res);
    const page = site?.pages[url.pathname];
    if (!site || page === undefined) {
      res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
      return void res.end('<html><body><h1>404 页面不存在</h1></body></html>');
    }
    if (typeof page === 'function') return page(req, res);
    const body = site.charset === 'gbk' ? encodeGbk(page) : Buffer.from(page);
    res.writeHead(200, { 'content-type': site.charset === 'gbk' ? 'text/html' : 'text/html; charset=utf-8', 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  // The address no one may reach: it answers (so a leak would succeed) and counts every connection.
  let forbiddenConnections = 0;
  const forbiddenSockets = new Set<import('node:net').Socket>();
  const forbiddenServer = createNetServer((socket) => {
    forbiddenConnections++;
    forbiddenSockets.add(socket);
    socket.on('close', () => forbiddenSockets.delete(socket));
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 6\r\nconnection: close\r\n\r\nleaked');
  });
  await new Promise<void>((resolve) => forbiddenServer.listen(0, FORBIDDEN_ADDRESS, resolve));
  const forbiddenPort = (forbiddenServer.address() as AddressInfo).port;
  sites = portalSites(today, port, forbiddenPort);
  const dns = await startDnsServer({ zone: { ...Object.fromEntries(PORTAL_HOSTS.map((h) => [h, { A: ['127.0.0.1'] }])), [FORBIDDEN_HOST]: { A: [FORBIDDEN_ADDRESS] } } });
  return {
    port,
    dns,
    requests,
    forbidden: { address: FORBIDDEN_ADDRESS, port: forbiddenPort, connections: () => forbiddenConnections },
    url: (host, path = '/') => `http://${host}:${port}${path}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of forbiddenSockets) socket.destroy();
      await new Promise<void>((resolve) => forbiddenServer.close(() => resolve()));
      await dns.close();
    },
  };
}
