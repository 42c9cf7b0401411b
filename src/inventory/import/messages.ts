import { t, type Lang, type MessageKey, type MessageParams } from '../../../i18n/index.js';

/**
 * A problem as a catalogue message: the API keeps answering in English (`message`), the pages show the
 * same problem in the reader's language from `key` and `params`.
 */
export interface Localized {
  key: MessageKey;
  params?: MessageParams;
}

export function inLang(lang: Lang, m: Localized): string {
  const p = m.params ?? {};
  if (typeof p.problemKey !== 'string') return t(lang, m.key, p);
  const inner: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p)) if (k.startsWith('p_')) inner[k.slice(2)] = v;
  return t(lang, m.key, { ...p, problem: t(lang, p.problemKey as MessageKey, inner) });
}

export const english = (m: Localized): string => inLang('en', m);

/** A message around another one (`{problem}`), both translated when shown. */
export function nested(key: MessageKey, params: MessageParams, inner: Localized): Localized {
  const prefixed: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(inner.params ?? {})) prefixed[`p_${k}`] = v;
  return { key, params: { ...params, ...prefixed, problemKey: inner.key, problem: t('en', inner.key, inner.params ?? {}) } };
}

/** The custom messages of our zod schemas (src/inventory/schemas.ts, src/campaigns/schemas.ts) by their English text. */
const CUSTOM: Record<string, MessageKey> = {
  required: 'validation.required',
  'digits, spaces, "+", "-" and parentheses only': 'validation.phoneChars',
  'at least 5 digits': 'validation.phoneDigits',
  'must be an http:// or https:// URL': 'validation.url',
  'must be a date YYYY-MM-DD': 'validation.date',
  'not a real date': 'validation.date',
};

interface IssueLike {
  code?: string;
  message: string;
  minimum?: unknown;
  maximum?: unknown;
  origin?: string;
  format?: string;
  expected?: string;
  input?: unknown;
}

/** A zod issue (v4) as a catalogue message, so a form can say what is wrong in Chinese. */
export function issueMessage(issue: IssueLike): Localized {
  const custom = CUSTOM[issue.message];
  if (custom) return { key: custom };
  switch (issue.code) {
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? { key: 'validation.required' } : { key: 'validation.tooShort', params: { min: String(issue.minimum) } };
      if (issue.origin === 'array' && Number(issue.minimum) >= 1) return { key: 'validation.required' };
      return { key: 'validation.tooSmall', params: { min: String(issue.minimum) } };
    case 'too_big':
      if (issue.origin === 'string') return { key: 'validation.tooLong', params: { max: String(issue.maximum) } };
      if (issue.origin === 'array') return { key: 'validation.tooMany', params: { max: String(issue.maximum) } };
      return { key: 'validation.tooBig', params: { max: String(issue.maximum) } };
    case 'invalid_format':
      if (issue.format === 'email') return { key: 'validation.email' };
      if (issue.format === 'url') return { key: 'validation.url' };
      if (issue.format === 'date') return { key: 'validation.date' };
      return { key: 'validation.invalid' };
    case 'invalid_type':
      if (issue.input === undefined || issue.input === null || issue.input === '') return { key: 'validation.required' };
      if (issue.expected === 'int' || issue.expected === 'number') return { key: 'validation.integer' };
      return { key: 'validation.invalid' };
    case 'invalid_value':
      return { key: 'validation.choice' };
    default:
      return { key: 'validation.invalid' };
  }
}
