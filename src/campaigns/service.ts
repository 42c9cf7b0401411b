import { aliasedTable, and, asc, desc, eq, inArray, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { departmentScope, inScope, inSubtree, requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { campaignDepartments, campaignItems, campaigns, departments, missingSystemReports, systems, transfers } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { addDays } from '../../reports/dates.js';
import { DEFAULT_TIME_ZONE, endOfDay, localDay } from '../../probes/time.js';
import { newNonce, signLink } from './links.js';
import type {
  CampaignCreate,
  CampaignLink,
  CampaignProgress,
  CampaignSummary,
  DepartmentProgress,
  MissingReportDto,
  TransferDto,
} from './schemas.js';
import type { InstanceKeys } from '../auth/keys.js';

/** Department links stay usable this long after the deadline, for late answers. */
export const LINK_GRACE_DAYS = 14;

export type CampaignRow = typeof campaigns.$inferSelect;

export function linkExpiry(deadline: string, timeZone = DEFAULT_TIME_ZONE): Date {
  return endOfDay(addDays(deadline, LINK_GRACE_DAYS), timeZone);
}

export function isOverdue(deadline: string, now: Date, timeZone = DEFAULT_TIME_ZONE): boolean {
  return now.getTime() >= endOfDay(deadline, timeZone).getTime();
}

/** Departments of the scope, each standing for its subtree; unknown codes are field errors. */
async function resolveScope(db: Db, scope: CampaignCreate['scope']) {
  const errors: Array<{ path: string; message: string }> = [];
  const paths: string[] = [];
  const codes = [...(scope.departments ?? []), ...(scope.counties ?? [])];
  const rows = codes.length
    ? await db.select({ code: departments.code, path: departments.path, level: departments.level }).from(departments).where(inArray(departments.code, codes))
    : [];
  const byCode = new Map(rows.map((r) => [r.code, r]));
  (scope.departments ?? []).forEach((code, i) => {
    const d = byCode.get(code);
    if (!d) errors.push({ path: `scope.departments[${i}]`, message: `no department ${code}` });
    else paths.push(d.path);
  });
  (scope.counties ?? []).forEach((code, i) => {
    const d = byCode.get(code);
    if (!d) errors.push({ path: `scope.counties[${i}]`, message: `no department ${code}` });
    else if (d.level !== 'county') errors.push({ path: `scope.counties[${i}]`, message: `${code} is a ${d.level} department, not a county or district` });
    else paths.push(d.path);
  });
  if (errors.length) throw new AppError('validation_failed', `invalid scope: ${errors[0]!.path}: ${errors[0]!.message}`, errors);
  return paths;
}

/**
 * Creates a campaign and snapshots every non-retired system in scope as a pending item, with one
 * department row (and so one link) per owning department.
 */
export async function createCampaign(db: Db, actor: Actor, input: CampaignCreate, now: Date): Promise<number> {
  requirePermission(actor.principal, 'campaigns.manage');
  const today = localDay(now);
  if (input.deadline < today) {
    throw new AppError('validation_failed', `the deadline ${input.deadline} is in the past`, [{ path: 'deadline', message: `must be ${today} or later` }]);
  }
  return db.transaction(async (tx) => {
    const paths = await resolveScope(tx, input.scope);
    const inScopeSql = or(...paths.map((p) => inSubtree(departments.path, p)));
    const snapshot = await tx
      .select({ systemId: systems.id, departmentId: systems.departmentId })
      .from(systems)
      .innerJoin(departments, eq(departments.id, systems.departmentId))
      .where(and(ne(systems.lifecycle, 'retired'), isNull(systems.retiredAt), inScopeSql))
      .orderBy(asc(systems.id));
    if (!snapshot.length) throw new AppError('unprocessable', 'the scope holds no live systems; nothing to confirm');
    const [campaign] = await tx
      .insert(campaigns)
      .values({ name: input.name, deadline: input.deadline, scope: input.scope, status: 'open', createdAt: now, createdBy: actorName(actor) })
      .returning({ id: campaigns.id });
    const id = campaign!.id;
    const expiresAt = linkExpiry(input.deadline);
    const deptIds = [...new Set(snapshot.map((s) => s.departmentId))];
    await tx.insert(campaignDepartments).values(deptIds.map((departmentId) => ({ campaignId: id, departmentId, nonce: newNonce(), expiresAt })));
    for (let i = 0; i < snapshot.length; i += 1000) {
      await tx
        .insert(campaignItems)
        .values(snapshot.slice(i, i + 1000).map((s) => ({ campaignId: id, systemId: s.systemId, departmentId: s.departmentId, state: 'pending' as const, updatedAt: now })));
    }
    await recordAudit(tx, actor, {
      action: 'create',
      entity: 'campaign',
      entityId: String(id),
      after: { name: input.name, deadline: input.deadline, scope: input.scope, systems: snapshot.length, departments: deptIds.length },
    });
    return id;
  });
}

function actorName(actor: Actor): string {
  return actor.principal.name;
}

export async function findCampaign(db: Db, id: number): Promise<CampaignRow> {
  const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!row) throw notFound(`campaign ${id}`);
  return row;
}

type Counts = { systems: number; confirmed: number; transferPending: number; retirementRequested: number; disowned: number; pending: number };
const zeroCounts = (): Counts => ({ systems: 0, confirmed: 0, transferPending: 0, retirementRequested: 0, disowned: 0, pending: 0 });

function addState(c: Counts, state: string, n: number): void {
  c.systems += n;
  if (state === 'confirmed' || state === 'transferred') c.confirmed += n;
  else if (state === 'transfer_requested') c.transferPending += n;
  else if (state === 'retirement_requested') c.retirementRequested += n;
  else if (state === 'disowned') c.disowned += n;
  else c.pending += n;
}

/**
 * County (or district/zone) of each department: the shallowest ancestor-or-self whose level is
 * `county` (a county's own bureaus are county-level too, under the county government).
 */
async function countiesOf(db: Db, paths: string[]): Promise<Map<string, { code: string; name: string } | null>> {
  const ids = new Set<number>();
  for (const p of paths) for (const part of p.split('/')) if (part) ids.add(Number(part));
  const rows = ids.size
    ? await db
        .select({ id: departments.id, code: departments.code, name: departments.name, shortName: departments.shortName })
        .from(departments)
        .where(and(inArray(departments.id, [...ids]), eq(departments.level, 'county')))
    : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out = new Map<string, { code: string; name: string } | null>();
  for (const p of paths) {
    let found: { code: string; name: string } | null = null;
    for (const part of p.split('/')) {
      const c = part ? byId.get(Number(part)) : undefined;
      if (c) {
        found = { code: c.code, name: c.shortName ?? c.name };
        break;
      }
    }
    out.set(p, found);
  }
  return out;
}

/** Progress of one campaign by department and by county; department principals see their subtree only. */
export async function campaignProgress(db: Db, principal: Principal, id: number, now: Date): Promise<CampaignProgress> {
  requirePermission(principal, 'campaigns.read');
  const c = await findCampaign(db, id);
  // Each department's link, with the department's code, name and place in the tree.
  const links = await db
    .select({ link: campaignDepartments, dept: { code: departments.code, name: departments.name, path: departments.path } })
    .from(campaignDepartments)
    .innerJoin(departments, eq(departments.id, campaignDepartments.departmentId))
    .where(eq(campaignDepartments.campaignId, id))
    .orderBy(asc(departments.path));
  const visible = links.map(({ link, dept }) => ({ ...link, ...dept })).filter((d) => inScope(principal, d.path));
  if (principal.role === 'department' && !visible.length) throw new AppError('forbidden', `campaign ${id} covers no department of this token`);
  const stateCounts = await db
    .select({ departmentId: campaignItems.departmentId, state: campaignItems.state, n: sql<number>`count(*)::int` })
    .from(campaignItems)
    .where(eq(campaignItems.campaignId, id))
    .groupBy(campaignItems.departmentId, campaignItems.state);
  const incoming = await db
    .select({ departmentId: transfers.toDepartmentId, n: sql<number>`count(*)::int` })
    .from(transfers)
    .where(and(eq(transfers.campaignId, id), eq(transfers.state, 'pending')))
    .groupBy(transfers.toDepartmentId);
  const incomingBy = new Map(incoming.map((r) => [r.departmentId, Number(r.n)]));
  const countsBy = new Map<number, Counts>();
  for (const r of stateCounts) {
    const cnt = countsBy.get(r.departmentId) ?? zeroCounts();
    addState(cnt, r.state, Number(r.n));
    countsBy.set(r.departmentId, cnt);
  }
  const counties = await countiesOf(db, visible.map((d) => d.path));
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  const byDepartment: DepartmentProgress[] = visible.map((d) => {
    const county = counties.get(d.path) ?? null;
    return {
      departmentCode: d.code,
      departmentName: d.name,
      countyCode: county?.code ?? null,
      countyName: county?.name ?? null,
      ...(countsBy.get(d.departmentId) ?? zeroCounts()),
      incomingTransfers: incomingBy.get(d.departmentId) ?? 0,
      linkCreated: true,
      linkVisitedAt: iso(d.firstVisitAt),
      completedAt: iso(d.completedAt),
      linkExpiresAt: d.expiresAt.toISOString(),
    };
  });
  const totals = { ...zeroCounts(), departments: 0, linksVisited: 0, completed: 0 };
  const countyMap = new Map<string, CampaignProgress['byCounty'][number]>();
  for (const d of byDepartment) {
    const key = d.countyCode ?? '';
    let g = countyMap.get(key);
    if (!g) {
      g = { countyCode: d.countyCode, countyName: d.countyName, ...zeroCounts(), departments: 0, linksVisited: 0, completed: 0 };
      countyMap.set(key, g);
    }
    for (const target of [g, totals]) {
      for (const k of ['systems', 'confirmed', 'transferPending', 'retirementRequested', 'disowned', 'pending'] as const) target[k] += d[k];
      target.departments += 1;
      if (d.linkVisitedAt) target.linksVisited += 1;
      if (d.completedAt) target.completed += 1;
    }
  }
  const byCounty = [...countyMap.values()].sort((a, b) => (a.countyCode === null ? -1 : b.countyCode === null ? 1 : a.countyCode.localeCompare(b.countyCode)));
  return {
    id: c.id,
    name: c.name,
    deadline: c.deadline,
    status: c.status as 'open' | 'closed',
    overdue: isOverdue(c.deadline, now),
    scope: c.scope as CampaignProgress['scope'],
    createdAt: c.createdAt.toISOString(),
    createdBy: c.createdBy,
    totals,
    byCounty,
    byDepartment,
  };
}

/** Every campaign, newest first, with totals (for department principals: campaigns touching their subtree, their part only). */
export async function listCampaigns(db: Db, principal: Principal, now: Date): Promise<CampaignSummary[]> {
  requirePermission(principal, 'campaigns.read');
  const rows = await db.select().from(campaigns).orderBy(desc(campaigns.id)).limit(500);
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const scoped = departmentScope(principal, departments.path);
  const items = await db
    .select({ campaignId: campaignItems.campaignId, state: campaignItems.state, n: sql<number>`count(*)::int` })
    .from(campaignItems)
    .innerJoin(departments, eq(departments.id, campaignItems.departmentId))
    .where(and(inArray(campaignItems.campaignId, ids), scoped))
    .groupBy(campaignItems.campaignId, campaignItems.state);
  const links = await db
    .select({
      campaignId: campaignDepartments.campaignId,
      n: sql<number>`count(*)::int`,
      visited: sql<number>`count(${campaignDepartments.firstVisitAt})::int`,
      completed: sql<number>`count(${campaignDepartments.completedAt})::int`,
    })
    .from(campaignDepartments)
    .innerJoin(departments, eq(departments.id, campaignDepartments.departmentId))
    .where(and(inArray(campaignDepartments.campaignId, ids), scoped))
    .groupBy(campaignDepartments.campaignId);
  const linkBy = new Map(links.map((l) => [l.campaignId, l]));
  const out: CampaignSummary[] = [];
  for (const r of rows) {
    const l = linkBy.get(r.id);
    if (principal.role === 'department' && !l) continue;
    const totals = { ...zeroCounts(), departments: Number(l?.n ?? 0), linksVisited: Number(l?.visited ?? 0), completed: Number(l?.completed ?? 0) };
    for (const i of items) if (i.campaignId === r.id) addState(totals, i.state, Number(i.n));
    out.push({ id: r.id, name: r.name, deadline: r.deadline, status: r.status as 'open' | 'closed', overdue: isOverdue(r.deadline, now), createdAt: r.createdAt.toISOString(), totals });
  }
  return out;
}

export function linkPath(token: string): string {
  return `/confirm/${token}`;
}

/** Each department's current link (ops only: links are credentials). */
export async function campaignLinks(db: Db, principal: Principal, keys: InstanceKeys, id: number, baseUrl: string): Promise<CampaignLink[]> {
  requirePermission(principal, 'campaigns.manage');
  await findCampaign(db, id);
  const key = await keys.key('campaign-link');
  const rows = await db
    .select({ cd: campaignDepartments, code: departments.code, name: departments.name })
    .from(campaignDepartments)
    .innerJoin(departments, eq(departments.id, campaignDepartments.departmentId))
    .where(eq(campaignDepartments.campaignId, id))
    .orderBy(asc(departments.path));
  return rows.map((r) => ({
    departmentCode: r.code,
    departmentName: r.name,
    url: `${baseUrl.replace(/\/$/, '')}${linkPath(signLink(key, r.cd.id, r.cd.nonce, r.cd.expiresAt))}`,
    expiresAt: r.cd.expiresAt.toISOString(),
    visitedAt: r.cd.firstVisitAt?.toISOString() ?? null,
    completedAt: r.cd.completedAt?.toISOString() ?? null,
  }));
}

/** A new nonce for one department's link: every earlier link of that department stops working. */
export async function rotateLink(db: Db, actor: Actor, keys: InstanceKeys, id: number, departmentCode: string, baseUrl: string): Promise<CampaignLink> {
  requirePermission(actor.principal, 'campaigns.manage');
  const c = await findCampaign(db, id);
  if (c.status !== 'open') throw new AppError('conflict', `campaign ${id} is closed`);
  const [d] = await db.select({ id: departments.id }).from(departments).where(eq(departments.code, departmentCode));
  if (!d) throw notFound(`department ${departmentCode}`);
  await db.transaction(async (tx) => {
    const updated = await tx
      .update(campaignDepartments)
      .set({ nonce: newNonce(), expiresAt: linkExpiry(c.deadline) })
      .where(and(eq(campaignDepartments.campaignId, id), eq(campaignDepartments.departmentId, d.id)))
      .returning({ id: campaignDepartments.id });
    if (!updated.length) throw notFound(`department ${departmentCode} in campaign ${id}`);
    await recordAudit(tx, actor, { action: 'rotate_link', entity: 'campaign', entityId: String(id), after: { departmentCode } });
  });
  const links = await campaignLinks(db, actor.principal, keys, id, baseUrl);
  return links.find((l) => l.departmentCode === departmentCode)!;
}

/** Closing ends the campaign: department links are refused from then on. */
export async function closeCampaign(db: Db, actor: Actor, id: number): Promise<void> {
  requirePermission(actor.principal, 'campaigns.manage');
  await db.transaction(async (tx) => {
    const [row] = await tx.update(campaigns).set({ status: 'closed' }).where(eq(campaigns.id, id)).returning({ id: campaigns.id });
    if (!row) throw notFound(`campaign ${id}`);
    await recordAudit(tx, actor, { action: 'close', entity: 'campaign', entityId: String(id) });
  });
}

const fromDept = aliasedTable(departments, 'from_dept');
const toDept = aliasedTable(departments, 'to_dept');

export async function listTransfers(db: Db, principal: Principal, q: { campaignId?: number; state?: string; transferId?: number }): Promise<TransferDto[]> {
  const where: Array<SQL | undefined> = [
    q.campaignId !== undefined ? eq(transfers.campaignId, q.campaignId) : undefined,
    q.state ? eq(transfers.state, q.state as (typeof transfers.state)['_']['data']) : undefined,
    q.transferId !== undefined ? eq(transfers.id, q.transferId) : undefined,
  ];
  const rows = await db
    .select({ t: transfers, systemCode: systems.code, systemName: systems.name, from: fromDept, to: toDept })
    .from(transfers)
    .innerJoin(systems, eq(systems.id, transfers.systemId))
    .innerJoin(fromDept, eq(fromDept.id, transfers.fromDepartmentId))
    .innerJoin(toDept, eq(toDept.id, transfers.toDepartmentId))
    .where(and(...where.filter(Boolean)))
    .orderBy(desc(transfers.id))
    .limit(1000);
  return rows
    .filter((r) => inScope(principal, r.from.path) || inScope(principal, r.to.path))
    .map((r) => ({
      id: r.t.id,
      campaignId: r.t.campaignId,
      systemCode: r.systemCode,
      systemName: r.systemName,
      fromDepartmentCode: r.from.code,
      fromDepartmentName: r.from.name,
      toDepartmentCode: r.to.code,
      toDepartmentName: r.to.name,
      state: r.t.state as TransferDto['state'],
      note: r.t.note,
      requestedBy: r.t.requestedBy,
      requestedAt: r.t.requestedAt.toISOString(),
      decidedBy: r.t.decidedBy,
      decidedAt: r.t.decidedAt?.toISOString() ?? null,
    }));
}

/** A campaign's hand-overs, for ops and viewers (department pages see theirs through listTransfers). */
export async function campaignTransfers(db: Db, principal: Principal, campaignId: number, state?: string): Promise<TransferDto[]> {
  requirePermission(principal, 'campaigns.review');
  return listTransfers(db, principal, { campaignId, state });
}

/** Systems reported missing in a campaign, for ops and viewers. */
export async function campaignMissingReports(db: Db, principal: Principal, campaignId: number): Promise<MissingReportDto[]> {
  requirePermission(principal, 'campaigns.review');
  return listMissingReports(db, principal, campaignId);
}

export async function listMissingReports(db: Db, principal: Principal, campaignId?: number): Promise<MissingReportDto[]> {
  const rows = await db
    .select({ r: missingSystemReports, code: departments.code, name: departments.name, path: departments.path })
    .from(missingSystemReports)
    .innerJoin(departments, eq(departments.id, missingSystemReports.departmentId))
    .where(campaignId !== undefined ? eq(missingSystemReports.campaignId, campaignId) : undefined)
    .orderBy(desc(missingSystemReports.id))
    .limit(1000);
  return rows
    .filter((r) => inScope(principal, r.path))
    .map((r) => ({
      id: r.r.id,
      campaignId: r.r.campaignId,
      departmentCode: r.code,
      departmentName: r.name,
      name: r.r.name,
      url: r.r.url,
      note: r.r.note,
      reportedByName: r.r.reportedByName,
      reportedByPhone: r.r.reportedByPhone,
      createdAt: r.r.createdAt.toISOString(),
      systemId: r.r.systemId,
    }));
}


/** The campaigns a system was part of and its answer in each, newest first. */
export async function systemCampaignHistory(db: Db, systemId: number) {
  return db
    .select({
      campaignId: campaigns.id,
      campaignName: campaigns.name,
      deadline: campaigns.deadline,
      state: campaignItems.state,
      confirmedByName: campaignItems.confirmedByName,
      confirmedAt: campaignItems.confirmedAt,
      note: campaignItems.note,
    })
    .from(campaignItems)
    .innerJoin(campaigns, eq(campaigns.id, campaignItems.campaignId))
    .where(eq(campaignItems.systemId, systemId))
    .orderBy(desc(campaigns.id));
}

/** Whether a department's link has been completed (all its systems answered). */
export async function linkCompleted(db: Db, linkId: number): Promise<boolean> {
  const [row] = await db.select({ completedAt: campaignDepartments.completedAt }).from(campaignDepartments).where(eq(campaignDepartments.id, linkId));
  return Boolean(row?.completedAt);
}
