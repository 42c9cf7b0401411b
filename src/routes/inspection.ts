import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../http/env.js';
import { router } from '../http/router.js';
import { SECTION_TYPES } from '../db/schema/index.js';
import { IMPACTS } from '../../reports/inspection/accessibility.js';
import { getInspection, listSections, registerSection, updateSection } from '../verdicts/inspection.js';
import { codeParam, errorResponses, json, jsonBody, security, writeErrorResponses } from './common.js';

// The national website inspection of a portal (issue 11): its scorecard and its sections.

const tags = ['Inspection'];
const actorOf = (c: Context<AppEnv>) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

const itemDto = z
  .object({
    rule: z.enum(['site_unreachable', 'homepage_not_updated', 'sections_not_updated', 'blank_sections', 'serious_errors']),
    result: z.enum(['pass', 'fail', 'unmeasured']),
    evidence: z.record(z.string(), z.unknown()),
    policyVersion: z.string(),
  })
  .openapi('InspectionItem');

const impactCounts = z
  .object(Object.fromEntries(IMPACTS.map((i) => [i, z.object({ rules: z.number().int(), nodes: z.number().int() })])) as Record<(typeof IMPACTS)[number], z.ZodObject<{ rules: z.ZodNumber; nodes: z.ZodNumber }>>)
  .openapi('AxeImpactCounts', { description: 'per axe-core impact (critical 严重, serious 重大, moderate 一般, minor 轻微): rules violated and elements violating them' });

const axeDto = z
  .object({
    checkedOn: z.string().openapi({ description: 'day of the latest axe-core check' }),
    outcome: z.string().openapi({ description: '`ok` when axe ran on the homepage; `unmeasured` with a reason; otherwise the outcome of loading the homepage (`timeout`, `http_error`, `body_too_large`, `blocked_by_policy`, …)' }),
    reason: z.string().nullable().openapi({ description: 'why unmeasured: `no_browser` (INSPECTION_BROWSER off or no Chromium installed), `browser_failed`' }),
    section: z.string().openapi({ description: '`checked`: a section page was checked too; `none`: no section page loaded recently, homepage only; `failed`: the section page did not load' }),
    violations: impactCounts.openapi({ description: 'sums over the pages axe ran on' }),
    pages: z.array(
      z
        .object({
          url: z.string(),
          role: z.enum(['homepage', 'section']),
          outcome: z.string(),
          status: z.number().int().optional(),
          error: z.string().optional(),
          loadIncomplete: z.boolean().optional().openapi({ description: 'the load event did not come within the budget: axe ran on what had loaded' }),
          violations: impactCounts,
          rules: z.array(z.object({ id: z.string(), impact: z.enum(IMPACTS), nodes: z.number().int(), help: z.string(), helpZh: z.string().nullable() })).openapi({ description: 'the worst rules, at most 20 (impact, then elements)' }),
          rulesTotal: z.number().int(),
          subresources: z.object({ fetched: z.number().int(), refused: z.number().int(), failed: z.number().int() }).openapi({ description: 'requests of the page besides its document: answered through the target policy, refused by it (or a scheme never fetched), failed' }),
          refused: z.array(z.string()).openapi({ description: 'some of the refused addresses' }),
        })
        .openapi('AxePage'),
    ),
  })
  .openapi('AxeCheck');

const inspectionDto = z
  .object({
    systemCode: z.string(),
    asOf: z.string(),
    policyVersion: z.string(),
    checkedOn: z.string().nullable().openapi({ description: 'day of the latest site inspection the items rest on' }),
    items: z.array(itemDto),
    links: z
      .object({
        checked: z.number().int(),
        broken: z.number().int(),
        brokenRate: z.number().nullable(),
        outboundRisks: z.number().int().openapi({ description: 'external links whose domain no longer resolves (可被抢注) or whose page matches the risk keywords (外链变异)' }),
        brokenList: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'bounded: each broken link with the page it is on' }),
        risks: z.array(z.record(z.string(), z.unknown())),
      })
      .nullable(),
    accessibility: z
      .object({
        images: z.number().int(),
        imagesWithAlt: z.number().int(),
        altShare: z.number().nullable(),
        careEntry: z.object({ found: z.boolean(), opens: z.boolean().nullable(), url: z.string().nullable() }).nullable(),
        axe: axeDto.nullable().openapi({ description: 'axe-core (WCAG 2.x A/AA) in the headless Chromium over the homepage and one section page; null when never measured' }),
      })
      .nullable()
      .openapi({ description: '适老化 and accessibility, informational (not a verdict): images and the care-mode entry of the homepage (site inspection), and the axe-core check' }),
  })
  .openapi('Inspection');

const sectionDto = z
  .object({
    id: z.number().int(),
    url: z.string(),
    name: z.string(),
    type: z.enum(SECTION_TYPES),
    source: z.enum(['discovered', 'registered']),
    ignored: z.boolean(),
    lastSeenAt: z.string().nullable(),
    latest: z.object({ day: z.string(), outcome: z.string(), items: z.number().int(), dated: z.number().int(), newest: z.string().nullable() }).nullable(),
  })
  .openapi('Section');

const httpUrl = z
  .string()
  .trim()
  .max(2000)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) address');

const get = createRoute({
  method: 'get',
  path: '/systems/{code}/inspection',
  tags,
  security,
  summary: 'The national website inspection scorecard of a portal: each veto item pass / fail / unmeasured, with its evidence, rule and policy version',
  request: { params: codeParam, query: z.object({ asOf: z.string().date().optional().openapi({ description: 'judge as of this day (default today)' }) }) },
  responses: { 200: json(inspectionDto, 'The scorecard'), ...errorResponses },
});

const list = createRoute({
  method: 'get',
  path: '/systems/{code}/sections',
  tags,
  security,
  summary: "A portal's sections (栏目): discovered in its navigation or registered, with their latest check",
  request: { params: codeParam },
  responses: { 200: json(z.object({ items: z.array(sectionDto) }), 'Sections'), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/systems/{code}/sections',
  tags,
  security,
  summary: 'Register a section (admin, auditor); a discovered section at the same address is taken over with this name and type',
  request: {
    params: codeParam,
    body: jsonBody(z.object({ url: httpUrl, name: z.string().trim().min(1).max(200), type: z.enum(SECTION_TYPES) }).strict().openapi('SectionInput')),
  },
  responses: { 201: json(sectionDto, 'Registered'), ...writeErrorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/systems/{code}/sections/{id}',
  tags,
  security,
  summary: "Correct a section's name or type, or ignore it (admin, auditor)",
  request: {
    params: codeParam.extend({ id: z.coerce.number().int().min(1).max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) }),
    body: jsonBody(
      z
        .object({ name: z.string().trim().min(1).max(200).optional(), type: z.enum(SECTION_TYPES).optional(), ignored: z.boolean().optional() })
        .strict()
        .refine((x) => Object.keys(x).length > 0, 'give name, type or ignored')
        .openapi('SectionPatch'),
    ),
  },
  responses: { 200: json(sectionDto, 'Updated'), ...writeErrorResponses },
});

export const inspectionRoutes = router()
  .openapi(get, async (c) => {
    const deps = c.get('deps');
    return c.json(await getInspection(deps.db, c.get('principal'), c.req.valid('param').code, { now: deps.now(), timeZone: deps.timeZone, asOf: c.req.valid('query').asOf }), 200);
  })
  .openapi(list, async (c) => c.json(await listSections(c.get('deps').db, c.get('principal'), c.req.valid('param').code), 200))
  .openapi(create, async (c) => {
    const dto = await registerSection(c.get('deps').db, actorOf(c), c.req.valid('param').code, c.req.valid('json'), c.get('deps').now());
    return c.json(dto, 201);
  })
  .openapi(patch, async (c) => {
    const p = c.req.valid('param');
    return c.json(await updateSection(c.get('deps').db, actorOf(c), p.code, p.id, c.req.valid('json'), c.get('deps').now()), 200);
  });
