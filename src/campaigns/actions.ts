import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { campaignDepartments, campaignItems, campaigns, departments, endpoints, missingSystemReports, systems, transfers } from '../db/schema/index.js';
import { AppError, notFound, type FieldError } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { findDepartment } from '../inventory/departments.js';
import { updateSystem } from '../inventory/systems.js';
import { linkSignatureValid, newNonce, parseLink } from './links.js';
import type { Correction, Decision, MissingReport, Official } from './schemas.js';
import type { InstanceKeys } from '../auth/keys.js';
import { linkExpiry, type CampaignRow } from './service.js';

export interface LinkDepartment {
  id: number;
  code: string;
  name: string;
  path: string;
}

/** What a valid department link grants: one department's part of one open campaign. */
export interface LinkContext {
  token: string;
  campaign: CampaignRow;
  link: typeof campaignDepartments.$inferSelect;
  department: LinkDepartment;
}

export type LinkRefusal = { status: 403 | 410; reason: 'invalid' | 'expired' | 'closed' };

/**
 * Checks a link: signature against the row's current nonce (a forged or rotated link is `invalid`, 403),
 * then expiry and the campaign's state (410). Nothing about the campaign is revealed on refusal.
 */
export async function openLink(db: Db, keys: InstanceKeys, token: string, now: Date): Promise<LinkContext | LinkRefusal> {
  const claims = parseLink(token);
  if (!claims) return { status: 403, reason: 'invalid' };
  const [row] = await db
    .select({ link: campaignDepartments, campaign: campaigns, dept: { id: departments.id, code: departments.code, name: departments.name, path: departments.path } })
    .from(campaignDepartments)
    .innerJoin(campaigns, eq(campaigns.id, campaignDepartments.campaignId))
    .innerJoin(departments, eq(departments.id, campaignDepartments.departmentId))
    .where(eq(campaignDepartments.id, claims.campaignDepartmentId));
  const key = await keys.key('campaign-link');
  // Compare against a dummy nonce when the row is missing, so timing does not tell ids apart.
  const valid = linkSignatureValid(key, claims, row?.link.nonce ?? 'no-such-link');
  if (!row || !valid) return { status: 403, reason: 'invalid' };
  const t = now.getTime();
  if (t >= claims.expiresAt * 1000 || t >= row.link.expiresAt.getTime()) return { status: 410, reason: 'expired' };
  if (row.campaign.status !== 'open') return { status: 410, reason: 'closed' };
  return { token, campaign: row.campaign, link: row.link, department: row.dept };
}

export function isRefusal(x: LinkContext | LinkRefusal): x is LinkRefusal {
  return 'reason' in x;
}

export async function markVisited(db: Db, ctx: LinkContext, now: Date): Promise<void> {
  if (ctx.link.firstVisitAt) return;
  await db
    .update(campaignDepartments)
    .set({ firstVisitAt: now })
    .where(and(eq(campaignDepartments.id, ctx.link.id), isNull(campaignDepartments.firstVisitAt)));
}

/** Deepest common ancestor path of two materialised paths ("/1/7/" and "/1/9/" → "/1/"). */
export function commonPath(a: string, b: string): string {
  const pa = a.split('/').filter(Boolean);
  const pb = b.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < Math.min(pa.length, pb.length) && pa[i] === pb[i]; i++) out.push(pa[i]!);
  return `/${out.map((s) => `${s}/`).join('')}`;
}

/**
 * The principal a link acts as: the department itself, named after the official, so the audit log
 * reads `campaign link: 兰山区人民政府 (张三)`. `scopePath` widens it for accepting a transfer.
 */
export function linkPrincipal(department: LinkDepartment, official: Official, scopePath = department.path): Principal {
  return {
    tokenId: null,
    name: `campaign link: ${department.name} (${official.name})`,
    role: 'department',
    departmentId: department.id,
    departmentPath: scopePath,
    departmentCode: department.code,
  };
}

export interface LinkItem {
  systemId: number;
  code: string;
  name: string;
  state: string;
  operatorUnit: string | null;
  contractor: string | null;
  contactName: string | null;
  contactPhone: string | null;
  contactEmail: string | null;
  description: string | null;
  endpoints: Array<{ url: string; role: string }>;
  confirmedByName: string | null;
  confirmedAt: Date | null;
  note: string | null;
  /** For `transfer_requested`: where it is going. */
  transferTo: { code: string; name: string } | null;
}

export interface LinkPage {
  items: LinkItem[];
  incoming: Array<{ transferId: number; systemCode: string; systemName: string; fromCode: string; fromName: string; note: string | null; requestedBy: string | null }>;
  missing: Array<{ name: string; url: string | null; note: string | null; reportedByName: string | null }>;
}

/** Everything the department page shows. */
export async function linkPage(db: Db, ctx: LinkContext): Promise<LinkPage> {
  const { campaign, department } = ctx;
  const rows = await db
    .select({ item: campaignItems, s: systems })
    .from(campaignItems)
    .innerJoin(systems, eq(systems.id, campaignItems.systemId))
    .where(and(eq(campaignItems.campaignId, campaign.id), eq(campaignItems.departmentId, department.id)))
    .orderBy(asc(systems.code));
  const ids = rows.map((r) => r.s.id);
  const eps = ids.length
    ? await db.select().from(endpoints).where(inArray(endpoints.systemId, ids)).orderBy(asc(endpoints.systemId), asc(endpoints.position), asc(endpoints.id))
    : [];
  const outgoing = ids.length
    ? await db
        .select({ systemId: transfers.systemId, code: departments.code, name: departments.name })
        .from(transfers)
        .innerJoin(departments, eq(departments.id, transfers.toDepartmentId))
        .where(and(eq(transfers.campaignId, campaign.id), eq(transfers.state, 'pending'), inArray(transfers.systemId, ids)))
    : [];
  const outBy = new Map(outgoing.map((o) => [o.systemId, { code: o.code, name: o.name }]));
  const items: LinkItem[] = rows.map(({ item, s }) => ({
    systemId: s.id,
    code: s.code,
    name: s.name,
    state: item.state,
    operatorUnit: s.operatorUnit,
    contractor: s.contractor,
    contactName: s.contactName,
    contactPhone: s.contactPhone,
    contactEmail: s.contactEmail,
    description: s.description,
    endpoints: eps.filter((e) => e.systemId === s.id).map((e) => ({ url: e.url, role: e.role })),
    confirmedByName: item.confirmedByName,
    confirmedAt: item.confirmedAt,
    note: item.note,
    transferTo: item.state === 'transfer_requested' ? (outBy.get(s.id) ?? null) : null,
  }));
  const incomingRows = await db
    .select({ t: transfers, systemCode: systems.code, systemName: systems.name, fromCode: departments.code, fromName: departments.name })
    .from(transfers)
    .innerJoin(systems, eq(systems.id, transfers.systemId))
    .innerJoin(departments, eq(departments.id, transfers.fromDepartmentId))
    .where(and(eq(transfers.campaignId, campaign.id), eq(transfers.toDepartmentId, department.id), eq(transfers.state, 'pending')))
    .orderBy(asc(transfers.id));
  const missing = await db
    .select({ name: missingSystemReports.name, url: missingSystemReports.url, note: missingSystemReports.note, reportedByName: missingSystemReports.reportedByName })
    .from(missingSystemReports)
    .where(and(eq(missingSystemReports.campaignId, campaign.id), eq(missingSystemReports.departmentId, department.id)))
    .orderBy(asc(missingSystemReports.id));
  return {
    items,
    incoming: incomingRows.map((r) => ({
      transferId: r.t.id,
      systemCode: r.systemCode,
      systemName: r.systemName,
      fromCode: r.fromCode,
      fromName: r.fromName,
      note: r.t.note,
      requestedBy: r.t.requestedBy,
    })),
    missing,
  };
}

/** Departments a system may be handed to (not dissolved), for the page's list. */
export async function transferTargets(db: Db) {
  return db
    .select({ code: departments.code, name: departments.name })
    .from(departments)
    .where(isNull(departments.dissolvedOn))
    .orderBy(asc(departments.path))
    .limit(5000);
}

/** Marks a department complete when nothing is left for it to answer, and not complete otherwise. */
async function refreshCompletion(db: Db, campaignId: number, departmentId: number, now: Date): Promise<void> {
  const [open] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(campaignItems)
    .where(and(eq(campaignItems.campaignId, campaignId), eq(campaignItems.departmentId, departmentId), eq(campaignItems.state, 'pending')));
  const [incoming] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(transfers)
    .where(and(eq(transfers.campaignId, campaignId), eq(transfers.toDepartmentId, departmentId), eq(transfers.state, 'pending')));
  const done = Number(open?.n ?? 0) + Number(incoming?.n ?? 0) === 0;
  await db
    .update(campaignDepartments)
    .set({ completedAt: done ? sql`coalesce(${campaignDepartments.completedAt}, ${now.toISOString()}::timestamptz)` : null })
    .where(and(eq(campaignDepartments.campaignId, campaignId), eq(campaignDepartments.departmentId, departmentId)));
}

/** Loads this department's items for the given systems; any system that is not one of them is refused whole. */
async function ownItems(db: Db, ctx: LinkContext, systemIds: number[]) {
  const unique = [...new Set(systemIds)];
  const rows = unique.length
    ? await db
        .select({ item: campaignItems, code: systems.code, name: systems.name })
        .from(campaignItems)
        .innerJoin(systems, eq(systems.id, campaignItems.systemId))
        .where(and(eq(campaignItems.campaignId, ctx.campaign.id), inArray(campaignItems.systemId, unique)))
        .for('update', { of: campaignItems })
    : [];
  const byId = new Map(rows.map((r) => [r.item.systemId, r]));
  for (const id of unique) {
    const r = byId.get(id);
    if (!r || r.item.departmentId !== ctx.department.id) {
      throw new AppError('forbidden', `system ${id} is not one of ${ctx.department.name}'s systems in this campaign`);
    }
  }
  return byId;
}

async function cancelPendingTransfer(db: Db, campaignId: number, systemId: number, by: string, now: Date): Promise<number[]> {
  const rows = await db
    .update(transfers)
    .set({ state: 'cancelled', decidedBy: by, decidedAt: now })
    .where(and(eq(transfers.campaignId, campaignId), eq(transfers.systemId, systemId), eq(transfers.state, 'pending')))
    .returning({ to: transfers.toDepartmentId });
  return rows.map((r) => r.to);
}

/**
 * Answers for several systems at once (the department page submits them together). Either all are
 * applied or none: a system of another department, an unknown or dissolved receiving department, or a
 * retirement without a reason refuses the whole submission.
 */
export async function applyDecisions(db: Db, ctx: LinkContext, official: Official, decisions: Decision[], now: Date): Promise<{ applied: number }> {
  if (!decisions.length) return { applied: 0 };
  const principal = linkPrincipal(ctx.department, official);
  const actor: Actor = { principal };
  return db.transaction(async (tx) => {
    const items = await ownItems(tx, ctx, decisions.map((d) => d.systemId));
    // Validate everything before writing anything.
    const targets = new Map<number, { id: number; code: string; name: string }>();
    const errors: FieldError[] = [];
    for (const d of decisions) {
      if (d.action === 'transfer') {
        const code = d.toDepartmentCode?.trim() ?? '';
        const path = `systems.${d.systemId}.toDepartmentCode`;
        if (!code) {
          errors.push({ path, message: 'choose the department that takes the system over', reason: 'choose_target' });
          continue;
        }
        const target = await findDepartment(tx, code);
        if (!target) errors.push({ path, message: `no department with code ${code}`, reason: 'unknown_target', params: { code } });
        else if (target.id === ctx.department.id) errors.push({ path, message: 'the system already belongs to this department', reason: 'same_target' });
        else if (target.dissolvedOn) errors.push({ path, message: `${target.name} is dissolved; choose its successor`, reason: 'dissolved_target', params: { name: target.name } });
        else targets.set(d.systemId, { id: target.id, code: target.code, name: target.name });
      }
      if ((d.action === 'retire' || d.action === 'disown') && !d.note?.trim()) {
        const path = `systems.${d.systemId}.note`;
        errors.push(d.action === 'retire' ? { path, message: 'say why the system should be retired', reason: 'retire_why' } : { path, message: 'say why the system is not yours', reason: 'disown_why' });
      }
    }
    if (errors.length) throw new AppError('validation_failed', `${errors[0]!.message} (${errors[0]!.path})`, errors);

    const touched = new Set<number>([ctx.department.id]);
    for (const d of decisions) {
      const { item, code } = items.get(d.systemId)!;
      const before = { state: item.state, note: item.note };
      if (item.state === 'transfer_requested') for (const to of await cancelPendingTransfer(tx, ctx.campaign.id, d.systemId, principal.name, now)) touched.add(to);
      const note = d.note?.trim() || null;
      const set: Partial<typeof campaignItems.$inferInsert> = { updatedAt: now, note };
      if (d.action === 'confirm' || d.action === 'retire') {
        Object.assign(set, { state: d.action === 'confirm' ? 'confirmed' : 'retirement_requested', confirmedByName: official.name, confirmedByPhone: official.phone, confirmedAt: now });
      } else if (d.action === 'disown') {
        Object.assign(set, { state: 'disowned', confirmedByName: official.name, confirmedByPhone: official.phone, confirmedAt: null });
      } else {
        const target = targets.get(d.systemId)!;
        await tx.insert(transfers).values({
          systemId: d.systemId,
          fromDepartmentId: ctx.department.id,
          toDepartmentId: target.id,
          campaignId: ctx.campaign.id,
          state: 'pending',
          note,
          requestedBy: `${official.name} (${official.phone})`,
          requestedAt: now,
        });
        // The receiving department answers on its own link; it gets one if it had none in this campaign.
        await tx
          .insert(campaignDepartments)
          .values({ campaignId: ctx.campaign.id, departmentId: target.id, nonce: newNonce(), expiresAt: linkExpiry(ctx.campaign.deadline) })
          .onConflictDoNothing();
        touched.add(target.id);
        Object.assign(set, { state: 'transfer_requested', confirmedByName: official.name, confirmedByPhone: official.phone, confirmedAt: null });
      }
      await tx.update(campaignItems).set(set).where(eq(campaignItems.id, item.id));
      await recordAudit(tx, actor, {
        action: `campaign.${d.action}`,
        entity: 'system',
        entityId: code,
        before,
        after: { campaignId: ctx.campaign.id, state: set.state, note, official: { name: official.name, phone: official.phone }, ...(targets.get(d.systemId) ? { toDepartmentCode: targets.get(d.systemId)!.code } : {}) },
      });
    }
    for (const deptId of touched) await refreshCompletion(tx, ctx.campaign.id, deptId, now);
    return { applied: decisions.length };
  });
}

/** Corrects a system's fields through the link; the change goes through updateSystem and its audit. */
export async function correctSystem(db: Db, ctx: LinkContext, official: Official, systemId: number, patch: Correction, alsoConfirm: boolean, now: Date) {
  const principal = linkPrincipal(ctx.department, official);
  return db.transaction(async (tx) => {
    const items = await ownItems(tx, ctx, [systemId]);
    const { item, code } = items.get(systemId)!;
    // An unchanged form makes no new version and no audit entry.
    const dto = Object.keys(patch).length ? await updateSystem(tx, { principal }, code, patch) : null;
    if (alsoConfirm && item.state === 'pending') {
      await tx
        .update(campaignItems)
        .set({ state: 'confirmed', confirmedByName: official.name, confirmedByPhone: official.phone, confirmedAt: now, updatedAt: now })
        .where(eq(campaignItems.id, item.id));
      await recordAudit(tx, { principal }, { action: 'campaign.confirm', entity: 'system', entityId: code, before: { state: item.state }, after: { campaignId: ctx.campaign.id, state: 'confirmed', official } });
      await refreshCompletion(tx, ctx.campaign.id, ctx.department.id, now);
    }
    return dto;
  });
}

export async function systemForCorrection(db: Db, ctx: LinkContext, systemId: number): Promise<LinkItem> {
  const page = await linkPage(db, ctx);
  const item = page.items.find((i) => i.systemId === systemId);
  if (!item) throw new AppError('forbidden', `system ${systemId} is not one of ${ctx.department.name}'s systems in this campaign`);
  return item;
}

export type TransferDecision = 'accept' | 'reject';

/**
 * Accepts or rejects a pending transfer. Accepting moves the system to the receiving department (through
 * updateSystem, so the move is audited) and counts as that department's confirmation; rejecting hands
 * the question back to the sending department.
 *
 * `by` is either a link (the receiving department's official) or an ops principal.
 */
export async function decideTransfer(
  db: Db,
  by: { link: LinkContext; official: Official } | { actor: Actor },
  transferId: number,
  decision: TransferDecision,
  note: string | undefined,
  now: Date,
): Promise<void> {
  if ('actor' in by) requirePermission(by.actor.principal, 'campaigns.manage');
  await db.transaction(async (tx) => {
    const [t] = await tx.select().from(transfers).where(eq(transfers.id, transferId)).for('update');
    if (!t) throw notFound(`transfer ${transferId}`);
    if ('link' in by) {
      if (t.toDepartmentId !== by.link.department.id || t.campaignId !== by.link.campaign.id) {
        throw new AppError('forbidden', `transfer ${transferId} is not addressed to ${by.link.department.name}`);
      }
    }
    if (t.state !== 'pending') throw new AppError('conflict', `transfer ${transferId} is already ${t.state}`, undefined, 'transfer_done');
    const [from] = await tx.select().from(departments).where(eq(departments.id, t.fromDepartmentId));
    const [to] = await tx.select().from(departments).where(eq(departments.id, t.toDepartmentId));
    const [sys] = await tx.select({ code: systems.code, departmentId: systems.departmentId }).from(systems).where(eq(systems.id, t.systemId));
    if (!from || !to || !sys) throw notFound(`transfer ${transferId}`);
    const principal: Principal =
      'link' in by ? linkPrincipal(by.link.department, by.official, commonPath(from.path, to.path)) : by.actor.principal;
    const actor: Actor = 'link' in by ? { principal } : by.actor;
    const who = 'link' in by ? `${by.official.name} (${by.official.phone})` : principal.name;
    if (decision === 'accept') {
      if (sys.departmentId !== to.id) await updateSystem(tx, actor, sys.code, { departmentCode: to.code });
    }
    await tx.update(transfers).set({ state: decision === 'accept' ? 'accepted' : 'rejected', decidedBy: who, decidedAt: now, ...(note ? { note: t.note ? `${t.note}\n${note}` : note } : {}) }).where(eq(transfers.id, t.id));
    if (t.campaignId !== null) {
      const itemSet: Partial<typeof campaignItems.$inferInsert> =
        decision === 'accept'
          ? {
              departmentId: to.id,
              state: 'transferred',
              confirmedByName: 'link' in by ? by.official.name : principal.name,
              confirmedByPhone: 'link' in by ? by.official.phone : null,
              confirmedAt: now,
              updatedAt: now,
            }
          : { state: 'pending', confirmedByName: null, confirmedByPhone: null, confirmedAt: null, note: note ? `${to.name}: ${note}` : `${to.name} declined the transfer`, updatedAt: now };
      await tx
        .update(campaignItems)
        .set(itemSet)
        .where(and(eq(campaignItems.campaignId, t.campaignId), eq(campaignItems.systemId, t.systemId)));
      await refreshCompletion(tx, t.campaignId, from.id, now);
      await refreshCompletion(tx, t.campaignId, to.id, now);
    }
    await recordAudit(tx, actor, {
      action: decision === 'accept' ? 'campaign.transfer_accepted' : 'campaign.transfer_rejected',
      entity: 'system',
      entityId: sys.code,
      after: { transferId, from: from.code, to: to.code, note: note ?? null },
    });
  });
}

export async function reportMissing(db: Db, ctx: LinkContext, official: Official, input: MissingReport, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(missingSystemReports)
      .values({
        campaignId: ctx.campaign.id,
        departmentId: ctx.department.id,
        name: input.name,
        url: input.url || null,
        note: input.note || null,
        reportedByName: official.name,
        reportedByPhone: official.phone,
        createdAt: now,
      })
      .returning({ id: missingSystemReports.id });
    await recordAudit(tx, { principal: linkPrincipal(ctx.department, official) }, {
      action: 'campaign.report_missing',
      entity: 'campaign',
      entityId: String(ctx.campaign.id),
      after: { id: row!.id, name: input.name, url: input.url || null, note: input.note || null },
    });
    return row!.id;
  });
}
