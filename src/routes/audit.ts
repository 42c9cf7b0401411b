import { createRoute, z } from '@hono/zod-openapi';
import { requirePermission } from '../auth/access.js';
import { router } from '../http/router.js';
import { listAudit } from '../audit/index.js';
import { decodeCursor, page } from '../http/pagination.js';
import { errorResponses, json, security } from './common.js';

const entrySchema = z
  .object({
    id: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    entity: z.string(),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
  })
  .openapi('AuditEntry');

const list = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['Audit'],
  security,
  summary: 'The audit trail: who changed what, with before and after',
  request: {
    query: z.object({
      entity: z.string().max(50).optional().openapi({ example: 'system' }),
      entityId: z.string().max(200).optional(),
      since: z.string().datetime({ offset: true }).or(z.string().date()).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z.string().max(200).optional(),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }), 'Entries, oldest first'), ...errorResponses },
});

export const auditRoutes = router().openapi(list, async (c) => {
  requirePermission(c.get('principal'), 'audit');
  const q = c.req.valid('query');
  const rows = await listAudit(c.get('deps').db, {
    entity: q.entity,
    entityId: q.entityId,
    since: q.since ? new Date(q.since) : undefined,
    afterId: decodeCursor(q.cursor),
    limit: q.limit + 1,
  });
  return c.json(
    page(rows, q.limit, (r) => ({ ...r, at: r.at.toISOString() })),
    200,
  );
});
