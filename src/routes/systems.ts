import { createRoute, z } from '@hono/zod-openapi';
import { DEPLOYMENTS, LIFECYCLES, SYSTEM_STATUSES } from '../db/schema/enums.js';
import { etag, ifMatchVersion, router } from '../http/router.js';
import { createSystem, getSystem, retireSystem, updateSystem } from '../inventory/systems.js';
import { etagMatches, systemsListPage } from '../inventory/list-cache.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { systemCreateSchema, systemPatchSchema, systemSchema } from '../inventory/schemas.js';
import { codeParam, errorResponses, ifMatchHeader, json, jsonBody, security, writeErrorResponses } from './common.js';

const tags = ['Systems'];

const list = createRoute({
  method: 'get',
  path: '/systems',
  tags,
  security,
  summary: 'List systems',
  request: {
    query: z.object({
      department: z.string().max(64).optional().openapi({ description: 'department code; its descendants are included' }),
      lifecycle: z.enum(LIFECYCLES).optional(),
      deployment: z.enum(DEPLOYMENTS).optional(),
      status: z.enum(SYSTEM_STATUSES).optional(),
      tag: z.string().max(50).optional(),
      q: z.string().max(100).optional().openapi({ description: 'search in name, code and description' }),
      ...pageQuery,
    }),
  },
  responses: {
    200: json(pageOf(systemSchema, 'SystemPage'), 'A page of systems; its strong ETag changes when the page does'),
    304: { description: 'Not modified: If-None-Match named the current ETag' },
    ...errorResponses,
  },
});

const get = createRoute({
  method: 'get',
  path: '/systems/{code}',
  tags,
  security,
  summary: 'Get a system',
  request: { params: codeParam },
  responses: { 200: json(systemSchema, 'The system; ETag carries its version'), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/systems',
  tags,
  security,
  summary: 'Register a system',
  request: { body: jsonBody(systemCreateSchema) },
  responses: { 201: json(systemSchema, 'Created'), ...writeErrorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/systems/{code}',
  tags,
  security,
  summary: 'Change a system (If-Match honoured)',
  request: { params: codeParam, headers: ifMatchHeader, body: jsonBody(systemPatchSchema) },
  responses: { 200: json(systemSchema, 'Updated'), ...writeErrorResponses },
});

const retire = createRoute({
  method: 'delete',
  path: '/systems/{code}',
  tags,
  security,
  summary: 'Retire a system (its history is kept)',
  request: { params: codeParam, headers: ifMatchHeader },
  responses: { 200: json(systemSchema, 'Retired'), ...writeErrorResponses },
});

const actorOf = (c: { get: (k: 'principal' | 'requestId') => any }) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

export const systemRoutes = router()
  .openapi(list, async (c) => {
    // Rendered once per inventory version and cached; a client that has it gets a 304.
    const page = await systemsListPage(c.get('deps').db, c.get('principal'), c.req.valid('query'));
    const headers = { etag: page.etag, 'cache-control': 'private, no-cache' };
    if (etagMatches(c.req.header('if-none-match'), page.etag)) return c.body(null, 304, headers) as never;
    return c.body(page.body, 200, { ...headers, 'content-type': 'application/json' }) as never;
  })
  .openapi(get, async (c) => {
    const dto = await getSystem(c.get('deps').db, c.get('principal'), c.req.valid('param').code);
    c.header('ETag', etag(dto.version));
    return c.json(dto, 200);
  })
  .openapi(create, async (c) => {
    const dto = await createSystem(c.get('deps').db, actorOf(c), c.req.valid('json'));
    c.header('ETag', etag(dto.version));
    c.header('Location', `/api/v1/systems/${encodeURIComponent(dto.code)}`);
    return c.json(dto, 201);
  })
  .openapi(patch, async (c) => {
    const dto = await updateSystem(
      c.get('deps').db,
      actorOf(c),
      c.req.valid('param').code,
      c.req.valid('json'),
      ifMatchVersion(c.req.valid('header')['if-match']),
    );
    c.header('ETag', etag(dto.version));
    return c.json(dto, 200);
  })
  .openapi(retire, async (c) => {
    const dto = await retireSystem(c.get('deps').db, actorOf(c), c.req.valid('param').code, ifMatchVersion(c.req.valid('header')['if-match']));
    c.header('ETag', etag(dto.version));
    return c.json(dto, 200);
  });
