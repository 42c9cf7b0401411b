import { randomBytes } from 'node:crypto';

/**
 * Pages the probe fleet serves. A small imitation of a city portal: a homepage with news links (second
 * level), news pages with detail links (third level), and the volatile bits real portals carry (CSRF
 * tokens, nonces, the current time, cache-busting query strings).
 */

export function page(title: string, body: string, charset = 'utf-8'): string {
  const nonce = randomBytes(8).toString('hex');
  const now = new Date();
  return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="${charset}">
<meta name="csrf-token" content="${randomBytes(12).toString('hex')}">
<title>${title}</title>
<link rel="stylesheet" href="/static/site.css?v=${now.getTime()}">
<script nonce="${nonce}">var csrfToken = "${randomBytes(6).toString('hex')}";</script>
</head>
<body>
<div class="date">${now.toISOString().slice(0, 10)} ${now.toTimeString().slice(0, 8)}</div>
<form><input type="hidden" name="_csrf" value="${randomBytes(6).toString('hex')}"></form>
${body}
</body>
</html>`;
}

const NEWS_TITLES = [
  '市大数据局召开政务信息系统整合共享工作会议',
  '关于开展政务信息系统大排查大整改的通知',
  '数字临沂建设专项小组第三次会议召开',
  '全市政务云资源使用情况通报',
  '一网通办平台新增高频事项二十项',
  '爱山东临沂分厅上线企业开办专区',
  '电子政务外网IPv6改造完成',
  '政府网站与政务新媒体检查情况通报',
  '关于做好网络安全等级保护测评工作的通知',
  '临沂市公共数据开放目录发布',
];

export function homepage(links: string[], lead = '临沂市人民政府门户网站'): string {
  const items = links.map((href, i) => `<li><a href="${href}">${NEWS_TITLES[i % NEWS_TITLES.length]}（${i + 1}）</a></li>`);
  return page(
    '临沂市人民政府',
    `<h1>${lead}</h1>
<p>欢迎访问临沂市人民政府门户网站。政务公开、政务服务、互动交流，为民服务是我们的宗旨。</p>
<ul class="news">${items.join('\n')}</ul>
<p><a href="https://www.gov.cn/">中国政府网</a> <a href="#top">返回顶部</a> <a href="javascript:void(0)">打印</a></p>`,
  );
}

/** Same site, different content: what a half-migrated IPv6 front end often serves. */
export function maintenancePage(): string {
  return page('IPv6 test', '<h1>It works!</h1><p>This is the default web page for this server over IPv6.</p>');
}

export function newsPage(index: number, links: string[]): string {
  const items = links.map((href, j) => `<li><a href="${href}">附件与详情 ${index}-${j + 1}</a></li>`);
  return page(
    `${NEWS_TITLES[(index - 1) % NEWS_TITLES.length]} - 临沂市人民政府`,
    `<h1>${NEWS_TITLES[(index - 1) % NEWS_TITLES.length]}</h1><p>正文第${index}篇。</p><ul>${items.join('')}</ul>`,
  );
}

export function detailPage(index: number, detail: number): string {
  return page(`详情 ${index}-${detail}`, `<p>这是第${index}篇新闻的第${detail}个附件说明。</p>`);
}

export function sitemapIndex(base: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>${base}/sitemap-news.xml</loc><lastmod>2026-03-01</lastmod></sitemap>
  <sitemap><loc>${base}/sitemap-pages.xml</loc></sitemap>
</sitemapindex>`;
}

export function sitemapNews(base: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>${base}/news/1</loc><lastmod>2026-02-27T09:30:00+08:00</lastmod></url>
  <url><loc>${base}/news/2</loc><lastmod>2026-03-04T10:15:00+08:00</lastmod></url>
  <url><loc>${base}/news/3</loc></url>
</urlset>`;
}

export function sitemapPages(base: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>${base}/about</loc><lastmod>2025-12-31</lastmod></url>
  <url><loc>${base}/contact</loc><lastmod>not a date</lastmod></url>
</urlset>`;
}

export const METRICS_TEXT = `# HELP http_requests_total Requests served.
# TYPE http_requests_total counter
http_requests_total{method="GET",code="200"} 1027
http_requests_total{method="POST",code="200"} 3
http_requests_total{method="GET",code="500"} 2
# HELP active_users Users active today.
# TYPE active_users gauge
active_users 57 1760000000000
logins_total{app="爱山东",path="C:\\\\dir\\"x\\""} 12
`;
