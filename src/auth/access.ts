import { like, type Column, type SQL } from 'drizzle-orm';
import type { Lifecycle, Role } from '../db/schema/enums.js';
import { AppError } from '../errors.js';
import type { Principal } from './tokens.js';

/**
 * Who may do what: the one permission registry. Services call `requirePermission` (and the scope
 * helpers below) before they read or change anything; routes and pages never check roles themselves.
 * Department tokens are further limited to their own subtree (`inScope`, `departmentScope`).
 */
const ops: readonly Role[] = ['admin', 'auditor'];
const everyone: readonly Role[] = ['admin', 'auditor', 'department', 'viewer'];

export const PERMISSIONS = {
  read: { roles: everyone, what: 'read the inventory, its evidence and findings' },
  write: { roles: ['admin', 'auditor', 'department'], what: 'change systems and push usage' },
  departments: { roles: ops, what: 'reshape the department tree' },
  retire: { roles: ops, what: 'retire or decommission a system (departments ask through a campaign instead)' },
  tokens: { roles: ['admin'], what: 'manage API tokens' },
  audit: { roles: ['admin', 'auditor', 'viewer'], what: 'read the audit trail' },
  sweep: { roles: ops, what: 'start sweeps' },
  import: { roles: ops, what: 'import the inventory (admin and auditor only)' },
  export: { roles: everyone, what: 'export the inventory' },
  'campaigns.read': { roles: everyone, what: 'read campaigns' },
  'campaigns.review': { roles: ['admin', 'auditor', 'viewer'], what: 'read transfers and missing-system reports' },
  'campaigns.manage': { roles: ops, what: 'manage campaigns' },
  'policies.read': { roles: everyone, what: 'read classification policies' },
  'policies.manage': { roles: ops, what: 'change classification policies' },
  'reports.city': { roles: ['admin', 'auditor', 'viewer'], what: 'read the city-wide monthly report' },
  'findings.answer': { roles: ['admin', 'auditor', 'department'], what: 'answer findings' },
  'findings.manage': { roles: ops, what: 'notify, close or reopen findings (auditors do)' },
  webhooks: { roles: ops, what: 'manage notification webhooks' },
  // site inspection (issue 11)
  'sections.manage': { roles: ops, what: 'register, correct and type the sections of a portal' },
  // Cloud resources (issue 12): department tokens see and change only their own systems' resources.
  'resources.read': { roles: everyone, what: 'read cloud resources and their utilisation' },
  'resources.write': { roles: ['admin', 'auditor', 'department'], what: 'register cloud resources and push their utilisation' },
  'resources.import': { roles: ops, what: 'import the government-cloud resource ledger and monitoring exports' },
  'resources.pull': { roles: ops, what: 'pull resource utilisation from Prometheus' },
} as const satisfies Record<string, { roles: readonly Role[]; what: string }>;

export type Permission = keyof typeof PERMISSIONS;

export function can(p: Principal, perm: Permission): boolean {
  return (PERMISSIONS[perm].roles as readonly Role[]).includes(p.role);
}

export function requirePermission(p: Principal, perm: Permission): void {
  if (!can(p, perm)) throw new AppError('forbidden', `role ${p.role} may not ${PERMISSIONS[perm].what}`);
}

/**
 * A lifecycle state is a permission too: moving a system into or out of a state needs that state's
 * permission, so PATCH `lifecycle: "retired"` is refused exactly where DELETE is.
 */
export const LIFECYCLE_PERMISSIONS: Record<Lifecycle, Permission> = {
  planning: 'write',
  construction: 'write',
  live: 'write',
  decommissioning: 'retire',
  retired: 'retire',
};

/** Checks a lifecycle change (`from` null: a new system). Nothing to check when the state stays. */
export function requireLifecycleChange(p: Principal, from: Lifecycle | null, to: Lifecycle): void {
  if (from === to) return;
  if (from !== null) requirePermission(p, LIFECYCLE_PERMISSIONS[from]);
  requirePermission(p, LIFECYCLE_PERMISSIONS[to]);
}

/** Whether a department path lies in the principal's scope (a department and its descendants). */
export function inScope(p: Principal, departmentPath: string): boolean {
  if (p.role !== 'department') return true;
  return p.departmentPath !== null && departmentPath.startsWith(p.departmentPath);
}

export function requireScope(p: Principal, departmentPath: string, what: string): void {
  if (!inScope(p, departmentPath)) throw new AppError('forbidden', `${what} belongs to another department`);
}

/** Escapes `%`, `_` and `\` for a LIKE pattern. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A department path column in the subtree at `path` (the department itself and its descendants). */
export function inSubtree(pathColumn: Column | SQL, path: string): SQL {
  return like(pathColumn, `${escapeLike(path)}%`);
}

/**
 * The SQL form of `inScope`: the condition a department principal's reads add on a department path
 * column; undefined (no condition) for everyone else. A department token without a department sees nothing.
 */
export function departmentScope(p: Principal, pathColumn: Column | SQL): SQL | undefined {
  if (p.role !== 'department') return undefined;
  return inSubtree(pathColumn, p.departmentPath ?? '/none/');
}
