import { pgEnum } from 'drizzle-orm/pg-core';

// Values are part of the public contract (shared/contract.md): extend, never rename.
export const DEPARTMENT_LEVELS = ['city', 'county', 'township', 'village'] as const;
export const DEPARTMENT_KINDS = ['department', 'government', 'zone', 'enterprise'] as const;
export const LIFECYCLES = ['planning', 'construction', 'live', 'decommissioning', 'retired'] as const;
export const DEPLOYMENTS = ['gov_cloud', 'self_hosted', 'hosted', 'other'] as const;
export const NETWORKS = ['internet', 'egov_extranet', 'private'] as const;
export const BUILT_BY = ['national', 'provincial', 'municipal', 'county'] as const;
export const USER_SCOPES = ['public', 'internal', 'cross_department'] as const;
export const ENDPOINT_ROLES = ['portal', 'app', 'api', 'admin'] as const;
export const SYSTEM_STATUSES = ['active', 'semi_zombie', 'zombie', 'insufficient_evidence', 'exempt'] as const;
export const ROLES = ['admin', 'auditor', 'department', 'viewer'] as const;

export type DepartmentLevel = (typeof DEPARTMENT_LEVELS)[number];
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];
export type Lifecycle = (typeof LIFECYCLES)[number];
export type Deployment = (typeof DEPLOYMENTS)[number];
export type Network = (typeof NETWORKS)[number];
export type BuiltBy = (typeof BUILT_BY)[number];
export type UserScope = (typeof USER_SCOPES)[number];
export type EndpointRole = (typeof ENDPOINT_ROLES)[number];
export type SystemStatus = (typeof SYSTEM_STATUSES)[number];
export type Role = (typeof ROLES)[number];

export const departmentLevel = pgEnum('department_level', DEPARTMENT_LEVELS);
export const departmentKind = pgEnum('department_kind', DEPARTMENT_KINDS);
export const lifecycle = pgEnum('lifecycle', LIFECYCLES);
export const deployment = pgEnum('deployment', DEPLOYMENTS);
export const network = pgEnum('network', NETWORKS);
export const builtBy = pgEnum('built_by', BUILT_BY);
export const userScope = pgEnum('user_scope', USER_SCOPES);
export const endpointRole = pgEnum('endpoint_role', ENDPOINT_ROLES);
export const systemStatus = pgEnum('system_status', SYSTEM_STATUSES);
export const role = pgEnum('role', ROLES);
