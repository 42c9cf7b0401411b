import { and, asc, eq, gte, isNull, lte, sql, type SQL } from 'drizzle-orm';
import { departmentScope, requirePermission, requireScope } from '../auth/access.js';
import { recordAudit, type Actor } from '../audit/index.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { cloudResources, departments, resourceUtilisation, systems, type UtilisationSource } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { scopedSystem } from '../inventory/systems.js';
import type { ResourceCreate, ResourceDto, UtilisationPoint } from './schemas.js';

/**
 * Cloud resources (政务云 资源台账) and their daily utilisation. Only this module (and the importers and the
 * pull beside it) runs SQL on these tables. Department tokens see and change the resources of their own
 * systems; orphans (no system) are visible to the other roles only.
 */

type ResourceRow = typeof cloudResources.$inferSelect;

function selectResources(db: Db) {
  return db
    .select({ r: cloudResources, systemCode: systems.code, departmentCode: departments.code, departmentPath: departments.path })
    .from(cloudResources)
    .leftJoin(systems, eq(systems.id, cloudResources.systemId))
    .leftJoin(departments, eq(departments.id, systems.departmentId));
}

export function toResourceDto(x: { r: ResourceRow; systemCode: string | null; departmentCode: string | null }): ResourceDto {
  const r = x.r;
  return {
    kind: r.kind,
    externalId: r.externalId,
    name: r.name,
    systemCode: x.systemCode,
    departmentCode: x.departmentCode,
    vcpu: r.vcpu,
    memoryGb: r.memoryGb,
    storageGb: r.storageGb,
    bandwidthMbps: r.bandwidthMbps,
    monthlyCost: r.monthlyCost,
    since: r.since,
    until: r.until,
  };
}

/** The resources of a system the principal may read. */
export async function listSystemResources(db: Db, principal: Principal, code: string): Promise<ResourceDto[]> {
  requirePermission(principal, 'resources.read');
  const system = (await scopedSystem(db, principal, code)).row;
  const rows = await selectResources(db).where(eq(cloudResources.systemId, system.id)).orderBy(asc(cloudResources.externalId));
  return rows.map(toResourceDto);
}

export interface ResourceQuery {
  orphans?: boolean;
  system?: string;
  limit: number;
  afterExternalId?: string;
}

/** Resources the principal may read; `orphans: true` lists only those tied to no system. */
export async function listResources(db: Db, principal: Principal, q: ResourceQuery): Promise<{ items: ResourceDto[]; nextCursor: string | null }> {
  requirePermission(principal, 'resources.read');
  const where: SQL[] = [];
  const scope = departmentScope(principal, departments.path);
  if (scope) where.push(scope);
  if (q.orphans === true) where.push(isNull(cloudResources.systemId));
  if (q.orphans === false) where.push(sql`${cloudResources.systemId} is not null`);
  if (q.system) where.push(eq(systems.code, q.system));
  if (q.afterExternalId) where.push(sql`${cloudResources.externalId} > ${q.afterExternalId}`);
  const rows = await selectResources(db)
    .where(where.length ? and(...where) : undefined)
    .orderBy(asc(cloudResources.externalId))
    .limit(q.limit + 1);
  const items = rows.slice(0, q.limit).map(toResourceDto);
  return { items, nextCursor: rows.length > q.limit ? items.at(-1)!.externalId : null };
}

/**
 * Registers a resource for a system, or updates it when the system already has it (so a repeated POST is
 * harmless). An externalId held by another system is a conflict: moving a resource is a ledger import.
 */
export async function putSystemResource(db: Db, actor: Actor, code: string, input: ResourceCreate): Promise<{ resource: ResourceDto; created: boolean }> {
  requirePermission(actor.principal, 'resources.write');
  const system = (await scopedSystem(db, actor.principal, code)).row;
  return db.transaction(async (tx) => {
    const [existing] = await selectResources(tx).where(eq(cloudResources.externalId, input.externalId)).for('update', { of: cloudResources });
    if (existing && existing.r.systemId !== system.id) {
      throw new AppError('conflict', `resource ${input.externalId} is already registered${existing.systemCode ? ` for another system` : ' as an orphan'}; change it through a ledger import`, [
        { path: 'externalId', message: 'already registered elsewhere' },
      ]);
    }
    const values = {
      kind: input.kind,
      externalId: input.externalId,
      name: input.name ?? null,
      systemId: system.id,
      vcpu: input.vcpu,
      memoryGb: input.memoryGb,
      storageGb: input.storageGb,
      bandwidthMbps: input.bandwidthMbps ?? null,
      monthlyCost: input.monthlyCost ?? null,
      since: input.since ?? null,
      until: input.until ?? null,
    };
    if (existing) await tx.update(cloudResources).set({ ...values, updatedAt: new Date() }).where(eq(cloudResources.id, existing.r.id));
    else await tx.insert(cloudResources).values(values);
    const [row] = await selectResources(tx).where(eq(cloudResources.externalId, input.externalId));
    const resource = toResourceDto(row!);
    await recordAudit(tx, actor, { action: existing ? 'update' : 'create', entity: 'resource', entityId: input.externalId, before: existing ? toResourceDto(existing) : null, after: resource });
    return { resource, created: !existing };
  });
}

/** A resource the principal may read (department tokens: only their systems' resources; orphans: not theirs). */
export async function scopedResource(db: Db, principal: Principal, externalId: string) {
  const [row] = await selectResources(db).where(eq(cloudResources.externalId, externalId));
  // A department token learns nothing of resource ids outside its systems, not even whether they exist.
  if (!row && principal.role === 'department') throw new AppError('forbidden', `no system of your department has resource ${externalId}`);
  if (!row) throw notFound(`resource ${externalId}`);
  if (principal.role === 'department') {
    if (row.departmentPath === null) throw new AppError('forbidden', `resource ${externalId} belongs to no system of your department`);
    requireScope(principal, row.departmentPath, `resource ${externalId}`);
  }
  return row;
}

export interface UtilisationRow {
  day: string;
  cpuAvg: number | null;
  cpuP95: number | null;
  cpuMax: number | null;
  memPct: number | null;
  netInBytes: number | null;
  netOutBytes: number | null;
  diskReadBytes?: number | null;
  diskWriteBytes?: number | null;
  /** Set for a day without evidence: why. */
  missingReason?: string | null;
}

const whole = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x));

/**
 * Stores utilisation days: the same resource and day replaces, never adds (the last row of a batch wins,
 * as a repeated post would). A missing-evidence row never replaces figures already stored: a failed pull
 * after a good one must not erase the good day.
 */
export async function upsertUtilisation(db: Db, rows: Array<UtilisationRow & { resourceId: number }>, source: UtilisationSource, now: Date): Promise<number> {
  const byKey = new Map<string, typeof resourceUtilisation.$inferInsert>();
  for (const r of rows) {
    byKey.set(`${r.resourceId}|${r.day}`, {
      resourceId: r.resourceId,
      day: r.day,
      source,
      cpuAvg: r.cpuAvg,
      cpuP95: r.cpuP95,
      cpuMax: r.cpuMax,
      memPct: r.memPct,
      netInBytes: whole(r.netInBytes),
      netOutBytes: whole(r.netOutBytes),
      diskReadBytes: whole(r.diskReadBytes),
      diskWriteBytes: whole(r.diskWriteBytes),
      missingReason: r.missingReason ?? null,
      updatedAt: now,
    });
  }
  const list = [...byKey.values()].sort((a, b) => a.resourceId - b.resourceId || (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const t = resourceUtilisation;
  for (let i = 0; i < list.length; i += 2000) {
    await db
      .insert(t)
      .values(list.slice(i, i + 2000))
      .onConflictDoUpdate({
        target: [t.resourceId, t.day],
        set: {
          source: sql`excluded.source`,
          cpuAvg: sql`excluded.cpu_avg`,
          cpuP95: sql`excluded.cpu_p95`,
          cpuMax: sql`excluded.cpu_max`,
          memPct: sql`excluded.mem_pct`,
          netInBytes: sql`excluded.net_in_bytes`,
          netOutBytes: sql`excluded.net_out_bytes`,
          diskReadBytes: sql`excluded.disk_read_bytes`,
          diskWriteBytes: sql`excluded.disk_write_bytes`,
          missingReason: sql`excluded.missing_reason`,
          updatedAt: sql`excluded.updated_at`,
        },
        setWhere: sql`excluded.missing_reason is null or ${t.missingReason} is not null`,
      });
  }
  return list.length;
}

/** Utilisation pushed for a resource in the actor's scope; the same day replaces. */
export async function pushUtilisation(db: Db, actor: Actor, externalId: string, points: UtilisationPoint[], now: Date): Promise<number> {
  requirePermission(actor.principal, 'resources.write');
  const row = await scopedResource(db, actor.principal, externalId);
  if (row.departmentPath === null) requirePermission(actor.principal, 'resources.import');
  return upsertUtilisation(
    db,
    points.map((p) => ({
      resourceId: row.r.id,
      day: p.date,
      cpuAvg: p.cpuAvg,
      cpuP95: p.cpuP95,
      cpuMax: p.cpuMax,
      memPct: p.memPct ?? null,
      netInBytes: p.netInBytes,
      netOutBytes: p.netOutBytes,
      diskReadBytes: p.diskReadBytes ?? null,
      diskWriteBytes: p.diskWriteBytes ?? null,
    })),
    'push',
    now,
  );
}

/** Daily utilisation of a resource the principal may read, oldest first. */
export async function resourceUtilisationDays(db: Db, principal: Principal, externalId: string, range: { since?: string; until?: string } = {}) {
  requirePermission(principal, 'resources.read');
  const row = await scopedResource(db, principal, externalId);
  const t = resourceUtilisation;
  const rows = await db
    .select()
    .from(t)
    .where(and(eq(t.resourceId, row.r.id), range.since ? gte(t.day, range.since) : undefined, range.until ? lte(t.day, range.until) : undefined))
    .orderBy(asc(t.day));
  return rows.map((u) => ({
    date: u.day,
    source: u.source,
    cpuAvg: u.cpuAvg,
    cpuP95: u.cpuP95,
    cpuMax: u.cpuMax,
    memPct: u.memPct,
    netInBytes: u.netInBytes,
    netOutBytes: u.netOutBytes,
    diskReadBytes: u.diskReadBytes,
    diskWriteBytes: u.diskWriteBytes,
    missingReason: u.missingReason,
  }));
}
