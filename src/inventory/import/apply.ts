import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/sql.js';
import { departments, endpoints, systems } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { recordAudit, type Actor, type AuditEntry } from '../../audit/index.js';
import type { SystemCreate } from '../schemas.js';
import { dedupeEndpoints, storeEndpoints, systemColumns, toSystemDto, type EndpointRow, type SystemWithDept } from '../systems.js';
import type { Parsed } from '../spreadsheet.js';
import { english, type Localized } from './messages.js';

const failure = (m: Localized): Parsed<never> => ({ ok: false, message: english(m), key: m.key, ...(m.params ? { params: m.params } : {}) });

/** Rows per statement: well under PostgreSQL's 65,535 bind parameters for every table written. */
const CHUNK = 1000;
const LOOKUP_CHUNK = 20_000;

export interface DepartmentRef {
  id: number;
  code: string;
  name: string;
  shortName: string | null;
  path: string;
}


export interface ExistingSystem {
  row: SystemWithDept;
  endpoints: EndpointRow[];
}

const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');

/** Every department, resolvable by code, full name or short name (a city has hundreds, not millions). */
export class DepartmentDirectory {
  private readonly byCode = new Map<string, DepartmentRef>();
  private readonly byName = new Map<string, DepartmentRef[]>();
  private readonly byShort = new Map<string, DepartmentRef[]>();

  constructor(readonly all: DepartmentRef[]) {
    for (const d of all) {
      this.byCode.set(d.code, d);
      push(this.byName, norm(d.name), d);
      if (d.shortName) push(this.byShort, norm(d.shortName), d);
    }
  }

  resolve(text: string): Parsed<DepartmentRef> {
    const t = text.trim();
    const exact = this.byCode.get(t);
    if (exact) return { ok: true, value: exact };
    const n = norm(t);
    for (const [list, what] of [
      [this.byName.get(n), 'full name'],
      [this.byShort.get(n), 'short name'],
    ] as const) {
      if (!list?.length) continue;
      if (list.length === 1) return { ok: true, value: list[0]! };
      void what;
      return failure({ key: 'import.department.ambiguous', params: { value: t, count: list.length, codes: list.map((d) => d.code).join(', ') } });
    }
    const near = this.all.filter((d) => norm(d.name).includes(n) || (d.shortName && norm(d.shortName).includes(n))).slice(0, 3);
    if (n.length >= 2 && near.length) return failure({ key: 'import.department.unknownNear', params: { value: t, near: near.map((d) => `${d.name} (${d.code})`).join(' / ') } });
    return failure({ key: 'import.department.unknown', params: { value: t } });
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export async function loadDirectory(db: Db): Promise<DepartmentDirectory> {
  const rows = await db
    .select({ id: departments.id, code: departments.code, name: departments.name, shortName: departments.shortName, path: departments.path })
    .from(departments);
  return new DepartmentDirectory(rows);
}

/** Stored systems with these codes and their endpoints; `lock` takes row locks for the transaction. */
export async function loadExisting(db: Db, codes: string[], lock: boolean): Promise<Map<string, ExistingSystem>> {
  const out = new Map<string, ExistingSystem>();
  // One JSON parameter instead of thousands of bind parameters: far faster to plan, and no parameter limit.
  const wanted = (list: string[]) => sql`${systems.code} in (select jsonb_array_elements_text(${JSON.stringify(list)}::jsonb))`;
  for (let i = 0; i < codes.length; i += LOOKUP_CHUNK) {
    const chunk = codes.slice(i, i + LOOKUP_CHUNK);
    const q = db
      .select({ system: systems, departmentCode: departments.code, departmentName: departments.name, departmentPath: departments.path })
      .from(systems)
      .innerJoin(departments, eq(departments.id, systems.departmentId))
      .where(wanted(chunk));
    const rows = lock ? await q.for('update', { of: systems }) : await q;
    for (const r of rows) {
      out.set(r.system.code, {
        row: { ...r.system, departmentCode: r.departmentCode, departmentName: r.departmentName, departmentPath: r.departmentPath },
        endpoints: [],
      });
    }
    if (!rows.length) continue;
    const eps = await db
      .select({ systemId: endpoints.systemId, url: endpoints.url, role: endpoints.role, code: systems.code })
      .from(endpoints)
      .innerJoin(systems, eq(systems.id, endpoints.systemId))
      .where(wanted(chunk))
      .orderBy(asc(endpoints.systemId), asc(endpoints.position), asc(endpoints.id));
    for (const e of eps) out.get(e.code)!.endpoints.push({ systemId: e.systemId, url: e.url, role: e.role });
  }
  return out;
}

export interface UpsertItem {
  input: SystemCreate;
  department: DepartmentRef;
  existing?: ExistingSystem;
}

export interface UpsertPlan {
  creates: UpsertItem[];
  updates: Array<UpsertItem & { existing: ExistingSystem; endpointsChanged: boolean }>;
  unchanged: number;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => v === b[i]);
  return a === b;
}

/** New systems, changed systems and how many are equal to what is stored (those are not touched at all). */
export function planUpsert(items: UpsertItem[]): UpsertPlan {
  const plan: UpsertPlan = { creates: [], updates: [], unchanged: 0 };
  for (const item of items) {
    const stored = item.existing;
    if (!stored) {
      plan.creates.push(item);
      continue;
    }
    const cols = systemColumns(item.input) as Record<string, unknown>;
    const row = stored.row as unknown as Record<string, unknown>;
    const fieldsChanged = stored.row.departmentId !== item.department.id || Object.entries(cols).some(([k, v]) => !sameValue(row[k], v));
    const want = dedupeEndpoints(item.input.endpoints);
    const endpointsChanged = want.length !== stored.endpoints.length || want.some((e, i) => e.url !== stored.endpoints[i]!.url || e.role !== stored.endpoints[i]!.role);
    if (fieldsChanged || endpointsChanged) plan.updates.push({ ...item, existing: stored, endpointsChanged });
    else plan.unchanged++;
  }
  return plan;
}

/** A system's columns as one JSON record (snake_case, as jsonb_to_recordset reads them). */
function systemRecord(input: SystemCreate, departmentId: number, retiredAt: Date | null) {
  const c = systemColumns(input);
  return {
    code: input.code,
    name: c.name,
    department_id: departmentId,
    operator_unit: c.operatorUnit ?? null,
    contractor: c.contractor ?? null,
    contact_name: c.contactName ?? null,
    contact_phone: c.contactPhone ?? null,
    contact_email: c.contactEmail ?? null,
    description: c.description ?? null,
    lifecycle: c.lifecycle,
    launched_on: c.launchedOn ?? null,
    deployment: c.deployment,
    cloud_required: c.cloudRequired,
    network: c.network,
    built_by: c.builtBy,
    mlps_level: c.mlpsLevel ?? null,
    user_scope: c.userScope,
    registered_users: c.registeredUsers ?? null,
    tags: c.tags,
    retired_at: retiredAt ? retiredAt.toISOString() : null,
  };
}

const RECORD_TYPE = sql.raw(`code text, name text, department_id integer, operator_unit text, contractor text,
  contact_name text, contact_phone text, contact_email text, description text, lifecycle lifecycle,
  launched_on date, deployment deployment, cloud_required boolean, network network, built_by built_by,
  mlps_level smallint, user_scope user_scope, registered_users integer, tags text[], retired_at timestamptz`);

/**
 * Writes a plan in bulk inside the caller's transaction. Each chunk is ONE statement with ONE JSON parameter
 * (INSERT … SELECT / UPDATE … FROM jsonb_to_recordset): thousands of bind parameters per statement are slow
 * to bind and plan. Updates are guarded by the version read earlier, so a system someone changed meanwhile
 * fails the import instead of being overwritten. Endpoints are stored only where they changed (an address
 * kept keeps its endpoint and its history: storeEndpoints); every created or changed system gets an audit
 * entry with before/after.
 */
export async function applyUpsert(tx: Db, actor: Actor, plan: UpsertPlan, opts: { now: Date; action: string }): Promise<void> {
  const { now, action } = opts;
  const stamp = now.toISOString();
  const audit: AuditEntry[] = [];
  const newEndpoints: EndpointRow[] = [];
  // New systems: their endpoints are stored with those of the systems whose list changed (`replaced`).
  const created: number[] = [];

  for (let i = 0; i < plan.creates.length; i += CHUNK) {
    const chunk = plan.creates.slice(i, i + CHUNK);
    const records = chunk.map((c) => systemRecord(c.input, c.department.id, c.input.lifecycle === 'retired' ? now : null));
    const inserted = rowsOf<{ id: number; code: string }>(
      await tx.execute(sql`
        insert into systems (code, name, department_id, operator_unit, contractor, contact_name, contact_phone, contact_email,
          description, lifecycle, launched_on, deployment, cloud_required, network, built_by, mlps_level, user_scope,
          registered_users, tags, retired_at, created_at, updated_at)
        select code, name, department_id, operator_unit, contractor, contact_name, contact_phone, contact_email,
          description, lifecycle, launched_on, deployment, cloud_required, network, built_by, mlps_level, user_scope,
          registered_users, coalesce(tags, '{}'), retired_at, ${stamp}::timestamptz, ${stamp}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(${RECORD_TYPE})
        returning id, code`),
    );
    const idOf = new Map(inserted.map((r) => [r.code, Number(r.id)]));
    for (const c of chunk) {
      const id = idOf.get(c.input.code)!;
      created.push(id);
      const list = dedupeEndpoints(c.input.endpoints).map((e) => ({ systemId: id, url: e.url, role: e.role }));
      newEndpoints.push(...list);
      const row: SystemWithDept = {
        ...(systemColumns(c.input) as typeof systems.$inferSelect),
        id,
        code: c.input.code,
        departmentId: c.department.id,
        departmentCode: c.department.code,
        departmentName: c.department.name,
        departmentPath: c.department.path,
        // Column defaults of a new system (the classifier has not seen it yet).
        status: 'insufficient_evidence',
        statusReasons: [],
        statusAt: null,
        retiredAt: c.input.lifecycle === 'retired' ? now : null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      audit.push({ action, entity: 'system', entityId: c.input.code, before: null, after: toSystemDto(row, list) });
    }
  }

  const replaced: number[] = [];
  for (let i = 0; i < plan.updates.length; i += CHUNK) {
    const chunk = plan.updates.slice(i, i + CHUNK);
    const records = chunk.map((u) => {
      const before = u.existing.row;
      const retiredAt = u.input.lifecycle === 'retired' ? (before.retiredAt ?? now) : null;
      return { ...systemRecord(u.input, u.department.id, retiredAt), id: before.id, version: before.version };
    });
    const touched = rowsOf<{ id: number }>(
      await tx.execute(sql`
        update systems as s set
          name = r.name, department_id = r.department_id, operator_unit = r.operator_unit, contractor = r.contractor,
          contact_name = r.contact_name, contact_phone = r.contact_phone, contact_email = r.contact_email,
          description = r.description, lifecycle = r.lifecycle, launched_on = r.launched_on, deployment = r.deployment,
          cloud_required = r.cloud_required, network = r.network, built_by = r.built_by, mlps_level = r.mlps_level,
          user_scope = r.user_scope, registered_users = r.registered_users, tags = coalesce(r.tags, '{}'), retired_at = r.retired_at,
          version = s.version + 1, updated_at = ${stamp}::timestamptz
        from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as r(id integer, version integer, ${RECORD_TYPE})
        where s.id = r.id and s.version = r.version
        returning s.id`),
    ).length;
    if (touched !== chunk.length) {
      throw new AppError('conflict', `${chunk.length - touched} system(s) were changed by someone else during the import; nothing was imported — run it again`);
    }
    for (const [k, u] of chunk.entries()) {
      const before = u.existing.row;
      const list = dedupeEndpoints(u.input.endpoints).map((e) => ({ systemId: before.id, url: e.url, role: e.role }));
      if (u.endpointsChanged) {
        replaced.push(before.id);
        newEndpoints.push(...list);
      }
      const retired = records[k]!.retired_at;
      const afterRow: SystemWithDept = {
        ...before,
        ...systemColumns(u.input),
        departmentId: u.department.id,
        departmentCode: u.department.code,
        departmentName: u.department.name,
        departmentPath: u.department.path,
        retiredAt: retired ? new Date(retired) : null,
        version: before.version + 1,
        updatedAt: now,
      };
      audit.push({ action, entity: 'system', entityId: u.input.code, before: toSystemDto(before, u.existing.endpoints), after: toSystemDto(afterRow, list) });
    }
  }

  await storeEndpoints(tx, [...created, ...replaced], newEndpoints);
  await recordAudit(tx, actor, audit);
}

