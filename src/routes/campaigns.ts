import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AppError } from '../errors.js';
import type { Principal } from '../auth/tokens.js';
import {
  campaignCreateSchema,
  campaignLinks,
  campaignProgress,
  campaignSchema,
  campaignSummarySchema,
  closeCampaign,
  createCampaign,
  decideTransfer,
  instanceKeysOf,
  linkSchema,
  listCampaigns,
  listMissingReports,
  listTransfers,
  missingReportDtoSchema,
  rotateLink,
  transferSchema,
} from '../campaigns/index.js';
import type { AppEnv } from '../http/env.js';
import { router } from '../http/router.js';
import { codeSchema } from '../http/schemas.js';
import { errorResponses, json, jsonBody, security, writeErrorResponses } from './common.js';
import { TRANSFER_STATES } from '../db/schema/enums.js';

const tags = ['Campaigns'];

/** Ops (admin, auditor) run campaigns; viewers read; department tokens read their own part. */
export function requireOps(p: Principal): void {
  if (p.role !== 'admin' && p.role !== 'auditor') throw new AppError('forbidden', `role ${p.role} may not manage campaigns`);
}

function requireOpsRead(p: Principal): void {
  if (p.role === 'department') throw new AppError('forbidden', 'department tokens may not read this');
}

/** Absolute base of links we hand out: PUBLIC_URL when configured, else the request's own origin. */
export function publicBaseUrl(c: Context<AppEnv>): string {
  const configured = (c.get('deps').services?.publicUrl as string | undefined) ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.PUBLIC_URL;
  return (configured || new URL(c.req.url).origin).replace(/\/$/, '');
}

export function keysOf(c: Context<AppEnv>) {
  return instanceKeysOf(c.get('deps'));
}

const idParam = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647).openapi({ param: { name: 'id', in: 'path' } }) });
const actorOf = (c: Context<AppEnv>) => ({ principal: c.get('principal'), requestId: c.get('requestId') });

const list = createRoute({
  method: 'get',
  path: '/campaigns',
  tags,
  security,
  summary: 'List ownership confirmation campaigns',
  responses: { 200: json(z.object({ items: z.array(campaignSummarySchema) }), 'Campaigns, newest first'), ...errorResponses },
});

const create = createRoute({
  method: 'post',
  path: '/campaigns',
  tags,
  security,
  summary: 'Start a campaign: snapshots the live systems in scope and creates one link per owning department',
  request: { body: jsonBody(campaignCreateSchema) },
  responses: { 201: json(campaignSchema, 'Created, with its progress'), ...writeErrorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/campaigns/{id}',
  tags,
  security,
  summary: 'Progress of a campaign by department and by county',
  request: { params: idParam },
  responses: { 200: json(campaignSchema, 'The campaign'), ...errorResponses },
});

const links = createRoute({
  method: 'get',
  path: '/campaigns/{id}/links',
  tags,
  security,
  summary: "Each department's confirmation link (links are credentials: send each only to its department)",
  request: { params: idParam },
  responses: { 200: json(z.object({ items: z.array(linkSchema) }), 'Links'), ...errorResponses },
});

const rotate = createRoute({
  method: 'post',
  path: '/campaigns/{id}/links/{departmentCode}/rotate',
  tags,
  security,
  summary: "Replace a department's link; the old one stops working",
  request: { params: idParam.extend({ departmentCode: codeSchema.openapi({ param: { name: 'departmentCode', in: 'path' } }) }) },
  responses: { 200: json(linkSchema, 'The new link'), ...writeErrorResponses },
});

const close = createRoute({
  method: 'post',
  path: '/campaigns/{id}/close',
  tags,
  security,
  summary: 'Close a campaign: department links are refused from then on',
  request: { params: idParam },
  responses: { 200: json(campaignSchema, 'Closed'), ...writeErrorResponses },
});

const transfersOf = createRoute({
  method: 'get',
  path: '/campaigns/{id}/transfers',
  tags,
  security,
  summary: 'Hand-overs requested in a campaign',
  request: { params: idParam, query: z.object({ state: z.enum(TRANSFER_STATES).optional() }) },
  responses: { 200: json(z.object({ items: z.array(transferSchema) }), 'Transfers'), ...errorResponses },
});

const missingOf = createRoute({
  method: 'get',
  path: '/campaigns/{id}/missing-systems',
  tags,
  security,
  summary: 'Systems departments reported as missing from the inventory',
  request: { params: idParam },
  responses: { 200: json(z.object({ items: z.array(missingReportDtoSchema) }), 'Reports'), ...errorResponses },
});

const decide = (decision: 'accept' | 'reject') =>
  createRoute({
    method: 'post',
    path: `/transfers/{id}/${decision}`,
    tags,
    security,
    summary: decision === 'accept' ? 'Accept a hand-over for the receiving department (moves the system)' : 'Reject a hand-over (the sending department answers again)',
    request: { params: idParam, body: { required: false, content: { 'application/json': { schema: z.object({ note: z.string().trim().max(2000).optional() }).strict() } } } },
    responses: { 200: json(transferSchema, 'The transfer'), ...writeErrorResponses },
  });

async function transferDto(c: Context<AppEnv>, id: number) {
  const [dto] = await listTransfers(c.get('deps').db, c.get('principal'), { transferId: id });
  if (!dto) throw new AppError('not_found', `transfer ${id} not found`);
  return dto;
}

export const campaignRoutes = router()
  .openapi(list, async (c) => {
    const { db, now } = c.get('deps');
    return c.json({ items: await listCampaigns(db, c.get('principal'), now()) }, 200);
  })
  .openapi(create, async (c) => {
    requireOps(c.get('principal'));
    const { db, now } = c.get('deps');
    const id = await createCampaign(db, actorOf(c), c.req.valid('json'), now());
    c.header('Location', `/api/v1/campaigns/${id}`);
    return c.json(await campaignProgress(db, c.get('principal'), id, now()), 201);
  })
  .openapi(get, async (c) => {
    const { db, now } = c.get('deps');
    return c.json(await campaignProgress(db, c.get('principal'), c.req.valid('param').id, now()), 200);
  })
  .openapi(links, async (c) => {
    requireOps(c.get('principal'));
    c.header('Cache-Control', 'no-store');
    return c.json({ items: await campaignLinks(c.get('deps').db, keysOf(c), c.req.valid('param').id, publicBaseUrl(c)) }, 200);
  })
  .openapi(rotate, async (c) => {
    requireOps(c.get('principal'));
    const { id, departmentCode } = c.req.valid('param');
    c.header('Cache-Control', 'no-store');
    return c.json(await rotateLink(c.get('deps').db, actorOf(c), keysOf(c), id, departmentCode, publicBaseUrl(c)), 200);
  })
  .openapi(close, async (c) => {
    requireOps(c.get('principal'));
    const { db, now } = c.get('deps');
    const id = c.req.valid('param').id;
    await closeCampaign(db, actorOf(c), id);
    return c.json(await campaignProgress(db, c.get('principal'), id, now()), 200);
  })
  .openapi(transfersOf, async (c) => {
    requireOpsRead(c.get('principal'));
    return c.json({ items: await listTransfers(c.get('deps').db, c.get('principal'), { campaignId: c.req.valid('param').id, state: c.req.valid('query').state }) }, 200);
  })
  .openapi(missingOf, async (c) => {
    requireOpsRead(c.get('principal'));
    return c.json({ items: await listMissingReports(c.get('deps').db, c.get('principal'), c.req.valid('param').id) }, 200);
  })
  .openapi(decide('accept'), async (c) => {
    requireOps(c.get('principal'));
    const { db, now } = c.get('deps');
    const id = c.req.valid('param').id;
    const body = (c.req.valid('json') as { note?: string } | undefined) ?? {};
    await decideTransfer(db, { actor: actorOf(c) }, id, 'accept', body.note, now());
    return c.json(await transferDto(c, id), 200);
  })
  .openapi(decide('reject'), async (c) => {
    requireOps(c.get('principal'));
    const { db, now } = c.get('deps');
    const id = c.req.valid('param').id;
    const body = (c.req.valid('json') as { note?: string } | undefined) ?? {};
    await decideTransfer(db, { actor: actorOf(c) }, id, 'reject', body.note, now());
    return c.json(await transferDto(c, id), 200);
  });
