import { asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Principal } from '../auth/tokens.js';
import { departmentScope, escapeLike, inScope, requireLifecycleChange, requirePermission, requireScope } from '../auth/access.js';
import type { Db } from '../db/client.js';
import { intArray, rowsOf } from '../db/sql.js';
import { departments, endpoints, systems, type Deployment, type Lifecycle, type SystemStatus } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { moveOpenFindings } from '../verdicts/finding-moves.js';
import { jsonText, type HasJsonText } from '../http/json-text.js';
import { decodeCursor, encodeCursor } from '../http/pagination.js';
import { findDepartment } from './departments.js';
import type { SystemCreate, SystemDto, SystemPatch } from './schemas.js';

type SystemRow = typeof systems.$inferSelect;
export type SystemWithDept = SystemRow & { departmentCode: string; departmentName: string; departmentPath: string };
export type EndpointRow = { systemId: number; url: string; role: SystemDto['endpoints'][number]['role'] };

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

/** A system the principal may read (its department's subtree for department tokens); 404 when there is none. */
export async function scopedSystem(db: Db, principal: Principal, code: string) {
  requirePermission(principal, 'read');
  const found = await findSystem(db, code);
  if (!found) throw notFound(`system ${code}`);
  requireScope(principal, found.row.departmentPath, `system ${code}`);
  return found;
}

export async function getSystem(db: Db, principal: Principal, code: string): Promise<SystemDto> {
  const found = await scopedSystem(db, principal, code);
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
 * department filter is a subtree match on the materialised path. The hot read of the API. The
 * inventory version is read in the same statement (the same snapshot), so a page can be cached
 * under the version it was rendered from.
 */
export async function listSystems(db: Db, principal: Principal, query: SystemQuery): Promise<SystemPage> {
  requirePermission(principal, 'read');
  const afterId = decodeCursor(query.cursor);
  const where: SQL[] = [];
  if (afterId !== undefined) where.push(sql`s.id > ${afterId}`);
  const scope = departmentScope(principal, sql`d.path`);
  if (scope) where.push(scope);
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
  // The page's JSON is written by PostgreSQL (SystemPage); one row more than the limit tells whether
  // there is a next page.
  const res = await readPrepared(db, sql`
    select coalesce(json_agg(p.item order by p.id) filter (where p.n <= ${query.limit}), '[]'::json)::text as items,
      count(*)::int as rows, max(p.id) filter (where p.n <= ${query.limit}) as last_id,
      (select v.version from inventory_version v where v.id = 1) as inventory_version
    from (
      select q.*, row_number() over (order by q.id) as n
      from (
        select s.id, ${systemDtoJson} as item
        from systems s join departments d on d.id = s.department_id
        ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
        order by s.id
        limit ${query.limit + 1}
      ) q
    ) p`);
  const [row] = rowsOf<{ items: string; rows: unknown; last_id: unknown; inventory_version: unknown }>(res);
  const count = Number(row!.rows);
  if (!count && query.department && !(await findDepartment(db, query.department))) {
    throw new AppError('validation_failed', `unknown department ${query.department}`, [{ path: 'department', message: 'no such department' }]);
  }
  return new SystemPage(String(row!.items), count > query.limit ? encodeCursor(Number(row!.last_id)) : null, Number(row!.inventory_version ?? 0));
}

/**
 * A page of systems as PostgreSQL wrote it; `items` is parsed only when read. Its JSON text is
 * compact: PostgreSQL's json output spaces keys (`"code" : "…"`), so it is parsed and written once
 * (the API caches the text, so this happens once per inventory version and page).
 */
export class SystemPage implements HasJsonText {
  #itemsJson: string;
  #items: SystemDto[] | undefined;
  #text: string | undefined;
  constructor(itemsJson: string, readonly nextCursor: string | null, readonly inventoryVersion: number) {
    this.#itemsJson = itemsJson;
  }

  get [jsonText](): string {
    return (this.#text ??= JSON.stringify(this.toJSON()));
  }

  get items(): SystemDto[] {
    return (this.#items ??= JSON.parse(this.#itemsJson) as SystemDto[]);
  }

  toJSON() {
    return { items: this.items, nextCursor: this.nextCursor };
  }
}

/** Timestamps as Date#toISOString writes them (UTC, milliseconds truncated like a JS Date). */
const iso = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The list item built by PostgreSQL, key for key what `toSystemDto` builds in JavaScript: the hot
 * list then parses one JSON value per row instead of 28 columns and three dates. Aliases: `s`
 * systems, `d` its department. Keep the two in step when a field is added.
 */
const systemDtoJson = sql`json_build_object(
  'code', s.code, 'name', s.name, 'departmentCode', d.code, 'departmentName', d.name,
  'operatorUnit', s.operator_unit, 'contractor', s.contractor,
  'contact', json_build_object('name', s.contact_name, 'phone', s.contact_phone, 'email', s.contact_email),
  'description', s.description, 'lifecycle', s.lifecycle, 'launchedOn', to_char(s.launched_on, 'YYYY-MM-DD'),
  'deployment', s.deployment, 'cloudRequired', s.cloud_required, 'network', s.network, 'builtBy', s.built_by,
  'mlpsLevel', s.mlps_level, 'userScope', s.user_scope, 'registeredUsers', s.registered_users,
  'endpoints', coalesce((select json_agg(json_build_object('url', e.url, 'role', e.role) order by e.position, e.id) from endpoints e where e.system_id = s.id), '[]'::json),
  'tags', to_json(s.tags), 'status', s.status, 'statusReasons', s.status_reasons,
  'statusAt', ${iso(sql`s.status_at`)}, 'version', s.version,
  'createdAt', ${iso(sql`s.created_at`)}, 'updatedAt', ${iso(sql`s.updated_at`)}, 'retiredAt', ${iso(sql`s.retired_at`)})`;

/**
 * Runs a read as a named prepared statement when the database is a postgres.js pool, so PostgreSQL
 * plans the hot list query once per connection instead of on every request; elsewhere (PGlite, a
 * transaction) it is a plain execute.
 */
async function readPrepared(db: Db, query: SQL): Promise<unknown> {
  const { $client: client, dialect } = db as unknown as {
    $client?: { unsafe?: (q: string, p: unknown[], o: { prepare: boolean }) => Promise<unknown> };
    dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } };
  };
  if (typeof client?.unsafe !== 'function') return db.execute(query);
  const q = dialect.sqlToQuery(query);
  return client.unsafe(q.sql, q.params, { prepare: true });
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
  await storeEndpoints(db, [systemId], dedupeEndpoints(eps).map((e) => ({ systemId, url: e.url, role: e.role })));
}

/** Systems per statement when storing endpoints (an import's thousands of systems). */
const ENDPOINT_CHUNK = 1000;

/**
 * The endpoints of `systemIds` become `rows` (each system's in order, no URL twice). An address the
 * system keeps keeps its endpoint — its id, so its latest state and its history (content changes, IPv6
 * grades, inspection visits, the targets of a sweep under way) — with its role and position updated;
 * an address no longer listed goes, with what was kept for it; a new one is added. Replacing them all
 * would have cut every endpoint's history at each edit: a page unchanged for a year would have looked
 * first seen that day.
 */
export async function storeEndpoints(db: Db, systemIds: readonly number[], rows: readonly EndpointRow[]): Promise<void> {
  const bySystem = new Map<number, Array<{ system_id: number; url: string; role: string; position: number }>>(systemIds.map((id) => [id, []]));
  for (const e of rows) {
    const list = bySystem.get(e.systemId);
    if (!list) throw new Error(`endpoint of system ${e.systemId}, which is not being stored`);
    list.push({ system_id: e.systemId, url: e.url, role: e.role, position: list.length });
  }
  const ids = [...bySystem.keys()];
  for (let i = 0; i < ids.length; i += ENDPOINT_CHUNK) {
    const chunk = ids.slice(i, i + ENDPOINT_CHUNK);
    const wanted = JSON.stringify(chunk.flatMap((id) => bySystem.get(id)!));
    await db.execute(sql`
      delete from ${endpoints} e
      where e.system_id = any(${intArray(chunk)})
        and not exists (select 1 from jsonb_to_recordset(${wanted}::jsonb) as w(system_id integer, url text) where w.system_id = e.system_id and w.url = e.url)`);
    await db.execute(sql`
      insert into ${endpoints} as e (system_id, url, role, position)
      select system_id, url, role, position
      from jsonb_to_recordset(${wanted}::jsonb) as w(system_id integer, url text, role endpoint_role, position smallint)
      on conflict (system_id, url) do update set role = excluded.role, position = excluded.position
      where e.role is distinct from excluded.role or e.position is distinct from excluded.position`);
  }
}

async function departmentInScope(db: Db, principal: Principal, code: string, field: string) {
  const d = await findDepartment(db, code);
  if (!d) throw new AppError('validation_failed', `unknown department ${code}`, [{ path: field, message: 'no such department' }]);
  if (!inScope(principal, d.path)) throw new AppError('forbidden', `department ${code} is outside this token's department`);
  return d;
}

export async function createSystem(db: Db, actor: Actor, input: SystemCreate): Promise<SystemDto> {
  requirePermission(actor.principal, 'write');
  requireLifecycleChange(actor.principal, null, input.lifecycle);
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

/** @param now when a retirement happens (the injected clock; the wall clock by default). */
export async function updateSystem(db: Db, actor: Actor, code: string, patch: SystemPatch, ifMatch?: number, now: Date = new Date()): Promise<SystemDto> {
  requirePermission(actor.principal, 'write');
  return db.transaction(async (tx) => {
    const [locked] = await tx.select({ id: systems.id }).from(systems).where(eq(systems.code, code)).for('update');
    if (!locked) throw notFound(`system ${code}`);
    const before = await getSystem(tx, actor.principal, code);
    if (ifMatch !== undefined && ifMatch !== before.version) {
      throw new AppError('precondition_failed', `system ${code} has changed since version ${ifMatch} (now ${before.version})`);
    }
    if (patch.lifecycle !== undefined) requireLifecycleChange(actor.principal, before.lifecycle, patch.lifecycle);
    const set = systemColumns(patch);
    let movedTo: { id: number; code: string } | null = null;
    if (patch.departmentCode !== undefined && patch.departmentCode !== before.departmentCode) {
      const d = await departmentInScope(tx, actor.principal, patch.departmentCode, 'departmentCode');
      movedTo = { id: d.id, code: d.code };
      set.departmentId = movedTo.id;
    }
    if (patch.lifecycle !== undefined) set.retiredAt = patch.lifecycle === 'retired' ? (before.retiredAt ? new Date(before.retiredAt) : now) : null;
    await tx
      .update(systems)
      .set({ ...set, version: before.version + 1, updatedAt: new Date() })
      .where(eq(systems.id, locked.id));
    if (patch.endpoints !== undefined) await replaceEndpoints(tx, locked.id, patch.endpoints);
    // Its findings in progress move with it (and so does who may read and answer them).
    if (movedTo) await moveOpenFindings(tx, actor, { id: locked.id, code }, before.departmentCode, movedTo);
    const after = await getSystem(tx, actor.principal, code);
    await recordAudit(tx, actor, { action: 'update', entity: 'system', entityId: code, before, after });
    return after;
  });
}

/** DELETE retires: the row, its endpoints and history stay; lifecycle becomes `retired`. */
export async function retireSystem(db: Db, actor: Actor, code: string, ifMatch?: number): Promise<SystemDto> {
  requirePermission(actor.principal, 'retire');
  const current = await getSystem(db, actor.principal, code);
  if (current.lifecycle === 'retired') return current;
  return updateSystem(db, actor, code, { lifecycle: 'retired' }, ifMatch);
}
