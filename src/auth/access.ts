import { AppError } from '../errors.js';
import type { Principal } from './tokens.js';

/** What a role may do. Department tokens are further limited to their own subtree (see inScope). */
/** `departments`: reshape the department tree; `retire`: retire a system (departments ask through a campaign instead). */
export type Permission = 'read' | 'write' | 'departments' | 'retire' | 'tokens' | 'audit' | 'sweep';

const GRANTS: Record<Principal['role'], ReadonlySet<Permission>> = {
  admin: new Set(['read', 'write', 'departments', 'retire', 'tokens', 'audit', 'sweep']),
  auditor: new Set(['read', 'write', 'departments', 'retire', 'audit', 'sweep']),
  department: new Set(['read', 'write']),
  viewer: new Set(['read', 'audit']),
};

export function can(p: Principal, perm: Permission): boolean {
  return GRANTS[p.role].has(perm);
}

export function requirePermission(p: Principal, perm: Permission): void {
  if (!can(p, perm)) throw new AppError('forbidden', `role ${p.role} may not ${perm === 'read' ? 'read this' : perm}`);
}

/** Whether a department path lies in the principal's scope (a department and its descendants). */
export function inScope(p: Principal, departmentPath: string): boolean {
  if (p.role !== 'department') return true;
  return p.departmentPath !== null && departmentPath.startsWith(p.departmentPath);
}

export function requireScope(p: Principal, departmentPath: string, what: string): void {
  if (!inScope(p, departmentPath)) throw new AppError('forbidden', `${what} belongs to another department`);
}
