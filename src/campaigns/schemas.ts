import { z } from '@hono/zod-openapi';
import { CAMPAIGN_ITEM_STATES, CAMPAIGN_STATUSES, TRANSFER_STATES } from '../db/schema/enums.js';
import { codeSchema } from '../http/schemas.js';
import { systemPatchSchema } from '../inventory/schemas.js';

/** Item states of a system in a campaign. `disowned`: the department says it is not theirs and names no one. */
export const ITEM_STATES = CAMPAIGN_ITEM_STATES;
export type ItemState = (typeof ITEM_STATES)[number];

/** States in which the owner has answered for the system (the classifier's "confirmed"). */
export const ANSWERED_STATES: ReadonlySet<string> = new Set(['confirmed', 'transferred', 'retirement_requested']);

export const DECISIONS = ['confirm', 'transfer', 'retire', 'disown'] as const;
export type DecisionAction = (typeof DECISIONS)[number];

export const dayString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real date');

export const campaignCreateSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    deadline: dayString.openapi({ example: '2026-06-30', description: 'last day on which answers are on time (Asia/Shanghai)' }),
    scope: z
      .object({
        departments: z.array(codeSchema).max(1000).optional().openapi({ description: 'departments, each with its descendants' }),
        counties: z.array(codeSchema).max(100).optional().openapi({ description: 'counties/districts: every department under each' }),
      })
      .strict()
      .refine((s) => (s.departments?.length ?? 0) + (s.counties?.length ?? 0) > 0, 'give departments or counties (the city government code covers the whole city)'),
  })
  .strict()
  .openapi('CampaignCreate');

export type CampaignCreate = z.infer<typeof campaignCreateSchema>;

/** The official who answers through a department link; both are recorded with every answer. */
export const officialSchema = z.object({
  name: z.string().trim().min(1, 'required').max(50),
  phone: z
    .string()
    .trim()
    .min(1, 'required')
    .max(40)
    .regex(/^[0-9+()\- ]*$/, 'digits, spaces, "+", "-" and parentheses only')
    .refine((p) => (p.match(/\d/g)?.length ?? 0) >= 5, 'at least 5 digits'),
});
export type Official = z.infer<typeof officialSchema>;

export const decisionSchema = z.object({
  systemId: z.number().int().positive(),
  action: z.enum(DECISIONS),
  toDepartmentCode: z.string().trim().max(64).optional(),
  note: z.string().trim().max(2000).optional(),
});
export type Decision = z.infer<typeof decisionSchema>;

/** Fields a department may correct through its link; the rest is ops' business. */
export const correctionSchema = systemPatchSchema.pick({
  name: true,
  operatorUnit: true,
  contractor: true,
  contact: true,
  description: true,
  endpoints: true,
});
export type Correction = z.infer<typeof correctionSchema>;

export const missingReportSchema = z.object({
  name: z.string().trim().min(1, 'required').max(200),
  url: z
    .string()
    .trim()
    .max(2048)
    .refine((u) => u === '' || /^https?:\/\/\S+$/i.test(u), 'must be an http:// or https:// URL')
    .optional(),
  note: z.string().trim().max(2000).optional(),
});
export type MissingReport = z.infer<typeof missingReportSchema>;

const counts = {
  systems: z.number().int(),
  confirmed: z.number().int(),
  transferPending: z.number().int(),
  retirementRequested: z.number().int(),
  disowned: z.number().int(),
  pending: z.number().int(),
};

const links = {
  departments: z.number().int(),
  linksVisited: z.number().int(),
  completed: z.number().int(),
};

export const departmentProgressSchema = z.object({
  departmentCode: z.string(),
  departmentName: z.string(),
  countyCode: z.string().nullable(),
  countyName: z.string().nullable(),
  ...counts,
  incomingTransfers: z.number().int(),
  linkCreated: z.boolean(),
  linkVisitedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  linkExpiresAt: z.string(),
});

export const countyProgressSchema = z.object({
  countyCode: z.string().nullable().openapi({ description: 'null groups city-level departments' }),
  countyName: z.string().nullable(),
  ...counts,
  ...links,
});

export const campaignSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    deadline: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    overdue: z.boolean(),
    scope: z.object({ departments: z.array(z.string()).optional(), counties: z.array(z.string()).optional() }),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    totals: z.object({ ...counts, ...links }),
    byCounty: z.array(countyProgressSchema),
    byDepartment: z.array(departmentProgressSchema),
  })
  .openapi('Campaign');

export type CampaignProgress = z.infer<typeof campaignSchema>;
export type DepartmentProgress = z.infer<typeof departmentProgressSchema>;

export const campaignSummarySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    deadline: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    overdue: z.boolean(),
    createdAt: z.string(),
    totals: z.object({ ...counts, ...links }),
  })
  .openapi('CampaignSummary');
export type CampaignSummary = z.infer<typeof campaignSummarySchema>;

export const linkSchema = z
  .object({
    departmentCode: z.string(),
    departmentName: z.string(),
    url: z.string(),
    expiresAt: z.string(),
    visitedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
  })
  .openapi('CampaignLink');
export type CampaignLink = z.infer<typeof linkSchema>;

export const transferSchema = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int().nullable(),
    systemCode: z.string(),
    systemName: z.string(),
    fromDepartmentCode: z.string(),
    fromDepartmentName: z.string(),
    toDepartmentCode: z.string(),
    toDepartmentName: z.string(),
    state: z.enum(TRANSFER_STATES),
    note: z.string().nullable(),
    requestedBy: z.string().nullable(),
    requestedAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
  })
  .openapi('Transfer');
export type TransferDto = z.infer<typeof transferSchema>;

export const missingReportDtoSchema = z
  .object({
    id: z.number().int(),
    campaignId: z.number().int().nullable(),
    departmentCode: z.string(),
    departmentName: z.string(),
    name: z.string(),
    url: z.string().nullable(),
    note: z.string().nullable(),
    reportedByName: z.string().nullable(),
    reportedByPhone: z.string().nullable(),
    createdAt: z.string(),
    systemId: z.number().int().nullable(),
  })
  .openapi('MissingSystemReport');
export type MissingReportDto = z.infer<typeof missingReportDtoSchema>;
