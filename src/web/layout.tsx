import { createHash } from 'node:crypto';
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Principal } from '../auth/tokens.js';
import type { UiKey } from '../../i18n/ui-zh.js';
import { htmlLang, label, type Lang, type T } from './i18n.js';

/**
 * The one stylesheet, inline. Colours keep text contrast at 4.5:1 or more (body #1f1f1f on #fff,
 * links #0b57d0, badges white on dark fills); focus is a 3px outline that is always visible.
 */
export const CSS = `
*{box-sizing:border-box}
html{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",system-ui,sans-serif;font-size:16px;line-height:1.55;color:#1f1f1f;background:#fff}
body{margin:0}
a{color:#0b57d0}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.skip{position:absolute;left:-9999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem}
header.top{background:#0b3d91;color:#fff;padding:.5rem 1.25rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
header.top a{color:#fff}
header.top :focus-visible{outline-color:#fff}
.brand{font-weight:700;font-size:1.15rem;margin-right:.5rem}
.brand small{font-weight:400;font-size:.8rem;margin-left:.5rem;opacity:.95}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
nav a{text-decoration:none;padding:.25rem .1rem;border-bottom:3px solid transparent}
nav a[aria-current=page]{border-bottom-color:#fff;font-weight:700}
.who{margin-left:auto;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap;font-size:.9rem}
.who form{margin:0}
.who button{background:transparent;color:#fff;border:1px solid #fff;padding:.2rem .6rem}
main{max-width:76rem;margin:0 auto;padding:1rem 1.25rem 3rem}
footer{border-top:1px solid #c4c7c5;color:#474747;font-size:.85rem;padding:1rem 1.25rem;text-align:center}
h1{font-size:1.6rem;margin:.75rem 0 1rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem;border-bottom:1px solid #c4c7c5;padding-bottom:.25rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{border:1px solid #c4c7c5;padding:.4rem .55rem;text-align:left;vertical-align:top}
th{background:#eef1f5}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
dl.facts{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.3rem 1rem;margin:.5rem 0 1rem}
dl.facts dt{font-weight:700;color:#333}
dl.facts dd{margin:0;overflow-wrap:anywhere}
form.filters{display:flex;flex-wrap:wrap;gap:.75rem 1rem;align-items:flex-end;background:#f6f8fb;border:1px solid #c4c7c5;padding:.75rem;margin-bottom:1rem}
fieldset{border:1px solid #c4c7c5;margin:0 0 1rem;padding:.75rem 1rem}
legend{font-weight:700;padding:0 .35rem}
.field{display:flex;flex-direction:column;gap:.2rem;margin-bottom:.75rem}
.field.inline{flex-direction:row;align-items:center;gap:.5rem}
label{font-weight:600}
.hint{font-size:.85rem;color:#474747;font-weight:400}
input[type=text],input[type=password],input[type=date],input[type=tel],input[type=email],input[type=url],input[type=month],select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid #5f6368;border-radius:3px;background:#fff;color:#1f1f1f;min-width:12rem;max-width:100%}
textarea{min-height:5rem;width:100%}
button,.button{font:inherit;cursor:pointer;background:#0b57d0;color:#fff;border:1px solid #0b57d0;border-radius:3px;padding:.45rem 1rem;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#0b57d0}
button.danger{background:#b3261e;border-color:#b3261e}
.radios{display:flex;flex-wrap:wrap;gap:.4rem 1.25rem;margin:.25rem 0 .5rem}
.radios .field{margin:0}
.radios label{font-weight:400}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:.75rem;font-size:.85rem;font-weight:600;color:#fff;background:#5f6368;white-space:nowrap}
.badge.active,.badge.confirmed,.badge.transferred{background:#1b6e20}
.badge.semi_zombie,.badge.transfer_requested,.badge.retirement_requested{background:#8a4b00}
.badge.zombie,.badge.overdue,.badge.disowned{background:#b3261e}
.badge.exempt{background:#4a3aa8}
.badge.closed{background:#474747}
.badge.open{background:#0b57d0}
.notice{border-left:5px solid #0b57d0;background:#eef3fd;padding:.6rem 1rem;margin:0 0 1rem}
.notice.ok{border-color:#1b6e20;background:#edf7ee}
.notice.warn{border-color:#8a4b00;background:#fdf3e7}
.notice.error{border-color:#b3261e;background:#fdecea}
.error-text{color:#b3261e;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:1rem}
.card{border:1px solid #c4c7c5;border-radius:4px;padding:.75rem}
.card h3{margin-top:0}
.system{border:1px solid #c4c7c5;border-radius:4px;padding:.75rem 1rem;margin:0 0 1rem}
.system legend{font-size:1.05rem}
.board{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:1rem;align-items:start}
.board section{background:#f6f8fb;border:1px solid #c4c7c5;border-radius:4px;padding:.5rem .75rem}
.board h2{font-size:1.05rem;margin:.25rem 0 .5rem}
.board ul{list-style:none;margin:0;padding:0}
.board li{background:#fff;border:1px solid #c4c7c5;border-radius:4px;padding:.5rem;margin:0 0 .5rem}
progress{width:16rem;height:1rem}
.chart{max-width:100%;height:auto;border:1px solid #c4c7c5;background:#fff}
.row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
.muted{color:#474747}
.link-url{width:100%;font-family:ui-monospace,monospace;font-size:.85rem}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(11rem,1fr));gap:.75rem;margin:.5rem 0 1rem}
.tile{border:1px solid #c4c7c5;border-radius:4px;padding:.6rem .75rem;background:#fff;color:#1f1f1f;text-decoration:none;display:block}
a.tile:hover .l{text-decoration:underline}
.tile .n{font-size:1.6rem;font-weight:700;font-variant-numeric:tabular-nums}
.tile .l{font-weight:600}
.tile.zombie{border-left:6px solid #b3261e}.tile.semi_zombie{border-left:6px solid #8a4b00}.tile.active{border-left:6px solid #1b6e20}.tile.insufficient_evidence{border-left:6px solid #5f6368}.tile.exempt{border-left:6px solid #4a3aa8}
.up{color:#b3261e}.down{color:#1b6e20}
.spark{vertical-align:middle}
.next li{margin:.3rem 0}
.pager{display:flex;flex-wrap:wrap;gap:.35rem;list-style:none;padding:0}
.pager a,.pager span{display:inline-block;min-width:2.2rem;text-align:center;padding:.2rem .5rem;border:1px solid #c4c7c5;border-radius:3px}
.pager [aria-current]{background:#0b57d0;color:#fff;border-color:#0b57d0;font-weight:700}
th a{color:#1f1f1f}
.bad{color:#b3261e;font-weight:600}
.conflict{border:2px solid #b3261e;padding:.5rem 1rem;margin:0 0 1rem}
.grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(18rem,1fr));gap:.25rem 1.25rem}
@media (max-width:40rem){dl.facts{grid-template-columns:1fr}.who{margin-left:0}}
`;

/** For the Content-Security-Policy: only this exact stylesheet may apply, and no script at all. */
export const CSS_HASH = `sha256-${createHash('sha256').update(CSS).digest('base64')}`;

export const CSP = [
  "default-src 'none'",
  `style-src '${CSS_HASH}'`,
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** Pages that load htmx: our own script files only, never inline script, never eval. */
export const CSP_WITH_SCRIPT = `${CSP}; script-src 'self'; connect-src 'self'`;

export type NavKey = 'overview' | 'inventory' | 'sweeps' | 'import' | 'findings' | 'campaigns' | 'reports' | 'tokens' | null;

/** The areas of the workbench, in the order an audit runs. */
const NAV: Array<{ key: Exclude<NavKey, null>; href: string; label: UiKey }> = [
  { key: 'overview', href: '/', label: 'ui.nav.overview' },
  { key: 'inventory', href: '/inventory', label: 'ui.nav.inventory' },
  { key: 'sweeps', href: '/sweeps', label: 'ui.nav.sweeps' },
  { key: 'import', href: '/import', label: 'ui.nav.import' },
  { key: 'findings', href: '/findings', label: 'ui.nav.findings' },
  { key: 'campaigns', href: '/campaigns', label: 'ui.nav.campaigns' },
  { key: 'reports', href: '/reports', label: 'ui.nav.reports' },
  { key: 'tokens', href: '/tokens', label: 'ui.nav.tokens' },
];

/** htmx, served from node_modules by routes/assets.tsx; pages that use it still work without it. */
export const HTMX_VERSION = '2.0.11';
export const HTMX_PATH = `/assets/htmx.min.js?v=${HTMX_VERSION}`;
/** No eval, no script tags in swapped content, no injected indicator stylesheet (the CSP would refuse it). */
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, selfRequestsOnly: true });

export interface PageProps {
  t: T;
  lang: Lang;
  title: string;
  /** Path and query of this page, to switch language in place. */
  here: string;
  principal?: Principal | null;
  csrf?: string;
  nav?: NavKey;
  /** Loads htmx for progressive enhancement (live progress). */
  htmx?: boolean;
  /** Reloads the page every N seconds where script is off (live progress without JavaScript). */
  refreshSeconds?: number;
  children?: Child;
}

export function switchLangHref(here: string, to: Lang): string {
  const u = new URL(here, 'http://x');
  u.searchParams.set('lang', to);
  return `${u.pathname}${u.search}`;
}

/** The page frame: skip link, header with navigation and sign-out, main, footer. */
export const Page: FC<PageProps> = ({ t, lang, title, here, principal, csrf, nav, htmx, refreshSeconds, children }) => {
  const other: Lang = lang === 'zh' ? 'en' : 'zh';
  return (
    <html lang={htmlLang(lang)}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · ${t('ui.app')}`}</title>
        {/* A constant stylesheet, never user data. */}
        <style>{raw(CSS)}</style>
        <link rel="icon" href="/favicon.ico" />
        {htmx ? <meta name="htmx-config" content={HTMX_CONFIG} /> : null}
        {htmx ? <script src={HTMX_PATH} defer></script> : null}
        {refreshSeconds ? (
          <noscript>
            <meta http-equiv="refresh" content={String(refreshSeconds)} />
          </noscript>
        ) : null}
      </head>
      <body>
        <a class="skip" href="#main">
          {t('ui.skip')}
        </a>
        <header class="top">
          <div class="brand">
            {t('ui.app')}
            <small>{t('ui.app.tagline')}</small>
          </div>
          {principal ? (
            <nav aria-label={t('ui.nav.label')}>
              <ul>
                {NAV.map((n) => (
                  <li>
                    <a href={n.href} aria-current={nav === n.key ? 'page' : undefined}>
                      {t(n.label)}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          ) : null}
          <div class="who">
            {principal ? <span>{t('ui.signedInAs', { name: principal.name, role: principal.role })}</span> : null}
            {principal && csrf ? (
              <form method="post" action="/logout">
                <input type="hidden" name="_csrf" value={csrf} />
                <button type="submit">{t('ui.logout')}</button>
              </form>
            ) : null}
            <a href={switchLangHref(here, other)} lang={htmlLang(other)} hreflang={htmlLang(other)} title={t('ui.lang.switch.label')}>
              {t('ui.lang.switch')}
            </a>
          </div>
        </header>
        <main id="main" tabindex={-1}>
          <h1>{title}</h1>
          {children}
        </main>
        <footer>{t('ui.footer')}</footer>
      </body>
    </html>
  );
};

export const Badge: FC<{ t: T; prefix: string; value: string | null | undefined; cls?: string }> = ({ t, prefix, value, cls }) => (
  <span class={`badge ${cls ?? value ?? ''}`}>{label(t, prefix, value)}</span>
);

export const Notice: FC<{ kind?: 'ok' | 'warn' | 'error'; role?: 'status' | 'alert'; children?: Child }> = ({ kind, role, children }) => (
  <div class={`notice ${kind ?? ''}`} role={role ?? (kind === 'error' ? 'alert' : 'status')}>
    {children}
  </div>
);

export const Hidden: FC<{ name: string; value: string }> = ({ name, value }) => <input type="hidden" name={name} value={value} />;

export function fmtTime(d: Date | string | null | undefined, lang: Lang): string {
  if (!d) return '—';
  const date = typeof d === 'string' ? new Date(d) : d;
  if (Number.isNaN(date.getTime())) return '—';
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

export function fmtPct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`;
}

/** Only http(s) URLs become links; anything else is shown as text. */
export const SafeLink: FC<{ href: string | null | undefined; children?: Child }> = ({ href, children }) =>
  href && /^https?:\/\//i.test(href) ? (
    <a href={href} rel="noopener noreferrer nofollow">
      {children ?? href}
    </a>
  ) : (
    <span>{children ?? href ?? ''}</span>
  );
