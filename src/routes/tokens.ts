import { createRoute, z } from '@hono/zod-openapi';
import { createAuditedToken, listTokens, revokeAuditedToken } from '../auth/tokens.js';
import { ROLES } from '../db/schema/enums.js';
import { router } from '../http/router.js';
import { codeSchema } from '../http/schemas.js';
import { errorResponses, json, jsonBody, security } from './common.js';

const tags = ['Tokens'];

const tokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    role: z.enum(ROLES),
    departmentCode: z.string().nullable(),
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .openapi('Token');

const createSchema = z
  .object({ role: z.enum(ROLES), name: z.string().trim().min(1).max(100), departmentCode: codeSchema.nullish() })
  .strict()
  .openapi('TokenCreate');

const list = createRoute({
  method: 'get',
  path: '/tokens',
  tags,
  security,
  summary: 'List API tokens (never the secrets)',
  responses: { 200: json(z.object({ items: z.array(tokenSchema) }), 'Tokens'), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/tokens',
  tags,
  security,
  summary: 'Create a token; the secret is returned once',
  request: { body: jsonBody(createSchema) },
  responses: { 201: json(z.object({ id: z.number().int(), token: z.string() }), 'The new token, shown once'), ...errorResponses },
});

const revoke = createRoute({
  method: 'delete',
  path: '/tokens/{id}',
  tags,
  security,
  summary: 'Revoke a token',
  request: { params: z.object({ id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 204: { description: 'Revoked' }, ...errorResponses },
});

const actorOf = (c: { get: (k: 'principal' | 'requestId') => any }) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

export const tokenRoutes = router()
  .openapi(list, async (c) => {
    const rows = await listTokens(c.get('deps').db, c.get('principal'));
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    return c.json({ items: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString(), lastUsedAt: iso(r.lastUsedAt), revokedAt: iso(r.revokedAt) })) }, 200);
  })
  .openapi(create, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(await createAuditedToken(c.get('deps').db, actorOf(c), c.req.valid('json')), 201);
  })
  .openapi(revoke, async (c) => {
    const { db, now, verifier } = c.get('deps');
    await revokeAuditedToken(db, actorOf(c), c.req.valid('param').id, now());
    verifier.forget();
    return c.body(null, 204);
  });
