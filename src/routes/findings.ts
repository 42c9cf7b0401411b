import { createRoute, z } from '@hono/zod-openapi';
import { configuredBaseUrl } from '../http/env.js';
import { etag, ifMatchVersion, router } from '../http/router.js';
import { codeSchema } from '../http/schemas.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { createNotifier } from '../notify/index.js';
import { FINDING_STATUSES, getFinding, listFindings, patchFinding, type FindingPatch } from '../verdicts/findings.js';
import { errorResponses, ifMatchHeader, json, jsonBody, security, writeErrorResponses } from './common.js';

const tags = ['Findings'];

const answerSchema = z
  .object({
    action: z.enum(['keep', 'merge', 'migrate', 'decommission']),
    justification: z.string().nullish(),
    targetSystemCode: z.string().nullish(),
    target: z.string().nullish(),
    dueBy: z.string().nullish(),
    note: z.string().nullish(),
    by: z.string(),
    at: z.string(),
  })
  .openapi('FindingAnswer');

const findingSchema = z
  .object({
    id: z.number().int(),
    systemCode: z.string(),
    systemName: z.string(),
    departmentCode: z.string(),
    departmentName: z.string(),
    status: z.enum(FINDING_STATUSES),
    verdict: z.enum(['zombie', 'semi_zombie']),
    reasons: z.array(z.object({ code: z.string(), severity: z.string(), since: z.string().nullable(), detail: z.string(), evidence: z.unknown().optional() })),
    policyVersion: z.string(),
    openedAt: z.string(),
    deadline: z.string().openapi({ description: 'answer deadline (set again when notified or reopened)' }),
    notifiedAt: z.string().nullable(),
    answeredAt: z.string().nullable(),
    answer: answerSchema.nullable(),
    closedAt: z.string().nullable(),
    closeNote: z.string().nullable(),
    resolution: z.string().nullable(),
    overdue: z.boolean(),
    version: z.number().int(),
    evidenceSha256: z.string(),
  })
  .openapi('Finding');

const findingDetailSchema = findingSchema
  .extend({
    evidence: z.unknown().openapi({ description: 'the evidence pack frozen when the finding opened' }),
    evidenceVerified: z.boolean().openapi({ description: 'the stored pack still hashes to evidenceSha256' }),
    history: z.array(z.object({ at: z.string(), actor: z.string(), action: z.string(), status: z.string().nullable(), note: z.string().nullable() })),
    verification: z
      .object({ decision: z.enum(['verified', 'reopen', 'inconclusive']), summary: z.array(z.string()), reasons: z.array(z.unknown()) })
      .optional()
      .openapi({ description: 'closing a decommission: what the check of the latest probes found' }),
    notified: z.number().int().optional().openapi({ description: 'webhooks that received the notice' }),
  })
  .openapi('FindingDetail');

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) });

const list = createRoute({
  method: 'get',
  path: '/findings',
  tags,
  security,
  summary: 'Clean-up cases (department tokens see their own subtree)',
  request: {
    query: z.object({
      status: z.enum(FINDING_STATUSES).optional(),
      department: z.string().max(64).optional().openapi({ description: 'department code; its descendants are included' }),
      system: codeSchema.optional(),
      overdue: z.enum(['true', 'false']).optional(),
      ...pageQuery,
    }),
  },
  responses: { 200: json(pageOf(findingSchema, 'FindingPage'), 'Findings, newest first'), ...errorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/findings/{id}',
  tags,
  security,
  summary: 'A finding with its evidence pack, the pack SHA-256 and its history; ETag carries its version',
  request: { params: idParam },
  responses: { 200: json(findingDetailSchema, 'The finding'), ...errorResponses },
});

const text = (max: number) => z.string().trim().max(max);
const patchBody = z
  .discriminatedUnion('action', [
    z.object({ action: z.literal('notify'), note: text(2000).nullish() }).strict(),
    z
      .object({
        action: z.literal('answer'),
        answer: z
          .object({
            type: z.enum(['keep', 'merge', 'migrate', 'decommission']),
            justification: text(4000).nullish(),
            targetSystemCode: text(64).nullish(),
            target: text(500).nullish(),
            dueBy: z.string().date().nullish(),
            note: text(2000).nullish(),
          })
          .strict(),
      })
      .strict(),
    z.object({ action: z.literal('close'), note: text(2000).nullish() }).strict(),
    z.object({ action: z.literal('reopen'), reason: text(2000).nullish() }).strict(),
  ])
  .openapi('FindingPatch', {
    description:
      'notify (auditor): tell the department, deadline set; answer (the owning department, or auditor): keep (with justification; exempts the system for 6 months), merge (targetSystemCode), migrate, decommission (dueBy); close (auditor): a decommission is checked against the latest probes first and reopened when something still answers; reopen (auditor).',
  });

const patch = createRoute({
  method: 'patch',
  path: '/findings/{id}',
  tags,
  security,
  summary: 'Notify, answer, close or reopen a finding (If-Match honoured)',
  request: { params: idParam, headers: ifMatchHeader, body: jsonBody(patchBody) },
  responses: {
    200: json(findingDetailSchema, 'Changed (closing a decommission that still answers reopens it: see verification)'),
    ...writeErrorResponses,
  },
});

export const findingRoutes = router()
  .openapi(list, async (c) => {
    const q = c.req.valid('query');
    const { now, timeZone } = c.get('deps');
    return c.json(await listFindings(c.get('deps').db, c.get('principal'), { ...q, overdue: q.overdue === undefined ? undefined : q.overdue === 'true' }, { now: now(), timeZone }), 200);
  })
  .openapi(get, async (c) => {
    const { now, timeZone } = c.get('deps');
    const dto = await getFinding(c.get('deps').db, c.get('principal'), c.req.valid('param').id, { now: now(), timeZone });
    c.header('ETag', etag(dto.version));
    return c.json(dto, 200);
  })
  .openapi(patch, async (c) => {
    const deps = c.get('deps');
    const result = await patchFinding(
      deps.db,
      { principal: c.get('principal'), requestId: c.get('requestId') },
      c.req.valid('param').id,
      c.req.valid('json') as FindingPatch,
      ifMatchVersion(c.req.valid('header')['if-match']),
      { now: deps.now(), timeZone: deps.timeZone, notifier: createNotifier(deps.db, { now: deps.now }), baseUrl: configuredBaseUrl(c) },
    );
    c.header('ETag', etag(result.finding.version));
    return c.json({ ...result.finding, ...(result.verification ? { verification: result.verification } : {}), ...(result.notified !== undefined ? { notified: result.notified } : {}) }, 200);
  });
