import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { uiEn } from '../i18n/ui-en.js';
import { uiZh, type UiKey } from '../i18n/ui-zh.js';

/** Same languages and placeholder grammar as the report catalogues in src/i18n. */
export type Lang = 'zh' | 'en';
export type UiParams = Readonly<Record<string, string | number>>;
export type T = (key: UiKey, params?: UiParams) => string;

const catalogues: Record<Lang, Readonly<Record<UiKey, string>>> = { zh: uiZh, en: uiEn };

function isUiKey(k: string): k is UiKey {
  return Object.prototype.hasOwnProperty.call(uiZh, k);
}

export function ui(lang: Lang, key: UiKey, params: UiParams = {}): string {
  const template = catalogues[lang][key] ?? uiZh[key] ?? key;
  return template.replace(/\{([A-Za-z0-9_]+)(?::([A-Za-z0-9_.]+))?\}/g, (whole, name: string, prefix: string | undefined) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = String(params[name]);
    if (prefix) {
      const nested = `${prefix}.${value}`;
      if (isUiKey(nested)) return catalogues[lang][nested];
    }
    return value;
  });
}

export function translator(lang: Lang): T {
  return (key, params) => ui(lang, key, params);
}

/** A label for an enum value (`ui.status.zombie`), falling back to the raw value. */
export function label(t: T, prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return t('ui.unknown');
  const key = `${prefix}.${value}`;
  return isUiKey(key) ? t(key) : value;
}

const LANG_COOKIE = 'xc_lang';

/** `?lang=en|zh` switches and is remembered in a cookie; Chinese otherwise. */
export function pickLang(c: Context): Lang {
  const q = c.req.query('lang');
  if (q === 'en' || q === 'zh') {
    setCookie(c, LANG_COOKIE, q, { path: '/', sameSite: 'Lax', maxAge: 365 * 86400, httpOnly: true, secure: isHttps(c) });
    return q;
  }
  const v = getCookie(c, LANG_COOKIE);
  return v === 'en' ? 'en' : 'zh';
}

export function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

export const htmlLang = (lang: Lang) => (lang === 'zh' ? 'zh-CN' : 'en');
