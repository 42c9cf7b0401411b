import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { isMessageKey, t as translate, type Lang, type MessageParams, type UiKey } from '../../i18n/index.js';

/** The pages' view of the one message catalogue (i18n/): `ui.*` keys. */
export type { Lang };
export type UiParams = MessageParams;
export type T = (key: UiKey, params?: UiParams) => string;

export function ui(lang: Lang, key: UiKey, params: UiParams = {}): string {
  return translate(lang, key, params);
}

export function translator(lang: Lang): T {
  return (key, params) => ui(lang, key, params);
}

/** A label for an enum value (`ui.status.zombie`), falling back to the raw value. */
export function label(t: T, prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return t('ui.unknown');
  const key = `${prefix}.${value}`;
  return key.startsWith('ui.') && isMessageKey(key) ? t(key as UiKey) : value;
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
