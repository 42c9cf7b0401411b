import { createRoute, z } from '@hono/zod-openapi';
import { requirePermission } from '../auth/access.js';
import { DEPARTMENT_LEVELS } from '../db/schema/enums.js';
import { etag, ifMatchVersion, router } from '../http/router.js';
import { createDepartment, getDepartment, listDepartments, updateDepartment } from '../inventory/departments.js';
import { departmentCreateSchema, departmentPatchSchema, departmentSchema } from '../inventory/schemas.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { codeParam, errorResponses, ifMatchHeader, json, jsonBody, security, writeErrorResponses } from './common.js';

const tags = ['Departments'];

const list = createRoute({
  method: 'get',
  path: '/departments',
  tags,
  security,
  summary: 'List departments',
  request: {
    query: z.object({
      parent: z.string().max(64).optional().openapi({ description: 'direct children of this department' }),
      under: z.string().max(64).optional().openapi({ description: 'this department and all its descendants' }),
      level: z.enum(DEPARTMENT_LEVELS).optional(),
      q: z.string().max(100).optional(),
      ...pageQuery,
    }),
  },
  responses: { 200: json(pageOf(departmentSchema, 'DepartmentPage'), 'A page of departments'), ...errorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/departments/{code}',
  tags,
  security,
  summary: 'Get a department',
  request: { params: codeParam },
  responses: { 200: json(departmentSchema, 'The department; ETag carries its version'), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/departments',
  tags,
  security,
  summary: 'Create a department',
  request: { body: jsonBody(departmentCreateSchema) },
  responses: { 201: json(departmentSchema, 'Created'), ...writeErrorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/departments/{code}',
  tags,
  security,
  summary: 'Change a department (If-Match honoured)',
  request: { params: codeParam, headers: ifMatchHeader, body: jsonBody(departmentPatchSchema) },
  responses: { 200: json(departmentSchema, 'Updated'), ...writeErrorResponses },
});

export const departmentRoutes = router()
  .openapi(list, async (c) => {
    requirePermission(c.get('principal'), 'read');
    return c.json(await listDepartments(c.get('deps').db, c.req.valid('query')), 200);
  })
  .openapi(get, async (c) => {
    requirePermission(c.get('principal'), 'read');
    const dto = await getDepartment(c.get('deps').db, c.req.valid('param').code);
    c.header('ETag', etag(dto.version));
    return c.json(dto, 200);
  })
  .openapi(create, async (c) => {
    const principal = c.get('principal');
    requirePermission(principal, 'departments');
    const dto = await createDepartment(c.get('deps').db, { principal, requestId: c.get('requestId') }, c.req.valid('json'));
    c.header('ETag', etag(dto.version));
    c.header('Location', `/api/v1/departments/${encodeURIComponent(dto.code)}`);
    return c.json(dto, 201);
  })
  .openapi(patch, async (c) => {
    const principal = c.get('principal');
    requirePermission(principal, 'departments');
    const dto = await updateDepartment(
      c.get('deps').db,
      { principal, requestId: c.get('requestId') },
      c.req.valid('param').code,
      c.req.valid('json'),
      ifMatchVersion(c.req.valid('header')['if-match']),
    );
    c.header('ETag', etag(dto.version));
    return c.json(dto, 200);
  });
