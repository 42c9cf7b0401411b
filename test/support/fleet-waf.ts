/**
 * Challenge pages of the common WAFs, written for these tests (not copied from any vendor): each carries
 * the tell-tale markers a real one does — the clearance-cookie script, the vendor's cookie names, its
 * block-page wording. Served by the fleet at `/waf/<name>` (see fleet.ts), and used directly by the
 * detector's unit tests.
 */

export interface WafFixture {
  status: number;
  headers: Record<string, string | string[]>;
  body: string;
  /** The vendor `detectChallenge` should name; null: not a challenge (the page must stay a page). */
  vendor: string | null;
}

const html = (title: string, inner: string) =>
  `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body>${inner}</body></html>`;

export const WAF_FIXTURES: Record<string, WafFixture> = {
  // 安全狗: block page with the dog's name and its flow cookie.
  safedog: {
    status: 403,
    headers: { 'set-cookie': 'safedog-flow-item=5F2A9C; path=/' },
    body: html('网站防火墙', '<div class="box"><h3>您的请求带有不合法参数，已被网站管理员设置拦截！</h3><p>可能原因：您提交的内容包含危险的攻击请求</p><p>如何解决：检查提交内容；如网站托管，请联系空间提供商</p><p class="foot">网站防火墙 · 安全狗</p></div>'),
    vendor: 'safedog',
  },
  // 知道创宇 加速乐: a script that computes the clearance cookie and reloads, on a 521-style 503.
  jiasule: {
    status: 503,
    headers: { 'set-cookie': ['__jsluid_h=8c1a4f0e; max-age=31536000; path=/; HttpOnly'] },
    body: `<script>var x="b2@c3@0@d1".split("@");document.cookie=('_')+('_jsl_clearance')+('=')+x.join('')+'|0|'+(1+Math.random());location.href=location.pathname+location.search</script>`,
    vendor: 'jiasule',
  },
  // The same challenge sent with HTTP 200: unambiguous thanks to the clearance cookie.
  jiasule200: {
    status: 200,
    headers: { 'set-cookie': ['__jsl_clearance=1733000000.1|0|abc; path=/'] },
    body: `<html><body><script>setTimeout(function(){document.cookie="__jsl_clearance=1733000000.2|0|def";location.replace(location.href)},1500)</script></body></html>`,
    vendor: 'jiasule',
  },
  // 360网站卫士: the wzws challenge template.
  wzws: {
    status: 403,
    headers: { server: '360wzws' },
    body: html('安全检查中...', '<div id="wzwschallenge" data-template="wzwstemplate">正在进行安全检查，请稍候…</div><p>本站由360网站卫士提供安全防护</p>'),
    vendor: '360wzws',
  },
  // 阿里云盾: the acw_sc__v2 slider/cookie challenge.
  aliyun: {
    status: 200,
    headers: {},
    body: `<html><script>var arg1='4E2A3B1C9D8F7A6B5C4D3E2F1A0B9C8D7E6F5A4B';function setCookie(n,v){document.cookie=n+'='+v+';path=/'};setCookie('acw_sc__v2', arg1.split('').reverse().join(''));document.location.reload();</script></html>`,
    vendor: 'aliyun',
  },
  // 阿里云盾 block page (405-style block, sent as 403).
  aliyunBlock: {
    status: 403,
    headers: {},
    body: html('访问被拦截', '<p>很抱歉，由于您访问的URL有可能对网站造成安全威胁，您的访问被阻断。</p><p>您的请求ID是: 0b2c93f817330000</p><img src="https://errors.aliyun.com/images/TB1waf.png"><p>阿里云盾 · Web应用防火墙</p>'),
    vendor: 'aliyun',
  },
  // 华为云 WAF block page.
  huawei: {
    status: 403,
    headers: { 'set-cookie': 'HWWAFSESID=a1b2c3d4e5; path=/' },
    body: html('Web应用防火墙', '<h2>您的访问请求可能对网站造成安全威胁，请求已被阻断。</h2><p>事件ID：f3e2d1c0b9a8</p><p>由华为云Web应用防火墙提供防护</p>'),
    vendor: 'huaweicloud',
  },
  // 腾讯云 WAF block page.
  tencent: {
    status: 403,
    headers: {},
    body: html('访问被拦截', '<div class="err"><p>抱歉，您的请求已被拦截</p><p>请求ID: 7d4f2a9e-0c1b</p><a href="https://waf.tencent-cloud.com/">腾讯云 Web 应用防火墙</a></div>'),
    vendor: 'tencentcloud',
  },
  // Cloudflare-style managed challenge.
  cloudflare: {
    status: 403,
    headers: { 'cf-mitigated': 'challenge', server: 'cloudflare' },
    body: html('Just a moment...', '<noscript>Enable JavaScript and cookies to continue</noscript><script>window._cf_chl_opt={cvId:"3",cType:"managed"};</script><script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script>'),
    vendor: 'cloudflare',
  },
  // A challenge that names no vendor: cookie-and-reload on 412.
  generic: {
    status: 412,
    headers: {},
    body: `<html><head><meta charset="utf-8"></head><body><p>请开启JavaScript并刷新该页</p><script>document.cookie="verify_token=9f8e7d;path=/";window.location.reload();</script></body></html>`,
    vendor: 'generic',
  },
  // NOT challenges: an origin 503 behind a WAF CDN (its cookie on every response) and a portal naming its WAF.
  origin503: {
    status: 503,
    headers: { 'set-cookie': '__jsluid_h=77aa; path=/', server: '360wzws' },
    body: html('503 Service Unavailable', '<h1>Service Unavailable</h1><p>服务暂时不可用，请稍后再试。</p>'),
    vendor: null,
  },
  portalNamingWaf: {
    status: 200,
    headers: {},
    body: html('临沂市某局', '<p>本网站已部署安全狗、阿里云盾防护。</p><script>document.cookie="lang=zh";</script><a href="/news/1">新闻</a>'),
    vendor: null,
  },
};
