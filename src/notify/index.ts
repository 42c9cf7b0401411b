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
