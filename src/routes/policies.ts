import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { requirePermission, requireScope } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import { AppError, notFound } from '../errors.js';
import type { AppEnv } from '../http/env.js';
import { router } from '../http/router.js';
import { findSystem } from '../inventory/systems.js';
import { codeSchema } from '../http/schemas.js';
import { activatePolicy, createPolicy, getSystemPolicy, listPolicies, putSystemPolicy } from '../verdicts/policies.js';
import { codeParam, errorResponses, json, jsonBody, security, writeErrorResponses } from './common.js';

const tags = ['Policies'];

function requireOps(p: Principal): void {
  if (p.role !== 'admin' && p.role !== 'auditor') throw new AppError('forbidden', `role ${p.role} may not change classification policies`);
}

const actorOf = (c: Context<AppEnv>) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

const policyDto = z
  .object({
    version: z.string(),
    active: z.boolean(),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    body: z.record(z.string(), z.unknown()).openapi({ description: 'every threshold, defaults filled in' }),
  })
  .openapi('Policy');

const list = createRoute({
  method: 'get',
  path: '/policies',
  tags,
  security,
  summary: 'Classification policy versions and which one is active',
  responses: {
    200: json(
      z.object({ items: z.array(policyDto), active: z.string().nullable(), effective: z.string().openapi({ description: 'version used by the next classification' }) }),
      'Policies, oldest first',
    ),
    ...errorResponses,
  },
});

const create = createRoute({
  method: 'post',
  path: '/policies',
  tags,
  security,
  summary: 'Store a new policy version (admin, auditor); thresholds not given take the defaults',
  request: {
    query: z.object({ activate: z.enum(['true', 'false']).optional().openapi({ description: 'also make it the active policy' }) }),
    body: jsonBody(
      z
        .record(z.string(), z.unknown())
        .openapi('PolicyInput', { example: { version: '2026-12-strict', zombie: { unreachableDays: 21 }, semiZombie: { availabilityMin: 0.97 } } }),
    ),
  },
  responses: { 201: json(policyDto, 'Stored'), ...writeErrorResponses },
});

const activate = createRoute({
  method: 'post',
  path: '/policies/{version}/activate',
  tags,
  security,
  summary: 'Make a policy version the active one (admin, auditor)',
  request: { params: z.object({ version: z.string().min(1).max(64).openapi({ param: { name: 'version', in: 'path' } }) }) },
  responses: { 200: json(policyDto, 'Now active'), ...writeErrorResponses },
});

const systemPolicyDto = z
  .object({
    systemCode: z.string(),
    season: z.string().nullable(),
    exemptUntil: z.string().nullable(),
    exemptReason: z.string().nullable(),
    duplicates: z.array(z.string()),
    updatedAt: z.string().nullable(),
  })
  .openapi('SystemPolicy');

const getSystemPolicyRoute = createRoute({
  method: 'get',
  path: '/systems/{code}/policy',
  tags,
  security,
  summary: "A system's season, exemption and duplicates",
  request: { params: codeParam },
  responses: { 200: json(systemPolicyDto, 'The system policy'), ...errorResponses },
});

const putSystemPolicyRoute = createRoute({
  method: 'put',
  path: '/systems/{code}/policy',
  tags,
  security,
  summary: "Replace a system's season, exemption and duplicates (admin, auditor); applied at the next classification",
  request: {
    params: codeParam,
    body: jsonBody(
      z
        .object({
          season: z.string().trim().max(100).nullish().openapi({ description: 'e.g. tax_filing, school_enrolment, flood_season: usage judged over 12 months' }),
          exemptUntil: z.string().date().nullish().openapi({ description: 'last day of the exemption' }),
          exemptReason: z.string().trim().max(2000).nullish(),
          duplicates: z.array(codeSchema).max(50).optional().openapi({ description: 'systems whose function this one duplicates' }),
        })
        .strict()
        .openapi('SystemPolicyInput'),
    ),
  },
  responses: { 200: json(systemPolicyDto, 'Stored'), ...writeErrorResponses },
});

async function scopedSystem(c: Context<AppEnv>, code: string) {
  const found = await findSystem(c.get('deps').db, code);
  if (!found) throw notFound(`system ${code}`);
  requireScope(c.get('principal'), found.row.departmentPath, `system ${code}`);
  return found.row;
}

export const policyRoutes = router()
  .openapi(list, async (c) => {
    requirePermission(c.get('principal'), 'read');
    return c.json(await listPolicies(c.get('deps').db), 200);
  })
  .openapi(create, async (c) => {
    requireOps(c.get('principal'));
    const dto = await createPolicy(c.get('deps').db, actorOf(c), c.req.valid('json'), { activate: c.req.valid('query').activate === 'true' });
    c.header('Location', `/api/v1/policies/${encodeURIComponent(dto.version)}`);
    return c.json(dto, 201);
  })
  .openapi(activate, async (c) => {
    requireOps(c.get('principal'));
    return c.json(await activatePolicy(c.get('deps').db, actorOf(c), c.req.valid('param').version), 200);
  })
  .openapi(getSystemPolicyRoute, async (c) => {
    requirePermission(c.get('principal'), 'read');
    const s = await scopedSystem(c, c.req.valid('param').code);
    return c.json(await getSystemPolicy(c.get('deps').db, s.id, s.code), 200);
  })
  .openapi(putSystemPolicyRoute, async (c) => {
    requireOps(c.get('principal'));
    const s = await scopedSystem(c, c.req.valid('param').code);
    return c.json(await putSystemPolicy(c.get('deps').db, actorOf(c), { id: s.id, code: s.code }, c.req.valid('json'), c.get('deps').now()), 200);
  });
