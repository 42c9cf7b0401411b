import { pgEnum } from 'drizzle-orm/pg-core';
import { DEPARTMENT_KINDS, DEPARTMENT_LEVELS, DEPLOYMENTS, ENDPOINT_ROLES, LIFECYCLES, NETWORKS, STATUSES, USER_SCOPES } from '../../../reports/codes.js';

// Values are part of the public contract (shared/contract.md): extend, never rename. The names the
// classifier reads are defined once, in the reporting core; a new value needs a migration
// (test/reports/contract.test.ts compares the migrated database with them).
export { DEPARTMENT_KINDS, DEPARTMENT_LEVELS, DEPLOYMENTS, ENDPOINT_ROLES, LIFECYCLES, NETWORKS, USER_SCOPES };
export type { DepartmentKind, DepartmentLevel, Deployment, EndpointRole, Lifecycle, Network, UserScope } from '../../../reports/codes.js';
export const SYSTEM_STATUSES = STATUSES;
export type SystemStatus = (typeof SYSTEM_STATUSES)[number];
export const BUILT_BY = ['national', 'provincial', 'municipal', 'county'] as const;
export type BuiltBy = (typeof BUILT_BY)[number];
export const ROLES = ['admin', 'auditor', 'department', 'viewer'] as const;
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

// State columns stored as plain `text` (no database enum, so a new value needs no migration), typed
// with these values through Drizzle's `text(col, { enum })`. Services import the lists from here.
export const CAMPAIGN_STATUSES = ['open', 'closed'] as const;
export const CAMPAIGN_ITEM_STATES = ['pending', 'confirmed', 'transfer_requested', 'transferred', 'retirement_requested', 'disowned'] as const;
export const TRANSFER_STATES = ['pending', 'accepted', 'rejected', 'cancelled'] as const;
export const SWEEP_STATUSES = ['queued', 'running', 'done', 'cancelled'] as const;
export const SWEEP_TRIGGERS = ['cli', 'api', 'cron'] as const;
/** What a sweep target is: one of a system's endpoints, or one of its usage sources. */
export const SWEEP_TARGET_KINDS = ['endpoint', 'usage_source'] as const;
export const SWEEP_TARGET_STATES = ['pending', 'leased', 'done'] as const;
/** Where a usage value came from: pushed to the API, pulled from a source, or read from an access log. */
export const USAGE_ORIGINS = ['push', 'pull', 'log'] as const;
export const USAGE_SOURCE_KINDS = ['json', 'prometheus'] as const;
export const FINDING_STATUSES = ['open', 'notified', 'answered', 'closed', 'reopened'] as const;
export const WEBHOOK_KINDS = ['wecom', 'dingtalk', 'generic', 'smtp'] as const;
