import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, gte } from 'drizzle-orm';
import { requirePermission, requireScope } from '../auth/access.js';
import { probeResults } from '../db/schema/index.js';
import { AppError } from '../errors.js';
import { router } from '../http/router.js';
import { findSystem } from '../inventory/systems.js';
import { codeSchema } from '../http/schemas.js';
import { sweepProgress } from '../sweeps/queue.js';
import { STORED_PROBE_KINDS, SWEEP_KINDS } from '../sweeps/kinds/index.js';
import { listUsage, upsertUsage, USAGE_METRICS } from '../sweeps/usage.js';
import { codeParam, errorResponses, json, jsonBody, security, writeErrorResponses } from './common.js';

const progressSchema = z
  .object({
    id: z.number().int(),
    status: z.string(),
    trigger: z.string(),
    requestedBy: z.string().nullable(),
    kinds: z.array(z.string()),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    targets: z.number().int(),
    done: z.number().int(),
    pending: z.number().int(),
    leased: z.number().int(),
    ok: z.number().int(),
    failed: z.number().int(),
    outcomes: z.record(z.string(), z.number()),
    seconds: z.number().nullable(),
  })
  .openapi('SweepProgress');

const startSweep = createRoute({
  method: 'post',
  path: '/sweeps',
  tags: ['Sweeps'],
  security,
  summary: 'Probe now: starts a sweep over all probed systems or the given ones',
  request: {
    body: jsonBody(
      z
        .object({ systems: z.array(codeSchema).max(10_000).optional(), kinds: z.array(z.enum(SWEEP_KINDS)).min(1).optional() })
        .strict()
        .openapi('SweepStart'),
    ),
  },
  responses: { 202: json(z.object({ id: z.number().int(), targets: z.number().int() }), 'Accepted; follow GET /sweeps/{id}'), ...writeErrorResponses },
});

const getSweep = createRoute({
  method: 'get',
  path: '/sweeps/{id}',
  tags: ['Sweeps'],
  security,
  summary: 'Progress and counts of a sweep',
  request: { params: z.object({ id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 200: json(progressSchema, 'Progress'), ...errorResponses },
});

const probeSchema = z
  .object({ id: z.number().int(), kind: z.string(), url: z.string(), at: z.string(), outcome: z.string(), httpStatus: z.number().int().nullable(), durationMs: z.number().int().nullable(), detail: z.unknown() })
  .openapi('ProbeResult');

const listProbes = createRoute({
  method: 'get',
  path: '/systems/{code}/probes',
  tags: ['Evidence'],
  security,
  summary: 'Raw probe results of a system, newest first (kept PROBE_RETENTION_DAYS)',
  request: {
    params: codeParam,
    query: z.object({
      kind: z.enum(STORED_PROBE_KINDS).optional(),
      since: z.string().datetime({ offset: true }).or(z.string().date()).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: { 200: json(z.object({ items: z.array(probeSchema) }), 'Results'), ...errorResponses },
});

const usagePoint = z.object({
  date: z.string().date(),
  metric: z.enum(USAGE_METRICS),
  value: z.number().finite().min(0).max(1e12),
});

const pushUsage = createRoute({
  method: 'post',
  path: '/systems/{code}/usage',
  tags: ['Evidence'],
  security,
  summary: 'Push usage counts; the same day and metric replaces, never adds',
  request: { params: codeParam, body: jsonBody(z.array(usagePoint).min(1).max(5000).openapi('UsagePoints')) },
  responses: { 200: json(z.object({ stored: z.number().int() }), 'Stored'), ...writeErrorResponses },
});

const getUsage = createRoute({
  method: 'get',
  path: '/systems/{code}/usage',
  tags: ['Evidence'],
  security,
  summary: 'Daily usage of a system by metric and source',
  request: { params: codeParam, query: z.object({ since: z.string().date().optional() }) },
  responses: { 200: json(z.object({ items: z.array(z.object({ date: z.string(), metric: z.string(), source: z.string(), value: z.number() })) }), 'Usage'), ...errorResponses },
});

async function scopedSystem(c: { get: (k: any) => any }, code: string) {
  const found = await findSystem(c.get('deps').db, code);
  if (!found) throw new AppError('not_found', `system ${code} not found`);
  requireScope(c.get('principal'), found.row.departmentPath, `system ${code}`);
  return found.row;
}

export const sweepRoutes = router()
  .openapi(startSweep, async (c) => {
    requirePermission(c.get('principal'), 'sweep');
    const service = c.get('deps').sweeps;
    if (!service) throw new AppError('unavailable', 'this deployment does not run probes; start sweeps on a Node process');
    const body = c.req.valid('json');
    const sweep = await service.start({ trigger: 'api', systems: body.systems, kinds: body.kinds as never, requestedBy: c.get('principal').name });
    c.header('Location', `/api/v1/sweeps/${sweep.id}`);
    return c.json({ id: sweep.id, targets: sweep.targets }, 202);
  })
  .openapi(getSweep, async (c) => {
    requirePermission(c.get('principal'), 'read');
    return c.json(await sweepProgress(c.get('deps').db, c.req.valid('param').id, c.get('deps').now()), 200);
  })
  .openapi(listProbes, async (c) => {
    requirePermission(c.get('principal'), 'read');
    const system = await scopedSystem(c, c.req.valid('param').code);
    const q = c.req.valid('query');
    const rows = await c
      .get('deps')
      .db.select()
      .from(probeResults)
      .where(and(eq(probeResults.systemId, system.id), q.kind ? eq(probeResults.kind, q.kind) : undefined, q.since ? gte(probeResults.at, new Date(q.since)) : undefined))
      .orderBy(desc(probeResults.at), desc(probeResults.id))
      .limit(q.limit);
    return c.json({ items: rows.map((r) => ({ id: r.id, kind: r.kind, url: r.url, at: r.at.toISOString(), outcome: r.outcome, httpStatus: r.httpStatus, durationMs: r.durationMs, detail: r.detail })) }, 200);
  })
  .openapi(pushUsage, async (c) => {
    requirePermission(c.get('principal'), 'write');
    const system = await scopedSystem(c, c.req.valid('param').code);
    const stored = await upsertUsage(c.get('deps').db, system.id, c.req.valid('json'), 'push', c.get('deps').now());
    return c.json({ stored }, 200);
  })
  .openapi(getUsage, async (c) => {
    requirePermission(c.get('principal'), 'read');
    const system = await scopedSystem(c, c.req.valid('param').code);
    return c.json({ items: await listUsage(c.get('deps').db, system.id, c.req.valid('query').since) }, 200);
  });
