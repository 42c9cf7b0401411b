import { createRoute, z } from '@hono/zod-openapi';
import { router } from '../http/router.js';
import { externalIdSchema, resourceCreateSchema, resourceSchema, utilisationDaySchema, utilisationPointSchema } from '../resources/schemas.js';
import { listResources, listSystemResources, pushUtilisation, putSystemResource, resourceUtilisationDays } from '../resources/service.js';
import { codeParam, errorResponses, json, jsonBody, security, writeErrorResponses } from './common.js';

const tags = ['Cloud resources'];

const externalIdParam = z.object({ externalId: externalIdSchema.openapi({ param: { name: 'externalId', in: 'path' } }) });

const listOfSystem = createRoute({
  method: 'get',
  path: '/systems/{code}/resources',
  tags,
  security,
  summary: 'Cloud resources of a system',
  request: { params: codeParam },
  responses: { 200: json(z.object({ items: z.array(resourceSchema) }), 'Resources'), ...errorResponses },
});

const putOfSystem = createRoute({
  method: 'post',
  path: '/systems/{code}/resources',
  tags,
  security,
  summary: 'Register a cloud resource for a system (the same externalId on the same system updates it)',
  request: { params: codeParam, body: jsonBody(resourceCreateSchema) },
  responses: { 201: json(resourceSchema, 'Registered'), 200: json(resourceSchema, 'Updated'), ...writeErrorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/resources',
  tags,
  security,
  summary: 'Cloud resources; `orphans=true`: only those tied to no system',
  request: {
    query: z.object({
      orphans: z.enum(['true', 'false']).optional().transform((v) => (v === undefined ? undefined : v === 'true')),
      system: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
      cursor: z.string().max(200).optional().openapi({ description: 'nextCursor of the previous page' }),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(resourceSchema), nextCursor: z.string().nullable() }).openapi('ResourcePage'), 'A page of resources'), ...errorResponses },
});

const pushDays = createRoute({
  method: 'post',
  path: '/resources/{externalId}/utilisation',
  tags,
  security,
  summary: 'Push daily utilisation; the same day replaces, never adds',
  request: { params: externalIdParam, body: jsonBody(z.array(utilisationPointSchema).min(1).max(5000).openapi('UtilisationPoints')) },
  responses: { 200: json(z.object({ stored: z.number().int() }), 'Stored'), ...writeErrorResponses },
});

const getDays = createRoute({
  method: 'get',
  path: '/resources/{externalId}/utilisation',
  tags,
  security,
  summary: 'Daily utilisation of a resource (days missing evidence carry `missingReason`)',
  request: { params: externalIdParam, query: z.object({ since: z.string().date().optional(), until: z.string().date().optional() }) },
  responses: { 200: json(z.object({ items: z.array(utilisationDaySchema) }), 'Utilisation'), ...errorResponses },
});

const actorOf = (c: { get: (k: 'principal' | 'requestId') => any }) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

export const resourceRoutes = router()
  .openapi(listOfSystem, async (c) => c.json({ items: await listSystemResources(c.get('deps').db, c.get('principal'), c.req.valid('param').code) }, 200))
  .openapi(putOfSystem, async (c) => {
    const { resource, created } = await putSystemResource(c.get('deps').db, actorOf(c), c.req.valid('param').code, c.req.valid('json'));
    return created ? c.json(resource, 201) : c.json(resource, 200);
  })
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    return c.json(await listResources(c.get('deps').db, c.get('principal'), { orphans: q.orphans, system: q.system, limit: q.limit, afterExternalId: q.cursor }), 200);
  })
  .openapi(pushDays, async (c) => {
    const stored = await pushUtilisation(c.get('deps').db, actorOf(c), c.req.valid('param').externalId, c.req.valid('json'), c.get('deps').now());
    return c.json({ stored }, 200);
  })
  .openapi(getDays, async (c) => c.json({ items: await resourceUtilisationDays(c.get('deps').db, c.get('principal'), c.req.valid('param').externalId, c.req.valid('query')) }, 200));
