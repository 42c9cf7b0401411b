import { en } from './en.js';
import { uiEn } from './ui-en.js';
import { uiZh, type UiKey } from './ui-zh.js';
import { zh, type ReportKey } from './zh.js';

/**
 * Message catalogues for user-facing text. Simplified Chinese is the default; English is available.
 *
 * One catalogue per language, kept in two files each: reports, verdicts and notifications in `zh.ts` /
 * `en.ts`, the pages in `ui-zh.ts` / `ui-en.ts` (every key there starts with `ui.`). Keys are flat dotted
 * strings ("status.zombie", "ui.nav.inventory"), grouped by prefix. To add a message, add it to both
 * languages: each English file is typed against its Chinese one, so a key missing from either is a
 * compile error.
 *
 * Placeholders: `{name}` is replaced by the param `name`; `{name:prefix}` looks the param's value up as
 * the message `prefix.value` (e.g. `{deployment:deployment}` with `deployment: 'gov_cloud'` renders
 * `deployment.gov_cloud`), falling back to the raw value. A missing param is left visible as `{name}`.
 */
export type MessageKey = ReportKey | UiKey;
export type { UiKey };

export const LANGS = ['zh', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'zh';

export type MessageParams = Readonly<Record<string, string | number>>;

const catalogues: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { zh: { ...zh, ...uiZh }, en: { ...en, ...uiEn } };

export function isLang(value: unknown): value is Lang {
  return value === 'zh' || value === 'en';
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.prototype.hasOwnProperty.call(catalogues.zh, value);
}

/** The catalogue of one language, for callers that want to iterate keys. */
export function catalogue(lang: Lang): Readonly<Record<MessageKey, string>> {
  return catalogues[lang];
}

export function t(lang: Lang, key: MessageKey, params: MessageParams = {}): string {
  const template = catalogues[lang][key] ?? catalogues.zh[key] ?? key;
  return template.replace(/\{([A-Za-z0-9_]+)(?::([A-Za-z0-9_.]+))?\}/g, (whole, name: string, prefix: string | undefined) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return whole;
    const value = String(params[name]);
    if (prefix) {
      const nested = `${prefix}.${value}`;
      if (isMessageKey(nested)) return catalogues[lang][nested];
    }
    return value;
  });
}
