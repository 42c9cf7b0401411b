import { createRoute, z } from '@hono/zod-openapi';
import { router } from '../http/router.js';
import { codeSchema } from '../http/schemas.js';
import { readSweepProgress } from '../sweeps/queue.js';
import { listProbeResults } from '../sweeps/results.js';
import { startSweep as startSweepService } from '../sweeps/service.js';
import { STORED_PROBE_KINDS, SWEEP_KINDS, type SweepKind } from '../sweeps/kinds/index.js';
import { pushSystemUsage, systemUsage, USAGE_METRICS } from '../sweeps/usage.js';
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

const actorOf = (c: { get: (k: 'principal' | 'requestId') => any }) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

export const sweepRoutes = router()
  .openapi(startSweep, async (c) => {
    const body = c.req.valid('json');
    const sweep = await startSweepService(c.get('deps').sweeps, c.get('principal'), { trigger: 'api', systems: body.systems, kinds: body.kinds as SweepKind[] | undefined });
    c.header('Location', `/api/v1/sweeps/${sweep.id}`);
    return c.json({ id: sweep.id, targets: sweep.targets }, 202);
  })
  .openapi(getSweep, async (c) => {
    return c.json(await readSweepProgress(c.get('deps').db, c.get('principal'), c.req.valid('param').id, c.get('deps').now()), 200);
  })
  .openapi(listProbes, async (c) => {
    return c.json({ items: await listProbeResults(c.get('deps').db, c.get('principal'), c.req.valid('param').code, c.req.valid('query')) }, 200);
  })
  .openapi(pushUsage, async (c) => {
    const stored = await pushSystemUsage(c.get('deps').db, actorOf(c), c.req.valid('param').code, c.req.valid('json'), c.get('deps').now());
    return c.json({ stored }, 200);
  })
  .openapi(getUsage, async (c) => {
    return c.json({ items: await systemUsage(c.get('deps').db, c.get('principal'), c.req.valid('param').code, c.req.valid('query').since) }, 200);
  });
