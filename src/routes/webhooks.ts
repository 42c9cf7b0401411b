import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../http/env.js';
import { router } from '../http/router.js';
import { createWebhook, deleteWebhook, listWebhooks, testWebhook, webhookCreateSchema, webhookSchema } from '../notify/index.js';
import { errorResponses, json, jsonBody, security, writeErrorResponses } from './common.js';

const tags = ['Notifications'];
const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) });
const actorOf = (c: Context<AppEnv>) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

const list = createRoute({
  method: 'get',
  path: '/webhooks',
  tags,
  security,
  summary: 'List notification webhooks (secrets in URLs masked)',
  responses: { 200: json(z.object({ items: z.array(webhookSchema) }), 'Webhooks'), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/webhooks',
  tags,
  security,
  summary: 'Add a WeCom, DingTalk, generic JSON or SMTP receiver',
  request: { body: jsonBody(webhookCreateSchema) },
  responses: { 201: json(webhookSchema, 'Created'), ...writeErrorResponses },
});

const remove = createRoute({
  method: 'delete',
  path: '/webhooks/{id}',
  tags,
  security,
  summary: 'Remove a webhook (its delivery records stay)',
  request: { params: idParam },
  responses: { 204: { description: 'Removed' }, ...errorResponses },
});

const test = createRoute({
  method: 'post',
  path: '/webhooks/{id}/test',
  tags,
  security,
  summary: 'Send a test message now and report the outcome',
  request: { params: idParam },
  responses: {
    200: json(z.object({ status: z.enum(['sent', 'failed', 'duplicate']), outcome: z.string() }), 'Outcome (a failed delivery is a result, not an error)'),
    ...errorResponses,
  },
});

export const webhookRoutes = router()
  .openapi(list, async (c) => {
    return c.json({ items: await listWebhooks(c.get('deps').db, c.get('principal')) }, 200);
  })
  .openapi(create, async (c) => {
    const dto = await createWebhook(c.get('deps').db, actorOf(c), c.req.valid('json'));
    c.header('Location', `/api/v1/webhooks/${dto.id}`);
    return c.json(dto, 201);
  })
  .openapi(remove, async (c) => {
    await deleteWebhook(c.get('deps').db, actorOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  })
  .openapi(test, async (c) => {
    const { db, now } = c.get('deps');
    return c.json(await testWebhook(db, c.get('principal'), c.req.valid('param').id, { now }), 200);
  });
