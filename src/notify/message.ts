import { WEBHOOK_KINDS } from '../db/schema/enums.js';
/**
 * One notification, as every channel needs it: an event name, a Chinese title and text (the default
 * language of our users), optionally English, a link to the page that explains it, and structured data
 * for machine receivers. Channel formats are built from it here, as pure functions.
 */
export interface NotificationMessage {
  /** Chinese title, one line. */
  title: string;
  /** Chinese body: plain lines; `**bold**` and `[text](url)` are kept as markdown where the channel has it. */
  text: string;
  en?: { title: string; text: string };
  /** Absolute URL of the page to act on (never a credential such as a department link). */
  link?: string;
  /** Ids, codes and counts for `generic` receivers. */
  data?: Record<string, unknown>;
}

export { WEBHOOK_KINDS };
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

/** WeCom (企业微信) group robots refuse markdown over 4096 bytes. */
const WECOM_MAX_BYTES = 4096;
/** DingTalk robots take up to 20000 characters; stay well under. */
const DINGTALK_MAX_CHARS = 15000;

function markdown(m: NotificationMessage, linkLabel = '查看详情'): string {
  const lines = [`### ${m.title}`, '', m.text.trim()];
  if (m.link) lines.push('', `[${linkLabel}](${m.link})`);
  return lines.join('\n');
}

function truncateBytes(s: string, max: number): string {
  const bytes = Buffer.from(s, 'utf8');
  if (bytes.length <= max) return s;
  // Cut on a character boundary and say so.
  let cut = bytes.subarray(0, max - 8).toString('utf8');
  if (cut.endsWith('\uFFFD')) cut = cut.slice(0, -1);
  return `${cut}\n……`;
}

export function wecomBody(m: NotificationMessage) {
  return { msgtype: 'markdown', markdown: { content: truncateBytes(markdown(m), WECOM_MAX_BYTES) } };
}

export function dingtalkBody(m: NotificationMessage) {
  const text = markdown(m);
  return { msgtype: 'markdown', markdown: { title: m.title.slice(0, 100), text: text.length > DINGTALK_MAX_CHARS ? `${text.slice(0, DINGTALK_MAX_CHARS)}\n……` : text } };
}

export function genericBody(event: string, dedupeKey: string, at: Date, m: NotificationMessage) {
  return {
    event,
    dedupeKey,
    at: at.toISOString(),
    title: m.title,
    text: m.text,
    ...(m.en ? { en: m.en } : {}),
    link: m.link ?? null,
    data: m.data ?? {},
  };
}

/** The e-mail text: Chinese first, then English when given. */
export function mailText(m: NotificationMessage): { subject: string; body: string } {
  const parts = [m.text.trim()];
  if (m.link) parts.push('', m.link);
  if (m.en) parts.push('', '----', m.en.title, '', m.en.text.trim());
  return { subject: m.title, body: parts.join('\n') };
}
