import { and, eq, sql } from 'drizzle-orm';
import { inspectionScorecard, type Scorecard } from '../../reports/inspection/scorecard.js';
import { DEFAULT_TIME_ZONE, localDay } from '../../probes/time.js';
import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import { recordAudit, type Actor } from '../audit/index.js';
import type { Db } from '../db/client.js';
import { inspectionSections, SECTION_TYPES } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { scopedSystem } from '../inventory/systems.js';
import { rowsOf } from '../db/sql.js';
import { loadSiteInspection } from './evidence/site-inspection.js';
import { activePolicy } from './policies.js';

/**
 * The site inspection of a portal (issue 11): its scorecard of veto items from the stored rollups, and
 * its sections, which ops register, correct and type (a registered section is never overwritten by
 * what the next sweep discovers).
 */

export type SectionType = (typeof SECTION_TYPES)[number];

export interface SectionDto {
  id: number;
  url: string;
  name: string;
  type: SectionType;
  source: 'discovered' | 'registered';
  ignored: boolean;
  lastSeenAt: string | null;
  latest: { day: string; outcome: string; items: number; dated: number; newest: string | null } | null;
}

export type InspectionDto = Scorecard & { systemCode: string };

export async function getInspection(db: Db, principal: Principal, code: string, o: { now: Date; timeZone?: string; asOf?: string }): Promise<InspectionDto> {
  const found = await scopedSystem(db, principal, code);
  const asOf = o.asOf ?? localDay(o.now, o.timeZone ?? DEFAULT_TIME_ZONE);
  const policy = await activePolicy(db);
  const visits = await db.execute(sql`
    select day::text as day, sum(visits)::int as visits, sum(not_opened)::int as not_opened from inspection_days
    where system_id = ${found.row.id} and day <= ${asOf}::date and day > ${asOf}::date - ${policy.inspection.windowDays}::int group by day`);
  const visitDays = rowsOf<Record<string, unknown>>(visits).map((r) => ({ day: String(r.day), visits: Number(r.visits), notOpened: Number(r.not_opened) }));
  const ev = (await loadSiteInspection(db, { systemIds: [found.row.id], asOf, policy })).get(found.row.id) ?? { days: [], sections: [], visits: [] };
  return { systemCode: code, ...inspectionScorecard({ ...ev, visits: visitDays }, policy, asOf) };
}

export async function listSections(db: Db, principal: Principal, code: string): Promise<{ items: SectionDto[] }> {
  const found = await scopedSystem(db, principal, code);
  const rows = await db.execute(sql`
    select s.id, s.url, s.name, s.type, s.source, s.ignored, s.last_seen_at, l.day::text as day, l.outcome, l.items, l.dated, l.newest::text as newest
    from inspection_sections s
    left join lateral (select * from section_days d where d.section_id = s.id order by day desc limit 1) l on true
    where s.system_id = ${found.row.id} order by s.id`);
  return {
    items: rowsOf<Record<string, unknown>>(rows).map((r) => ({
      id: Number(r.id),
      url: String(r.url),
      name: String(r.name),
      type: r.type as SectionType,
      source: r.source as SectionDto['source'],
      ignored: Boolean(r.ignored),
      lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at as string).toISOString() : null,
      latest: r.day ? { day: String(r.day), outcome: String(r.outcome), items: Number(r.items), dated: Number(r.dated), newest: (r.newest as string | null) ?? null } : null,
    })),
  };
}

export interface SectionInput {
  url: string;
  name: string;
  type: SectionType;
}

/** Registers a section (or takes over a discovered one at the same address, with the name and type given). */
export async function registerSection(db: Db, actor: Actor, code: string, input: SectionInput, now: Date): Promise<SectionDto> {
  requirePermission(actor.principal, 'sections.manage');
  const found = await scopedSystem(db, actor.principal, code);
  const portal = found.endpoints.find((e) => e.role === 'portal');
  if (!portal) throw new AppError('validation_failed', `system ${code} has no portal endpoint`, [{ path: 'url', message: 'sections belong to a portal: the system has no portal endpoint' }]);
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(inspectionSections)
      .values({ systemId: found.row.id, url: input.url, name: input.name, type: input.type, source: 'registered', createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: [inspectionSections.systemId, inspectionSections.url], set: { name: input.name, type: input.type, source: 'registered', ignored: false, updatedAt: now } })
      .returning({ id: inspectionSections.id });
    await recordAudit(tx, actor, { action: 'register', entity: 'section', entityId: String(row!.id), after: { system: code, ...input } });
    return row!.id;
  });
  return (await listSections(db, actor.principal, code)).items.find((s) => s.id === id)!;
}

export interface SectionPatch {
  name?: string;
  type?: SectionType;
  ignored?: boolean;
}

/** Corrects a section's name or type, or ignores it (not a section); the section becomes registered. */
export async function updateSection(db: Db, actor: Actor, code: string, id: number, patch: SectionPatch, now: Date): Promise<SectionDto> {
  requirePermission(actor.principal, 'sections.manage');
  const found = await scopedSystem(db, actor.principal, code);
  await db.transaction(async (tx) => {
    const [before] = await tx.select().from(inspectionSections).where(and(eq(inspectionSections.id, id), eq(inspectionSections.systemId, found.row.id)));
    if (!before) throw notFound(`section ${id} of system ${code}`);
    await tx
      .update(inspectionSections)
      .set({ ...patch, source: 'registered', updatedAt: now })
      .where(eq(inspectionSections.id, id));
    await recordAudit(tx, actor, { action: 'update', entity: 'section', entityId: String(id), before: { name: before.name, type: before.type, ignored: before.ignored }, after: patch });
  });
  return (await listSections(db, actor.principal, code)).items.find((s) => s.id === id)!;
}
