import { z } from '@hono/zod-openapi';
import { BUILT_BY, DEPARTMENT_KINDS, DEPARTMENT_LEVELS, DEPLOYMENTS, ENDPOINT_ROLES, LIFECYCLES, NETWORKS, SYSTEM_STATUSES, USER_SCOPES } from '../db/schema/enums.js';
import { codeSchema } from '../http/schemas.js';

/**
 * Input and output shapes of the inventory, shared by the HTTP API, the spreadsheet import and the
 * OpenAPI document: one definition of what a valid system is.
 */
const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) => text(max).nullish().transform((v) => (v === '' ? null : v ?? null));

export const endpointSchema = z
  .object({
    url: z
      .string()
      .trim()
      .max(2048)
      .url()
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL'),
    role: z.enum(ENDPOINT_ROLES).default('portal'),
  })
  .openapi('Endpoint');

export const contactSchema = z
  .object({
    name: optionalText(100),
    phone: z
      .string()
      .trim()
      .max(40)
      .regex(/^[0-9+()\- ]*$/, 'digits, spaces, "+", "-" and parentheses only')
      .nullish()
      .transform((v) => (v ? v : null)),
    email: z
      .string()
      .trim()
      .max(254)
      .email()
      .nullish()
      .or(z.literal('').transform(() => null))
      .transform((v) => v ?? null),
  })
  .openapi('Contact');

const dateString = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a real date');

const systemFields = {
  name: text(200).min(1),
  departmentCode: codeSchema,
  operatorUnit: optionalText(200),
  contractor: optionalText(200),
  contact: contactSchema.nullish(),
  description: optionalText(5000),
  lifecycle: z.enum(LIFECYCLES),
  launchedOn: dateString.nullish(),
  deployment: z.enum(DEPLOYMENTS),
  cloudRequired: z.boolean(),
  network: z.enum(NETWORKS),
  builtBy: z.enum(BUILT_BY),
  mlpsLevel: z.number().int().min(1).max(5).nullish(),
  userScope: z.enum(USER_SCOPES),
  registeredUsers: z.number().int().min(0).max(2_000_000_000).nullish(),
  endpoints: z.array(endpointSchema).max(50),
  tags: z.array(text(50).min(1)).max(50),
};

export const systemCreateSchema = z
  .object({
    code: codeSchema,
    ...systemFields,
    lifecycle: systemFields.lifecycle.default('live'),
    deployment: systemFields.deployment.default('other'),
    cloudRequired: systemFields.cloudRequired.default(false),
    network: systemFields.network.default('internet'),
    builtBy: systemFields.builtBy.default('municipal'),
    userScope: systemFields.userScope.default('public'),
    endpoints: systemFields.endpoints.default([]),
    tags: systemFields.tags.default([]),
  })
  .strict()
  .openapi('SystemCreate');

export const systemPatchSchema = z.object(systemFields).partial().strict().openapi('SystemPatch');

export type SystemCreate = z.infer<typeof systemCreateSchema>;
export type SystemPatch = z.infer<typeof systemPatchSchema>;

export const reasonSchema = z
  .object({ code: z.string(), detail: z.string().optional(), since: z.string().nullish(), evidence: z.unknown().optional() })
  .passthrough();

export const systemSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    departmentCode: z.string(),
    departmentName: z.string(),
    operatorUnit: z.string().nullable(),
    contractor: z.string().nullable(),
    contact: z.object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() }),
    description: z.string().nullable(),
    lifecycle: z.enum(LIFECYCLES),
    launchedOn: z.string().nullable(),
    deployment: z.enum(DEPLOYMENTS),
    cloudRequired: z.boolean(),
    network: z.enum(NETWORKS),
    builtBy: z.enum(BUILT_BY),
    mlpsLevel: z.number().int().nullable(),
    userScope: z.enum(USER_SCOPES),
    registeredUsers: z.number().int().nullable(),
    endpoints: z.array(z.object({ url: z.string(), role: z.enum(ENDPOINT_ROLES) })),
    tags: z.array(z.string()),
    status: z.enum(SYSTEM_STATUSES),
    statusReasons: z.array(reasonSchema),
    statusAt: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    retiredAt: z.string().nullable(),
  })
  .openapi('System');

export const departmentCreateSchema = z
  .object({
    code: codeSchema,
    name: text(200).min(1),
    shortName: optionalText(100),
    level: z.enum(DEPARTMENT_LEVELS),
    kind: z.enum(DEPARTMENT_KINDS).default('department'),
    parentCode: codeSchema.nullish(),
    dissolvedOn: dateString.nullish(),
    successorCode: codeSchema.nullish(),
  })
  .strict()
  .openapi('DepartmentCreate');

export const departmentPatchSchema = departmentCreateSchema.omit({ code: true }).partial().strict().openapi('DepartmentPatch');

export type DepartmentCreate = z.infer<typeof departmentCreateSchema>;
export type DepartmentPatch = z.infer<typeof departmentPatchSchema>;

export const departmentSchema = z
  .object({
    code: z.string(),
    name: z.string(),
    shortName: z.string().nullable(),
    level: z.enum(DEPARTMENT_LEVELS),
    kind: z.enum(DEPARTMENT_KINDS),
    parentCode: z.string().nullable(),
    dissolvedOn: z.string().nullable(),
    successorCode: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Department');

export type DepartmentDto = z.infer<typeof departmentSchema>;
export type SystemDto = z.infer<typeof systemSchema>;
