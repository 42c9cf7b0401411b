import { z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { webhooks } from '../db/schema/index.js';
import { notFound } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { WEBHOOK_KINDS } from './message.js';
import { parseSmtpTarget } from './smtp.js';

export const webhookCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(100),
    kind: z.enum(WEBHOOK_KINDS),
    url: z.string().trim().min(1).max(2048).openapi({ description: 'http(s) URL of the robot or receiver; for smtp `smtp://host:port?from=addr`' }),
    target: z.string().trim().max(1000).nullish().openapi({ description: 'smtp only: comma list of recipients' }),
    events: z
      .array(z.string().trim().min(1).max(100).regex(/^[a-z*][a-z0-9_.*]*$/, 'an event name such as campaign.reminder, or a prefix such as campaign.*'))
      .max(50)
      .default([])
      .openapi({ description: 'events to receive; empty means all' }),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.kind === 'smtp') {
      if (!parseSmtpTarget(v.url, v.target)) {
        ctx.addIssue({ code: 'custom', path: v.target ? ['url'] : ['target'], message: 'smtp needs url smtp://host[:port][?from=addr] and target with recipient addresses' });
      }
      return;
    }
    let ok = false;
    try {
      ok = /^https?:$/.test(new URL(v.url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an http:// or https:// URL' });
  })
  .openapi('WebhookCreate');

export type WebhookCreate = z.infer<typeof webhookCreateSchema>;

export const webhookSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(WEBHOOK_KINDS),
    url: z.string().openapi({ description: 'with secrets in the query (key, access_token, …) masked' }),
    target: z.string().nullable(),
    events: z.array(z.string()),
    enabled: z.boolean(),
    createdAt: z.string(),
  })
  .openapi('Webhook');

export type WebhookDto = z.infer<typeof webhookSchema>;

/** Robot URLs carry their secret in the query (`?key=`, `?access_token=`): never echo it back whole. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    for (const [k, v] of [...u.searchParams]) if (k !== 'from') u.searchParams.set(k, v.length > 8 ? `****${v.slice(-4)}` : '****');
    return decodeURIComponent(u.toString());
  } catch {
    return '****';
  }
}

function toDto(r: typeof webhooks.$inferSelect): WebhookDto {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind as WebhookDto['kind'],
    url: maskUrl(r.url),
    target: r.target,
    events: r.events,
    enabled: r.enabled,
    createdAt: r.createdAt.toISOString(),
  };
}

export async function listWebhooks(db: Db): Promise<WebhookDto[]> {
  return (await db.select().from(webhooks).orderBy(asc(webhooks.id))).map(toDto);
}

export async function createWebhook(db: Db, actor: Actor, input: WebhookCreate): Promise<WebhookDto> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhooks)
      .values({ name: input.name, kind: input.kind, url: input.url, target: input.target ?? null, events: [...new Set(input.events)], enabled: input.enabled })
      .returning();
    const dto = toDto(row!);
    await recordAudit(tx, actor, { action: 'create', entity: 'webhook', entityId: String(dto.id), after: dto });
    return dto;
  });
}

export async function deleteWebhook(db: Db, actor: Actor, id: number): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx.delete(webhooks).where(eq(webhooks.id, id)).returning();
    if (!row) throw notFound(`webhook ${id}`);
    await recordAudit(tx, actor, { action: 'delete', entity: 'webhook', entityId: String(id), before: toDto(row) });
  });
}
