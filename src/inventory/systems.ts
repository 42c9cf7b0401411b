import { and, asc, eq, gt, ilike, inArray, like, or, sql, type SQL } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.js';
import { inScope, requireScope } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { departments, endpoints, systems, type Deployment, type Lifecycle, type SystemStatus } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit, type Actor } from './audit.js';
import { decodeCursor, page } from './cursor.js';
import { escapeLike, findDepartment } from './departments.js';
import type { SystemCreate, SystemDto, SystemPatch } from './schemas.js';

type SystemRow = typeof systems.$inferSelect;
export type SystemWithDept = SystemRow & { departmentCode: string; departmentName: string; departmentPath: string };
type EndpointRow = { systemId: number; url: string; role: SystemDto['endpoints'][number]['role'] };

export function toSystemDto(r: SystemWithDept, eps: EndpointRow[]): SystemDto {
  return {
    code: r.code,
    name: r.name,
    departmentCode: r.departmentCode,
    departmentName: r.departmentName,
    operatorUnit: r.operatorUnit,
    contractor: r.contractor,
    contact: { name: r.contactName, phone: r.contactPhone, email: r.contactEmail },
    description: r.description,
    lifecycle: r.lifecycle,
    launchedOn: r.launchedOn,
    deployment: r.deployment,
    cloudRequired: r.cloudRequired,
    network: r.network,
    builtBy: r.builtBy,
    mlpsLevel: r.mlpsLevel,
    userScope: r.userScope,
    registeredUsers: r.registeredUsers,
    endpoints: eps.map((e) => ({ url: e.url, role: e.role })),
    tags: r.tags,
    status: r.status,
    statusReasons: (r.statusReasons as SystemDto['statusReasons']) ?? [],
    statusAt: r.statusAt?.toISOString() ?? null,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    retiredAt: r.retiredAt?.toISOString() ?? null,
  };
}

function selectSystems(db: Db) {
  return db
    .select({ system: systems, departmentCode: departments.code, departmentName: departments.name, departmentPath: departments.path })
    .from(systems)
    .innerJoin(departments, eq(departments.id, systems.departmentId));
}

async function withEndpoints(db: Db, rows: Array<{ system: SystemRow; departmentCode: string; departmentName: string; departmentPath: string }>) {
  const ids = rows.map((r) => r.system.id);
  const eps = ids.length
    ? await db
        .select({ systemId: endpoints.systemId, url: endpoints.url, role: endpoints.role })
        .from(endpoints)
        .where(inArray(endpoints.systemId, ids))
        .orderBy(asc(endpoints.systemId), asc(endpoints.position), asc(endpoints.id))
    : [];
  const bySystem = new Map<number, EndpointRow[]>();
  for (const e of eps) {
    const list = bySystem.get(e.systemId) ?? [];
    list.push(e);
    bySystem.set(e.systemId, list);
  }
  return rows.map((r) => ({
    row: { ...r.system, departmentCode: r.departmentCode, departmentName: r.departmentName, departmentPath: r.departmentPath },
    endpoints: bySystem.get(r.system.id) ?? [],
  }));
}

export async function findSystem(db: Db, code: string) {
  const rows = await selectSystems(db).where(eq(systems.code, code));
  if (!rows.length) return undefined;
  return (await withEndpoints(db, rows))[0]!;
}

export async function getSystem(db: Db, principal: Principal, code: string): Promise<SystemDto> {
  const found = await findSystem(db, code);
  if (!found) throw notFound(`system ${code}`);
  requireScope(principal, found.row.departmentPath, `system ${code}`);
  return toSystemDto(found.row, found.endpoints);
}

export interface SystemQuery {
  department?: string;
  lifecycle?: Lifecycle;
  deployment?: Deployment;
  status?: SystemStatus;
  q?: string;
  tag?: string;
  limit: number;
  cursor?: string;
}

/**
 * One page of systems in one statement: department and endpoints come along as columns, and the
 * department filter is a subtree match on the materialised path. The hot read of the API.
 */
export async function listSystems(db: Db, principal: Principal, query: SystemQuery) {
  const afterId = decodeCursor(query.cursor);
  const where: SQL[] = [];
  if (afterId !== undefined) where.push(sql`s.id > ${afterId}`);
  if (principal.role === 'department') where.push(sql`d.path like ${`${principal.departmentPath ?? '/none/'}%`}`);
  if (query.department) {
    where.push(sql`s.department_id in (select c.id from departments c where c.path like (select p.path || '%' from departments p where p.code = ${query.department}))`);
  }
  if (query.lifecycle) where.push(sql`s.lifecycle = ${query.lifecycle}`);
  if (query.deployment) where.push(sql`s.deployment = ${query.deployment}`);
  if (query.status) where.push(sql`s.status = ${query.status}`);
  if (query.tag) where.push(sql`${query.tag} = any(s.tags)`);
  if (query.q) {
    const pat = `%${escapeLike(query.q)}%`;
    where.push(sql`(s.name ilike ${pat} or s.code ilike ${pat} or s.description ilike ${pat})`);
  }
  const res = await db.execute(sql`
    select s.*, d.code as department_code, d.name as department_name, d.path as department_path,
      coalesce((select json_agg(json_build_object('url', e.url, 'role', e.role) order by e.position, e.id) from endpoints e where e.system_id = s.id), '[]') as endpoint_list
    from systems s join departments d on d.id = s.department_id
    ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    order by s.id
    limit ${query.limit + 1}`);
  const rows = (Array.isArray(res) ? res : (res as { rows: unknown[] }).rows) as Array<Record<string, unknown>>;
  if (!rows.length && query.department && !(await findDepartment(db, query.department))) {
    throw new AppError('validation_failed', `unknown department ${query.department}`, [{ path: 'department', message: 'no such department' }]);
  }
  return page(
    rows.map((r) => ({ id: Number(r.id), r })),
    query.limit,
    ({ r }) => toSystemDto(fromRawRow(r), parseJson(r.endpoint_list) as EndpointRow[]),
  );
}

const parseJson = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
const toDate = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));

/** A raw `systems` row (snake_case, from db.execute) as the Drizzle row shape. */
function fromRawRow(r: Record<string, unknown>): SystemWithDept {
  return {
    id: Number(r.id),
    code: String(r.code),
    name: String(r.name),
    departmentId: Number(r.department_id),
    operatorUnit: (r.operator_unit as string | null) ?? null,
    contractor: (r.contractor as string | null) ?? null,
    contactName: (r.contact_name as string | null) ?? null,
    contactPhone: (r.contact_phone as string | null) ?? null,
    contactEmail: (r.contact_email as string | null) ?? null,
    description: (r.description as string | null) ?? null,
    lifecycle: r.lifecycle as SystemRow['lifecycle'],
    launchedOn: r.launched_on === null || r.launched_on === undefined ? null : String(r.launched_on instanceof Date ? r.launched_on.toISOString().slice(0, 10) : r.launched_on).slice(0, 10),
    deployment: r.deployment as SystemRow['deployment'],
    cloudRequired: Boolean(r.cloud_required),
    network: r.network as SystemRow['network'],
    builtBy: r.built_by as SystemRow['builtBy'],
    mlpsLevel: r.mlps_level === null || r.mlps_level === undefined ? null : Number(r.mlps_level),
    userScope: r.user_scope as SystemRow['userScope'],
    registeredUsers: r.registered_users === null || r.registered_users === undefined ? null : Number(r.registered_users),
    tags: parsePgArray(r.tags),
    status: r.status as SystemRow['status'],
    statusReasons: parseJson(r.status_reasons) ?? [],
    statusAt: toDate(r.status_at),
    retiredAt: toDate(r.retired_at),
    version: Number(r.version),
    createdAt: toDate(r.created_at)!,
    updatedAt: toDate(r.updated_at)!,
    departmentCode: String(r.department_code),
    departmentName: String(r.department_name),
    departmentPath: String(r.department_path),
  };
}

/** text[] arrives as a JS array from postgres.js and as "{a,b}" text from some drivers. */
function parsePgArray(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== 'string' || v === '{}') return [];
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^,{}]+)/g;
  for (const m of v.slice(1, -1).matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!);
  return out;
}

/** Column values of a system from its API input (create or full import row). */
export function systemColumns(input: Omit<SystemCreate, 'code' | 'departmentCode'> | SystemPatch): Partial<typeof systems.$inferInsert> {
  const out: Partial<typeof systems.$inferInsert> = {};
  if (input.name !== undefined) out.name = input.name;
  if (input.operatorUnit !== undefined) out.operatorUnit = input.operatorUnit;
  if (input.contractor !== undefined) out.contractor = input.contractor;
  if (input.contact !== undefined) {
    out.contactName = input.contact?.name ?? null;
    out.contactPhone = input.contact?.phone ?? null;
    out.contactEmail = input.contact?.email ?? null;
  }
  if (input.description !== undefined) out.description = input.description;
  if (input.lifecycle !== undefined) out.lifecycle = input.lifecycle;
  if (input.launchedOn !== undefined) out.launchedOn = input.launchedOn ?? null;
  if (input.deployment !== undefined) out.deployment = input.deployment;
  if (input.cloudRequired !== undefined) out.cloudRequired = input.cloudRequired;
  if (input.network !== undefined) out.network = input.network;
  if (input.builtBy !== undefined) out.builtBy = input.builtBy;
  if (input.mlpsLevel !== undefined) out.mlpsLevel = input.mlpsLevel ?? null;
  if (input.userScope !== undefined) out.userScope = input.userScope;
  if (input.registeredUsers !== undefined) out.registeredUsers = input.registeredUsers ?? null;
  if (input.tags !== undefined) out.tags = [...new Set(input.tags)];
  return out;
}

export function dedupeEndpoints(eps: SystemCreate['endpoints']): SystemCreate['endpoints'] {
  const seen = new Set<string>();
  return eps.filter((e) => (seen.has(e.url) ? false : (seen.add(e.url), true)));
}

async function replaceEndpoints(db: Db, systemId: number, eps: SystemCreate['endpoints']): Promise<void> {
  await db.delete(endpoints).where(eq(endpoints.systemId, systemId));
  const list = dedupeEndpoints(eps);
  if (list.length) await db.insert(endpoints).values(list.map((e, i) => ({ systemId, url: e.url, role: e.role, position: i })));
}

async function departmentInScope(db: Db, principal: Principal, code: string, field: string) {
  const d = await findDepartment(db, code);
  if (!d) throw new AppError('validation_failed', `unknown department ${code}`, [{ path: field, message: 'no such department' }]);
  if (!inScope(principal, d.path)) throw new AppError('forbidden', `department ${code} is outside this token's department`);
  return d;
}

export async function createSystem(db: Db, actor: Actor, input: SystemCreate): Promise<SystemDto> {
  return db.transaction(async (tx) => {
    const d = await departmentInScope(tx, actor.principal, input.departmentCode, 'departmentCode');
    const [exists] = await tx.select({ id: systems.id }).from(systems).where(eq(systems.code, input.code));
    if (exists) throw new AppError('conflict', `system ${input.code} already exists`);
    const [row] = await tx
      .insert(systems)
      .values({ ...(systemColumns(input) as typeof systems.$inferInsert), code: input.code, departmentId: d.id, retiredAt: input.lifecycle === 'retired' ? new Date() : null })
      .returning({ id: systems.id });
    await replaceEndpoints(tx, row!.id, input.endpoints);
    const dto = await getSystem(tx, actor.principal, input.code);
    await recordAudit(tx, actor, { action: 'create', entity: 'system', entityId: input.code, after: dto });
    return dto;
  });
}

export async function updateSystem(db: Db, actor: Actor, code: string, patch: SystemPatch, ifMatch?: number): Promise<SystemDto> {
  return db.transaction(async (tx) => {
    const [locked] = await tx.select({ id: systems.id }).from(systems).where(eq(systems.code, code)).for('update');
    if (!locked) throw notFound(`system ${code}`);
    const before = await getSystem(tx, actor.principal, code);
    if (ifMatch !== undefined && ifMatch !== before.version) {
      throw new AppError('precondition_failed', `system ${code} has changed since version ${ifMatch} (now ${before.version})`);
    }
    const set = systemColumns(patch);
    if (patch.departmentCode !== undefined && patch.departmentCode !== before.departmentCode) {
      set.departmentId = (await departmentInScope(tx, actor.principal, patch.departmentCode, 'departmentCode')).id;
    }
    if (patch.lifecycle !== undefined) set.retiredAt = patch.lifecycle === 'retired' ? (before.retiredAt ? new Date(before.retiredAt) : new Date()) : null;
    await tx
      .update(systems)
      .set({ ...set, version: before.version + 1, updatedAt: new Date() })
      .where(eq(systems.id, locked.id));
    if (patch.endpoints !== undefined) await replaceEndpoints(tx, locked.id, patch.endpoints);
    const after = await getSystem(tx, actor.principal, code);
    await recordAudit(tx, actor, { action: 'update', entity: 'system', entityId: code, before, after });
    return after;
  });
}

/** DELETE retires: the row, its endpoints and history stay; lifecycle becomes `retired`. */
export async function retireSystem(db: Db, actor: Actor, code: string, ifMatch?: number): Promise<SystemDto> {
  const current = await getSystem(db, actor.principal, code);
  if (current.lifecycle === 'retired') return current;
  return updateSystem(db, actor, code, { lifecycle: 'retired' }, ifMatch);
}
