import type { Role } from '../../src/db/schema/enums.js';

/**
 * Who may call each API operation: one row (or several, for operations whose body decides, such as
 * PATCH /findings/{id}) per operation of /api/v1/openapi.json. test/api/security.db.test.ts fails when
 * an operation of the document has no row here, so a new route must say who may call it.
 *
 * `path` (and `body`) name a resource of 兰山区 (371302): the department token of the suite is 兰山's,
 * so a role refused here is refused for its role, not its scope. `scoped` rows must also refuse a
 * department token of another department (罗庄区, 371311). Rows are checked with requests that would
 * succeed for an allowed role, so a refusal is the permission's doing, not the body's.
 *
 * `suite`: which fixture the row runs on (`api`: test/api, the small inventory; `verdicts`:
 * test/verdicts, the city fixture with findings).
 */
export interface SecurityRow {
  op: string;
  suite: 'api' | 'verdicts';
  path: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Roles that may make this request; every other role gets 403 forbidden. */
  roles: readonly Role[];
  /** The resource belongs to a department: a department token of another department gets 403. */
  scoped?: boolean;
}

export const ROLES_ALL: readonly Role[] = ['admin', 'auditor', 'department', 'viewer'];
const OPS: readonly Role[] = ['admin', 'auditor'];
const WRITERS: readonly Role[] = ['admin', 'auditor', 'department'];
const OVERSIGHT: readonly Role[] = ['admin', 'auditor', 'viewer'];

const V = '/api/v1';

export const SECURITY_TABLE: SecurityRow[] = [
  // Departments
  { op: 'GET /departments', suite: 'api', path: `${V}/departments`, roles: ROLES_ALL },
  { op: 'POST /departments', suite: 'api', path: `${V}/departments`, body: { code: 'SEC-D', name: 'x', level: 'county', parentCode: '371300' }, roles: OPS },
  { op: 'GET /departments/{code}', suite: 'api', path: `${V}/departments/371302`, roles: ROLES_ALL },
  { op: 'PATCH /departments/{code}', suite: 'api', path: `${V}/departments/371311`, body: { shortName: '罗庄' }, roles: OPS },
  // Systems
  { op: 'GET /systems', suite: 'api', path: `${V}/systems`, roles: ROLES_ALL },
  { op: 'POST /systems', suite: 'api', path: `${V}/systems`, body: { code: 'SEC-S', name: 'x', departmentCode: '371302' }, roles: WRITERS, scoped: true },
  { op: 'GET /systems/{code}', suite: 'api', path: `${V}/systems/LS-PORTAL`, roles: ROLES_ALL, scoped: true },
  { op: 'PATCH /systems/{code}', suite: 'api', path: `${V}/systems/LS-OA`, body: { contractor: 'x' }, roles: WRITERS, scoped: true },
  { op: 'PATCH /systems/{code}', suite: 'api', path: `${V}/systems/LS-OA`, body: { lifecycle: 'retired' }, roles: OPS, scoped: true },
  { op: 'DELETE /systems/{code}', suite: 'api', path: `${V}/systems/LS-OA`, roles: OPS, scoped: true },
  // Evidence
  { op: 'GET /systems/{code}/probes', suite: 'api', path: `${V}/systems/LS-PORTAL/probes`, roles: ROLES_ALL, scoped: true },
  { op: 'POST /systems/{code}/usage', suite: 'api', path: `${V}/systems/LS-PORTAL/usage`, body: [{ date: '2026-11-01', metric: 'visits', value: 1 }], roles: WRITERS, scoped: true },
  { op: 'GET /systems/{code}/usage', suite: 'api', path: `${V}/systems/LS-PORTAL/usage`, roles: ROLES_ALL, scoped: true },
  // Site inspection (issue 11)
  { op: 'GET /systems/{code}/inspection', suite: 'api', path: `${V}/systems/LS-PORTAL/inspection`, roles: ROLES_ALL, scoped: true },
  { op: 'GET /systems/{code}/sections', suite: 'api', path: `${V}/systems/LS-PORTAL/sections`, roles: ROLES_ALL, scoped: true },
  { op: 'POST /systems/{code}/sections', suite: 'api', path: `${V}/systems/LS-PORTAL/sections`, body: { url: 'https://www.lanshan.gov.cn/tzgg/', name: '通知公告', type: 'notice_policy' }, roles: OPS, scoped: true },
  { op: 'PATCH /systems/{code}/sections/{id}', suite: 'api', path: `${V}/systems/LS-PORTAL/sections/999999`, body: { type: 'dynamic' }, roles: OPS, scoped: true },
  // Cloud resources (issue 12): LS-PORTAL is 兰山区's; the POST registers (then updates) SEC-R1 on it
  { op: 'GET /systems/{code}/resources', suite: 'api', path: `${V}/systems/LS-PORTAL/resources`, roles: ROLES_ALL, scoped: true },
  { op: 'POST /systems/{code}/resources', suite: 'api', path: `${V}/systems/LS-PORTAL/resources`, body: { kind: 'vm', externalId: 'SEC-R1', vcpu: 2, memoryGb: 4, storageGb: 40 }, roles: WRITERS, scoped: true },
  { op: 'GET /resources', suite: 'api', path: `${V}/resources?orphans=true`, roles: ROLES_ALL },
  { op: 'POST /resources/{externalId}/utilisation', suite: 'api', path: `${V}/resources/SEC-R1/utilisation`, body: [{ date: '2026-11-01', cpuAvg: 1, cpuP95: 2, cpuMax: 3, memPct: 10, netInBytes: 1, netOutBytes: 1 }], roles: WRITERS, scoped: true },
  { op: 'GET /resources/{externalId}/utilisation', suite: 'api', path: `${V}/resources/SEC-R1/utilisation`, roles: ROLES_ALL, scoped: true },
  // Audit and tokens
  { op: 'GET /audit', suite: 'api', path: `${V}/audit`, roles: OVERSIGHT },
  { op: 'GET /tokens', suite: 'api', path: `${V}/tokens`, roles: ['admin'] },
  { op: 'POST /tokens', suite: 'api', path: `${V}/tokens`, body: { role: 'viewer', name: 'x' }, roles: ['admin'] },
  { op: 'DELETE /tokens/{id}', suite: 'api', path: `${V}/tokens/999999`, roles: ['admin'] },
  // Sweeps
  { op: 'POST /sweeps', suite: 'api', path: `${V}/sweeps`, body: {}, roles: OPS },
  { op: 'GET /sweeps/{id}', suite: 'api', path: `${V}/sweeps/1`, roles: ROLES_ALL },
  // Import and export
  { op: 'POST /imports', suite: 'api', path: `${V}/imports?dryRun=true`, rawBody: 'code,name\n', headers: { 'content-type': 'text/csv' }, roles: OPS },
  { op: 'GET /export', suite: 'api', path: `${V}/export?format=json`, roles: ROLES_ALL },
  // Campaigns
  { op: 'GET /campaigns', suite: 'api', path: `${V}/campaigns`, roles: ROLES_ALL },
  { op: 'POST /campaigns', suite: 'api', path: `${V}/campaigns`, body: { name: 'x', deadline: '2099-01-01', scope: { departments: ['371302'] } }, roles: OPS },
  { op: 'GET /campaigns/{id}', suite: 'api', path: `${V}/campaigns/1`, roles: ROLES_ALL },
  { op: 'GET /campaigns/{id}/links', suite: 'api', path: `${V}/campaigns/1/links`, roles: OPS },
  { op: 'POST /campaigns/{id}/links/{departmentCode}/rotate', suite: 'api', path: `${V}/campaigns/1/links/371302/rotate`, roles: OPS },
  { op: 'POST /campaigns/{id}/close', suite: 'api', path: `${V}/campaigns/1/close`, roles: OPS },
  { op: 'GET /campaigns/{id}/transfers', suite: 'api', path: `${V}/campaigns/1/transfers`, roles: OVERSIGHT },
  { op: 'GET /campaigns/{id}/missing-systems', suite: 'api', path: `${V}/campaigns/1/missing-systems`, roles: OVERSIGHT },
  { op: 'POST /transfers/{id}/accept', suite: 'api', path: `${V}/transfers/1/accept`, body: {}, roles: OPS },
  { op: 'POST /transfers/{id}/reject', suite: 'api', path: `${V}/transfers/1/reject`, body: {}, roles: OPS },
  // Notifications
  { op: 'GET /webhooks', suite: 'api', path: `${V}/webhooks`, roles: OPS },
  { op: 'POST /webhooks', suite: 'api', path: `${V}/webhooks`, body: { name: 'x', kind: 'generic', url: 'https://hooks.example/x' }, roles: OPS },
  { op: 'DELETE /webhooks/{id}', suite: 'api', path: `${V}/webhooks/999999`, roles: OPS },
  { op: 'POST /webhooks/{id}/test', suite: 'api', path: `${V}/webhooks/999999/test`, roles: OPS },
  // Policies (finding 1 is DEAD's, in 兰山区's 教体局; FLAKY is 兰山区's own)
  { op: 'GET /policies', suite: 'verdicts', path: `${V}/policies`, roles: ROLES_ALL },
  { op: 'POST /policies', suite: 'verdicts', path: `${V}/policies`, body: { version: 'sec-1' }, roles: OPS },
  { op: 'POST /policies/{version}/activate', suite: 'verdicts', path: `${V}/policies/2026-12-default/activate`, roles: OPS },
  { op: 'GET /systems/{code}/policy', suite: 'verdicts', path: `${V}/systems/FLAKY/policy`, roles: ROLES_ALL, scoped: true },
  { op: 'PUT /systems/{code}/policy', suite: 'verdicts', path: `${V}/systems/FLAKY/policy`, body: { season: 'tax_filing' }, roles: OPS, scoped: true },
  // Findings
  { op: 'GET /findings', suite: 'verdicts', path: `${V}/findings`, roles: ROLES_ALL },
  { op: 'GET /findings/{id}', suite: 'verdicts', path: `${V}/findings/1`, roles: ROLES_ALL, scoped: true },
  { op: 'PATCH /findings/{id}', suite: 'verdicts', path: `${V}/findings/1`, body: { action: 'notify' }, roles: OPS, scoped: true },
  { op: 'PATCH /findings/{id}', suite: 'verdicts', path: `${V}/findings/1`, body: { action: 'answer', answer: { type: 'keep', justification: 'x' } }, roles: WRITERS, scoped: true },
  { op: 'PATCH /findings/{id}', suite: 'verdicts', path: `${V}/findings/1`, body: { action: 'close' }, roles: OPS, scoped: true },
  { op: 'PATCH /findings/{id}', suite: 'verdicts', path: `${V}/findings/1`, body: { action: 'reopen' }, roles: OPS, scoped: true },
  // Reports
  { op: 'GET /reports/monthly', suite: 'verdicts', path: `${V}/reports/monthly?month=2026-11&format=json`, roles: OVERSIGHT },
];

/** `METHOD /path` of every operation in an OpenAPI document. */
export function operationsOf(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((m) => methods.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
}

/** A short name for a row in test titles. */
export const rowName = (r: SecurityRow) => `${r.op}${r.body && typeof r.body === 'object' && 'action' in r.body ? ` (${(r.body as { action: string }).action})` : ''}`;

export const deniedRoles = (r: SecurityRow) => (['admin', 'auditor', 'department', 'viewer'] as const).filter((role) => !r.roles.includes(role));
