import { z } from '@hono/zod-openapi';
import { RESOURCE_KINDS, UTILISATION_SOURCES } from '../db/schema/resources.js';

/** API shapes of cloud resources (contract: `{kind, externalId, vcpu, memoryGb, storageGb}`; utilisation `[{date, cpuAvg, cpuP95, cpuMax, memPct, netInBytes, netOutBytes}]`). */

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');
const amount = (max: number) => z.number().finite().min(0).max(max);
const pct = z.number().finite().min(0).max(100);
const bytes = z.number().finite().min(0).max(9e15);

export const externalIdSchema = z.string().trim().min(1).max(200).regex(/^[^\s/?#]+$/, 'no spaces, /, ? or #');

export const resourceCreateSchema = z
  .strictObject({
    kind: z.enum(RESOURCE_KINDS),
    externalId: externalIdSchema,
    name: z.string().trim().max(200).nullish(),
    vcpu: amount(100_000).default(0),
    memoryGb: amount(10_000_000).default(0),
    storageGb: amount(100_000_000).default(0),
    bandwidthMbps: amount(10_000_000).nullish(),
    monthlyCost: amount(1e12).nullish().openapi({ description: 'yuan a month' }),
    since: day.nullish(),
    until: day.nullish(),
  })
  .refine((r) => !r.since || !r.until || r.since <= r.until, { path: ['until'], message: 'must not be before since' })
  .openapi('ResourceCreate');
export type ResourceCreate = z.infer<typeof resourceCreateSchema>;

export const resourceSchema = z
  .object({
    kind: z.enum(RESOURCE_KINDS),
    externalId: z.string(),
    name: z.string().nullable(),
    systemCode: z.string().nullable().openapi({ description: 'null: an orphan (tied to no system)' }),
    departmentCode: z.string().nullable(),
    vcpu: z.number(),
    memoryGb: z.number(),
    storageGb: z.number(),
    bandwidthMbps: z.number().nullable(),
    monthlyCost: z.number().nullable(),
    since: z.string().nullable(),
    until: z.string().nullable(),
  })
  .openapi('Resource');
export type ResourceDto = z.infer<typeof resourceSchema>;

export const utilisationPointSchema = z
  .strictObject({
    date: day,
    cpuAvg: pct,
    cpuP95: pct,
    cpuMax: pct,
    memPct: pct.nullish(),
    netInBytes: bytes,
    netOutBytes: bytes,
    diskReadBytes: bytes.nullish(),
    diskWriteBytes: bytes.nullish(),
  })
  .refine((p) => p.cpuAvg <= p.cpuMax + 1e-9 && p.cpuP95 <= p.cpuMax + 1e-9, { path: ['cpuMax'], message: 'must be at least cpuAvg and cpuP95' })
  .openapi('UtilisationPoint');
export type UtilisationPoint = z.infer<typeof utilisationPointSchema>;

export const utilisationDaySchema = z
  .object({
    date: z.string(),
    source: z.enum(UTILISATION_SOURCES),
    cpuAvg: z.number().nullable(),
    cpuP95: z.number().nullable(),
    cpuMax: z.number().nullable(),
    memPct: z.number().nullable(),
    netInBytes: z.number().nullable(),
    netOutBytes: z.number().nullable(),
    diskReadBytes: z.number().nullable(),
    diskWriteBytes: z.number().nullable(),
    missingReason: z.string().nullable().openapi({ description: 'set when the day is missing evidence (the pull failed): never counted as idle' }),
  })
  .openapi('UtilisationDay');
