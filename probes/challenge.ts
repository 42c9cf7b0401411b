/**
 * WAF and bot-challenge detection: a response that is a challenge page (a script that sets a clearance
 * cookie and reloads, a "security check" interstitial, a WAF block page) instead of the site. Such a site
 * is not down: it is blocking our prober, and the department must allow-list the prober's address
 * (shared/policy.md). Pure: status, headers and body text in, a verdict out.
 *
 * Statuses: 403, 412 and 503 (and 429, which WAFs use for rate challenges) are judged on any marker of
 * the list below. A 200 is judged a challenge only on a marker that no ordinary page carries (the
 * clearance-cookie scripts and challenge headers, `strong` below), so a portal that merely mentions its
 * WAF vendor is not mistaken for a challenge. Headers and cookies a WAF puts on every response it proxies
 * (`server: 360wzws`, `__jsluid`, `HWWAFSESID`, `server: cloudflare`) are not markers: they come with the
 * origin's own 503s too, and a broken origin must stay an `http_error`.
 */

export const CHALLENGE_VENDORS = ['safedog', 'jiasule', '360wzws', 'aliyun', 'huaweicloud', 'tencentcloud', 'cloudflare', 'generic'] as const;
export type ChallengeVendor = (typeof CHALLENGE_VENDORS)[number];

export interface ChallengeInput {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Decoded body text (may be empty or cut at the probe's cap). */
  body: string;
}

export interface Challenge {
  /** The WAF recognised; `generic` when the page is a challenge but names no vendor we know. */
  vendor: ChallengeVendor;
  /** What gave it away, for the evidence shown to people (e.g. `cookie __jsl_clearance`). */
  marker: string;
}

interface Marker {
  vendor: ChallengeVendor;
  where: 'body' | 'cookie' | 'header';
  /** Header name for `header` markers. */
  header?: string;
  pattern: RegExp;
  /** Never on an ordinary page: enough on a 200. */
  strong: boolean;
  label: string;
}

const MARKERS: readonly Marker[] = [
  // 知道创宇 加速乐: a script computes `__jsl_clearance` and reloads; `__jsluid` cookies come with it.
  { vendor: 'jiasule', where: 'body', pattern: /_jsl_clearance/, strong: true, label: 'script __jsl_clearance' },
  { vendor: 'jiasule', where: 'cookie', pattern: /__jsl_clearance/, strong: true, label: 'cookie __jsl_clearance' },
  { vendor: 'jiasule', where: 'body', pattern: /加速乐|jiasule|知道创宇|yunaq\.com|创宇盾/i, strong: false, label: 'page names 知道创宇/加速乐' },
  // 安全狗 (SafeDog)
  { vendor: 'safedog', where: 'cookie', pattern: /safedog/i, strong: false, label: 'cookie safedog' },
  { vendor: 'safedog', where: 'body', pattern: /safedog|安全狗/i, strong: false, label: 'page names 安全狗' },
  // 360网站卫士
  { vendor: '360wzws', where: 'body', pattern: /wzwschallenge|wzwstemplate/i, strong: true, label: 'script wzwschallenge' },
  { vendor: '360wzws', where: 'cookie', pattern: /wzwschallenge|wzwstemplate/i, strong: true, label: 'cookie wzwschallenge' },
  { vendor: '360wzws', where: 'body', pattern: /360网站卫士|360wzws|wangzhan\.360\.cn/i, strong: false, label: 'page names 360网站卫士' },
  // 阿里云盾 (Aliyun WAF): `acw_sc__v2` slider/cookie challenge, block pages on errors.aliyun.com.
  { vendor: 'aliyun', where: 'body', pattern: /acw_sc__v2|arg1\s*=\s*['"][0-9A-F]{20,}/, strong: true, label: 'script acw_sc__v2' },
  { vendor: 'aliyun', where: 'cookie', pattern: /acw_sc__v2/, strong: true, label: 'cookie acw_sc__v2' },
  { vendor: 'aliyun', where: 'body', pattern: /阿里云盾|aliyun_waf|errors\.aliyun\.com|aliyundun/i, strong: false, label: 'page names 阿里云盾' },
  // 华为云 WAF
  { vendor: 'huaweicloud', where: 'body', pattern: /华为云\s*(Web应用防火墙|WAF)|huaweicloud.{0,40}waf|hwwaf/i, strong: false, label: 'page names 华为云 WAF' },
  // 腾讯云 WAF
  { vendor: 'tencentcloud', where: 'body', pattern: /腾讯云\s*(Web\s*应用防火墙|WAF)|waf\.tencent-?cloud\.com|tencent-?cloud.{0,40}waf/i, strong: false, label: 'page names 腾讯云 WAF' },
  // Cloudflare-style managed challenges.
  { vendor: 'cloudflare', where: 'header', header: 'cf-mitigated', pattern: /challenge/i, strong: true, label: 'cf-mitigated: challenge' },
  { vendor: 'cloudflare', where: 'body', pattern: /_cf_chl_opt|\/cdn-cgi\/challenge-platform\//, strong: true, label: 'script challenge-platform' },
];

/** Interstitials that name no vendor: "checking your browser", "enable JavaScript", "安全验证". */
const GENERIC_TEXT = /(checking your browser|just a moment\.\.\.|enable javascript and cookies to continue|please enable (javascript|cookies)|请(开启|启用)\s*(javascript|cookie)|正在进行安全(检查|验证)|安全验证|人机验证|访问验证|浏览器安全检查|请稍候.{0,10}(跳转|验证))/i;
/** A page whose only job is to set a cookie and reload. */
const COOKIE_RELOAD = /document\.cookie\s*=[\s\S]{0,2000}(location\.(reload|replace|href)|window\.location)/i;

const CHALLENGE_STATUSES: ReadonlySet<number> = new Set([403, 412, 429, 503]);

function headerText(headers: ChallengeInput['headers'], name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join('\n') : (v ?? '');
}

/** The challenge a response is, or null when it is an ordinary page (or an ordinary error page). */
export function detectChallenge(input: ChallengeInput): Challenge | null {
  const challengeStatus = CHALLENGE_STATUSES.has(input.status);
  if (!challengeStatus && input.status !== 200) return null;
  const cookies = headerText(input.headers, 'set-cookie');
  const body = input.body.length > 64 * 1024 ? input.body.slice(0, 64 * 1024) : input.body;
  for (const m of MARKERS) {
    if (!challengeStatus && !m.strong) continue;
    const text = m.where === 'body' ? body : m.where === 'cookie' ? cookies : headerText(input.headers, m.header!);
    if (m.pattern.test(text)) return { vendor: m.vendor, marker: m.label };
  }
  if (!challengeStatus) return null;
  if (GENERIC_TEXT.test(body)) return { vendor: 'generic', marker: 'challenge interstitial text' };
  if (COOKIE_RELOAD.test(body) && body.length < 16 * 1024) return { vendor: 'generic', marker: 'cookie-and-reload script' };
  return null;
}
