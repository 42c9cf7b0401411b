/**
 * Outgoing notifications: WeCom and DingTalk group robots, generic JSON webhooks and plain SMTP.
 *
 *   const notifier = createNotifier(db, { now, dispatcher });
 *   await notifier.notify('finding.reminder', `finding:${id}:reminder:7d`, { title, text, en, link, data });
 *
 * Each (webhook, dedupeKey) is delivered at most once; outcomes are stored in `notifications`.
 */
export { createNotifier, subscribed, type Notifier, type NotifierOptions, type NotifyResult, type WebhookRow } from './notifier.js';
export { WEBHOOK_KINDS, dingtalkBody, genericBody, mailText, wecomBody, type NotificationMessage, type WebhookKind } from './message.js';
export { createWebhook, deleteWebhook, listWebhooks, maskUrl, webhookCreateSchema, webhookSchema, type WebhookCreate, type WebhookDto } from './webhooks.js';
export { parseSmtpTarget, type SmtpTarget } from './smtp.js';

import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { notFound } from '../errors.js';
import { createNotifier as notifierOf, type NotifierOptions as Options } from './notifier.js';

/** Sends a test message to one webhook now; a failed delivery is a result, not an error. */
export async function testWebhook(db: Db, principal: Principal, id: number, opts: Options = {}) {
  requirePermission(principal, 'webhooks');
  const result = await notifierOf(db, opts).test(id, {
    title: '巡查通知测试',
    text: '这是一条测试消息：巡查系统可以向此处发送提醒。',
    en: { title: 'Xuncha test notification', text: 'This is a test: Xuncha can send reminders here.' },
  });
  if (!result) throw notFound(`webhook ${id}`);
  return { status: result.status, outcome: result.outcome };
}
