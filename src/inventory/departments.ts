import { aliasedTable, and, asc, eq, gt, ilike, inArray, or, sql } from 'drizzle-orm';
import { departmentScope, escapeLike, inSubtree, requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { departments, type DepartmentLevel } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { decodeCursor, page } from '../http/pagination.js';
import type { DepartmentCreate, DepartmentDto, DepartmentPatch } from './schemas.js';

const LEVEL_RANK: Record<DepartmentLevel, number> = { city: 0, county: 1, township: 2, village: 3 };

const parent = aliasedTable(departments, 'parent');
const successor = aliasedTable(departments, 'successor');

type Row = typeof departments.$inferSelect & { parentCode: string | null; successorCode: string | null };

function toDto(r: Row): DepartmentDto {
  return {
    code: r.code,
    name: r.name,
    shortName: r.shortName,
    level: r.level,
    kind: r.kind,
    parentCode: r.parentCode,
    dissolvedOn: r.dissolvedOn,
    successorCode: r.successorCode,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function selectDepartments(db: Db) {
  return db
    .select({ ...getColumns(), parentCode: parent.code, successorCode: successor.code })
    .from(departments)
    .leftJoin(parent, eq(parent.id, departments.parentId))
    .leftJoin(successor, eq(successor.id, departments.successorId));
}

function getColumns() {
  const { id, code, name, shortName, level, kind, parentId, path, dissolvedOn, successorId, version, createdAt, updatedAt } = departments;
  return { id, code, name, shortName, level, kind, parentId, path, dissolvedOn, successorId, version, createdAt, updatedAt };
}

export async function findDepartment(db: Db, code: string): Promise<Row | undefined> {
  const [row] = await selectDepartments(db).where(eq(departments.code, code));
  return row;
}

export async function getDepartment(db: Db, principal: Principal, code: string): Promise<DepartmentDto> {
  requirePermission(principal, 'read');
  return departmentDto(db, code);
}

async function departmentDto(db: Db, code: string): Promise<DepartmentDto> {
  const row = await findDepartment(db, code);
  if (!row) throw notFound(`department ${code}`);
  return toDto(row);
}

export interface DepartmentQuery {
  parent?: string;
  under?: string;
  level?: DepartmentLevel;
  q?: string;
  limit: number;
  cursor?: string;
}

export async function listDepartments(db: Db, principal: Principal, query: DepartmentQuery) {
  requirePermission(principal, 'read');
  const afterId = decodeCursor(query.cursor);
  const where = [afterId !== undefined ? gt(departments.id, afterId) : undefined];
  if (query.parent) {
    const p = await findDepartment(db, query.parent);
    if (!p) throw new AppError('validation_failed', `unknown department ${query.parent}`, [{ path: 'parent', message: 'no such department' }]);
    where.push(eq(departments.parentId, p.id));
  }
  if (query.under) {
    const p = await findDepartment(db, query.under);
    if (!p) throw new AppError('validation_failed', `unknown department ${query.under}`, [{ path: 'under', message: 'no such department' }]);
    where.push(inSubtree(departments.path, p.path));
  }
  if (query.level) where.push(eq(departments.level, query.level));
  if (query.q) {
    const pat = `%${escapeLike(query.q)}%`;
    where.push(or(ilike(departments.name, pat), ilike(departments.code, pat), ilike(departments.shortName, pat)));
  }
  const rows = await selectDepartments(db)
    .where(and(...where.filter(Boolean)))
    .orderBy(asc(departments.id))
    .limit(query.limit + 1);
  return page(rows, query.limit, toDto);
}

export { escapeLike };

async function resolveCode(db: Db, code: string | null | undefined, field: string): Promise<Row | null> {
  if (!code) return null;
  const row = await findDepartment(db, code);
  if (!row) throw new AppError('validation_failed', `unknown department ${code}`, [{ path: field, message: 'no such department' }]);
  return row;
}

function checkLevel(childLevel: DepartmentLevel, parentRow: Row | null): void {
  if (parentRow && LEVEL_RANK[childLevel] < LEVEL_RANK[parentRow.level]) {
    throw new AppError('validation_failed', `a ${childLevel} department cannot sit under a ${parentRow.level} one`, [
      { path: 'level', message: `must be ${parentRow.level} or lower than its parent` },
    ]);
  }
}

export async function createDepartment(db: Db, actor: Actor, input: DepartmentCreate): Promise<DepartmentDto> {
  requirePermission(actor.principal, 'departments');
  return db.transaction(async (tx) => {
    if (await findDepartment(tx, input.code)) throw new AppError('conflict', `department ${input.code} already exists`);
    const parentRow = await resolveCode(tx, input.parentCode, 'parentCode');
    const successorRow = await resolveCode(tx, input.successorCode, 'successorCode');
    checkLevel(input.level, parentRow);
    const [created] = await tx
      .insert(departments)
      .values({
        code: input.code,
        name: input.name,
        shortName: input.shortName ?? null,
        level: input.level,
        kind: input.kind,
        parentId: parentRow?.id ?? null,
        path: '/',
        dissolvedOn: input.dissolvedOn ?? null,
        successorId: successorRow?.id ?? null,
      })
      .returning({ id: departments.id });
    const path = `${parentRow?.path ?? '/'}${created!.id}/`;
    await tx.update(departments).set({ path }).where(eq(departments.id, created!.id));
    const dto = await departmentDto(tx, input.code);
    await recordAudit(tx, actor, { action: 'create', entity: 'department', entityId: input.code, after: dto });
    return dto;
  });
}

export async function updateDepartment(db: Db, actor: Actor, code: string, patch: DepartmentPatch, ifMatch?: number): Promise<DepartmentDto> {
  requirePermission(actor.principal, 'departments');
  return db.transaction(async (tx) => {
    const [locked] = await tx.select({ id: departments.id }).from(departments).where(eq(departments.code, code)).for('update');
    if (!locked) throw notFound(`department ${code}`);
    const current = (await findDepartment(tx, code))!;
    if (ifMatch !== undefined && ifMatch !== current.version) {
      throw new AppError('precondition_failed', `department ${code} has changed (version ${current.version}, If-Match ${ifMatch})`);
    }
    const before = toDto(current);
    const set: Partial<typeof departments.$inferInsert> = {};
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.shortName !== undefined) set.shortName = patch.shortName;
    if (patch.level !== undefined) set.level = patch.level;
    if (patch.kind !== undefined) set.kind = patch.kind;
    if (patch.dissolvedOn !== undefined) set.dissolvedOn = patch.dissolvedOn;
    if (patch.successorCode !== undefined) {
      const s = await resolveCode(tx, patch.successorCode, 'successorCode');
      if (s?.id === current.id) throw new AppError('validation_failed', 'a department cannot succeed itself', [{ path: 'successorCode', message: 'same as the department' }]);
      set.successorId = s?.id ?? null;
    }
    let newPath: string | undefined;
    const level = patch.level ?? current.level;
    if (patch.parentCode !== undefined) {
      const p = await resolveCode(tx, patch.parentCode, 'parentCode');
      if (p && p.path.startsWith(current.path)) {
        throw new AppError('validation_failed', `moving ${code} under ${p.code} would make a cycle in the department tree`, [
          { path: 'parentCode', message: 'is the department itself or one of its descendants' },
        ]);
      }
      checkLevel(level, p);
      set.parentId = p?.id ?? null;
      newPath = `${p?.path ?? '/'}${current.id}/`;
    } else if (patch.level !== undefined && current.parentId !== null) {
      const [p] = await selectDepartments(tx).where(eq(departments.id, current.parentId));
      checkLevel(level, p ?? null);
    }
    set.version = current.version + 1;
    set.updatedAt = new Date();
    await tx.update(departments).set(set).where(eq(departments.id, current.id));
    if (newPath && newPath !== current.path) {
      // Rewrite the path of the whole subtree in one statement.
      await tx
        .update(departments)
        .set({ path: sql`${newPath} || substr(${departments.path}, ${current.path.length + 1})` })
        .where(inSubtree(departments.path, current.path));
    }
    const after = await departmentDto(tx, code);
    await recordAudit(tx, actor, { action: 'update', entity: 'department', entityId: code, before, after });
    return after;
  });
}

/** Ids and paths of departments by code, for bulk resolution (imports). */
export async function departmentsByCode(db: Db, codes: string[]) {
  if (!codes.length) return new Map<string, { id: number; path: string; name: string }>();
  const rows = await db
    .select({ id: departments.id, code: departments.code, path: departments.path, name: departments.name })
    .from(departments)
    .where(inArray(departments.code, codes));
  return new Map(rows.map((r) => [r.code, r]));
}

/** Departments a principal may filter by (its subtree for department tokens). */
export async function departmentOptions(db: Db, principal: Principal) {
  requirePermission(principal, 'read');
  return db
    .select({ code: departments.code, name: departments.name, path: departments.path, level: departments.level })
    .from(departments)
    .where(departmentScope(principal, departments.path))
    .orderBy(asc(departments.path))
    .limit(5000);
}

/**
 * Counties, districts and development zones (the county-level governments and zones, not the county
 * bureaus under them), for choosing a campaign's scope or filtering by county. Dissolved ones are left out.
 */
export async function countyOptions(db: Db, principal: Principal) {
  requirePermission(principal, 'read');
  return db
    .select({ code: departments.code, name: departments.name })
    .from(departments)
    .where(and(eq(departments.level, 'county'), inArray(departments.kind, ['government', 'zone']), sql`${departments.dissolvedOn} is null`))
    .orderBy(departments.path);
}
