import { and, asc, eq, isNull, or, sql } from 'drizzle-orm';
import type { Dispatcher } from 'undici';
import type { Db } from '../db/client.js';
import { notifications, webhooks } from '../db/schema/index.js';
import { dingtalkBody, genericBody, mailText, wecomBody, type NotificationMessage } from './message.js';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { parseSmtpTarget, sendMail } from './smtp.js';
import { ProbeFailure } from '../../probes/outcome.js';
import type { EgressOptions } from '../../probes/egress.js';

export type WebhookRow = typeof webhooks.$inferSelect;

export interface NotifyResult {
  webhookId: number;
  webhookName: string;
  kind: string;
  /** `sent`: delivered now; `failed`: tried now and failed (retried on the next call); `duplicate`: already delivered, or being delivered by another call. */
  status: 'sent' | 'failed' | 'duplicate';
  /** `ok`, `http_error 500`, `rejected 93000 invalid webhook url`, `timeout`, `connect_refused`, … */
  outcome: string;
}

export interface Notifier {
  /**
   * Sends `message` about `event` to every enabled webhook subscribed to it, at most once per webhook and
   * `dedupeKey` (e.g. `campaign:3:department:371302:reminder:7d`). Every attempt is recorded in
   * `notifications`; failures are results, not exceptions, and a failed delivery is retried by the next
   * call with the same key.
   */
  notify(event: string, dedupeKey: string, message: NotificationMessage): Promise<NotifyResult[]>;
  /** Sends a test message to one webhook, bypassing dedupe; the outcome is recorded like any other. */
  test(webhookId: number, message: NotificationMessage): Promise<NotifyResult | null>;
}

export interface NotifierOptions {
  /**
   * Where deliveries may go: the policy-checked connector of probes/egress.ts with this policy (and
   * resolver). Default: NOTIFY_ALLOW_CIDRS / NOTIFY_DENY_CIDRS from the environment on top of the
   * default denials (link-local, cloud metadata). Loaded lazily: importing undici here would pull
   * node:sqlite into the Workers bundle.
   */
  egress?: EgressOptions;
  /** HTTP client that already enforces the policy (tests, or a runtime of its own); wins over `egress`. */
  fetch?: typeof globalThis.fetch;
  /** Passed to `fetch` when given. */
  dispatcher?: Dispatcher;
  now?: () => Date;
  /** Per delivery; default 10 s. */
  timeoutMs?: number;
  /** Mail: extra TLS settings (a test CA); the connection itself goes through `egress`. */
  smtp?: { tls?: ConnectionOptions };
}

/** A claim on a notification row lasts this long; a process that died mid-send is retried after it. */
const CLAIM_MS = 10 * 60_000;

export function subscribed(hook: Pick<WebhookRow, 'events' | 'enabled'>, event: string): boolean {
  if (!hook.enabled) return false;
  if (!hook.events.length) return true;
  return hook.events.some((e) => e === event || e === '*' || (e.endsWith('.*') && event.startsWith(e.slice(0, -1))));
}

/** The outcome of a blocked destination: one code, no address, port or reason (no port scanner). */
export const BLOCKED_OUTCOME = 'blocked_by_policy';

function errorOutcome(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string; name?: string }; message?: string };
  const failure = err instanceof ProbeFailure ? err : e?.cause instanceof ProbeFailure ? e.cause : undefined;
  if (failure) {
    if (failure.outcome === 'blocked_by_policy') return BLOCKED_OUTCOME;
    if (failure.outcome.startsWith('dns_')) return 'dns_error';
    if (failure.outcome === 'connect_timeout' || failure.outcome === 'timeout') return 'timeout';
    if (failure.outcome === 'tls_error') return 'tls_error';
    return `error ${failure.outcome}`;
  }
  const code = e?.cause?.code ?? e?.code;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError' || e?.cause?.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return 'timeout';
  if (code === 'ECONNREFUSED') return 'connect_refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection_reset';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns_error';
  return `error ${String(code ?? e?.message ?? err).slice(0, 200)}`;
}

export function createNotifier(db: Db, opts: NotifierOptions = {}): Notifier {
  const now = opts.now ?? (() => new Date());
  const timeoutMs = opts.timeoutMs ?? 10_000;
  let egress: Promise<{ fetch: typeof globalThis.fetch; hostAllowed: (host: string) => Promise<boolean>; connect: (host: string, port: number) => Promise<Socket> }> | undefined;
  const policyChecked = () =>
    (egress ??= import('../../probes/egress.js').then((m) => {
      const o = opts.egress ?? { policy: m.notifyPolicyFromEnv() };
      return { fetch: opts.fetch ?? m.createPolicyFetch({ connectTimeoutMs: timeoutMs, ...o }), hostAllowed: (host: string) => m.hostAllowed(o, host), connect: (host: string, port: number) => m.connectThroughPolicy({ connectTimeoutMs: timeoutMs, ...o }, host, port) };
    }));

  async function postJson(url: string, body: unknown, checkErrcode: boolean): Promise<string> {
    try {
      const { fetch: doFetch } = await policyChecked();
      const res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'xuncha-notify/1' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        // A receiver does not send us elsewhere: a 3xx is an answer (http_error 302), not a new target.
        redirect: 'manual',
        ...(opts.dispatcher ? { dispatcher: opts.dispatcher } : {}),
      });
      const text = (await res.text()).slice(0, 2000);
      if (!res.ok) return `http_error ${res.status}`;
      if (checkErrcode) {
        // WeCom and DingTalk answer 200 with {errcode, errmsg}; errcode 0 is success.
        try {
          const parsed = JSON.parse(text) as { errcode?: number; errmsg?: string };
          if (typeof parsed.errcode === 'number' && parsed.errcode !== 0) return `rejected ${parsed.errcode} ${String(parsed.errmsg ?? '').slice(0, 200)}`.trim();
        } catch {
          /* a 200 with a body that is not JSON: accept */
        }
      }
      return 'ok';
    } catch (err) {
      return errorOutcome(err);
    }
  }

  async function deliver(hook: WebhookRow, event: string, dedupeKey: string, message: NotificationMessage, at: Date): Promise<string> {
    switch (hook.kind) {
      case 'wecom':
        return postJson(hook.url, wecomBody(message), true);
      case 'dingtalk':
        return postJson(hook.url, dingtalkBody(message), true);
      case 'generic':
        return postJson(hook.url, genericBody(event, dedupeKey, at, message), false);
      case 'smtp': {
        const target = parseSmtpTarget(hook.url, hook.target);
        if (!target) return 'error bad smtp target';
        const mail = mailText(message);
        try {
          // nodemailer speaks SMTP over the policy-checked socket of probes/egress.ts.
          const { connect } = await policyChecked();
          return await sendMail(target, mail.subject, mail.body, at, { timeoutMs, connect, ...opts.smtp });
        } catch (err) {
          return errorOutcome(err);
        }
      }
      default:
        return `error unknown kind ${hook.kind}`;
    }
  }

  /** Takes the (webhook, key) row for this call: a new row, or a failed or abandoned earlier attempt. */
  async function claim(hook: WebhookRow, event: string, dedupeKey: string, message: NotificationMessage, at: Date): Promise<number | null> {
    const sending = `sending@${at.toISOString()}`;
    const payload = { message };
    const [inserted] = await db
      .insert(notifications)
      .values({ webhookId: hook.id, event, dedupeKey, payload, outcome: sending, createdAt: at })
      .onConflictDoNothing()
      .returning({ id: notifications.id });
    if (inserted) return inserted.id;
    const staleBefore = `sending@${new Date(at.getTime() - CLAIM_MS).toISOString()}`;
    const [retried] = await db
      .update(notifications)
      .set({ outcome: sending, payload })
      .where(
        and(
          eq(notifications.webhookId, hook.id),
          eq(notifications.dedupeKey, dedupeKey),
          isNull(notifications.sentAt),
          or(isNull(notifications.outcome), sql`${notifications.outcome} not like 'sending@%'`, sql`${notifications.outcome} < ${staleBefore}`),
        ),
      )
      .returning({ id: notifications.id });
    return retried?.id ?? null;
  }

  async function sendOne(hook: WebhookRow, event: string, dedupeKey: string, message: NotificationMessage, dedupe: boolean): Promise<NotifyResult> {
    const at = now();
    const base = { webhookId: hook.id, webhookName: hook.name, kind: hook.kind };
    let id: number | null;
    if (dedupe) {
      id = await claim(hook, event, dedupeKey, message, at);
      if (id === null) return { ...base, status: 'duplicate', outcome: 'already sent' };
    } else {
      const [row] = await db
        .insert(notifications)
        .values({ webhookId: hook.id, event, dedupeKey: `${dedupeKey}:${at.getTime()}`, payload: { message }, outcome: `sending@${at.toISOString()}`, createdAt: at })
        .returning({ id: notifications.id });
      id = row!.id;
    }
    const outcome = await deliver(hook, event, dedupeKey, message, at);
    await db
      .update(notifications)
      .set({ outcome, sentAt: outcome === 'ok' ? now() : null })
      .where(eq(notifications.id, id));
    return { ...base, status: outcome === 'ok' ? 'sent' : 'failed', outcome };
  }

  return {
    async notify(event, dedupeKey, message) {
      const hooks = (await db.select().from(webhooks).where(eq(webhooks.enabled, true)).orderBy(asc(webhooks.id))).filter((h) => subscribed(h, event));
      return Promise.all(hooks.map((h) => sendOne(h, event, dedupeKey, message, true)));
    },
    async test(webhookId, message) {
      const [hook] = await db.select().from(webhooks).where(eq(webhooks.id, webhookId));
      if (!hook) return null;
      return sendOne(hook, 'webhook.test', `webhook:${webhookId}:test`, message, false);
    },
  };
}
