import { and, asc, desc, eq, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { Reason } from '../../reports/classify.js';
import { canonicalJson, sha256Hex } from '../../reports/canonical.js';
import type { Day } from '../../reports/dates.js';
import {
  applyFindingAction,
  describeDecommission,
  isOverdue,
  verifyDecommission,
  type AnswerKind,
  type CloseResolution,
  type DecommissionCheckInput,
  type DecommissionDecision,
  type DepartmentAnswer,
  type Finding,
  type FindingAction,
  type FindingState,
} from '../../reports/findings.js';
import { t, type MessageKey } from '../../i18n/index.js';
import { departmentScope, inScope, inSubtree, requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import { reminderStage } from '../campaigns/reminders.js';
import type { Db } from '../db/client.js';
import { auditLog, departments, findings, systems } from '../db/schema/index.js';
import { AppError, notFound } from '../errors.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { decodeCursor, page } from '../http/pagination.js';
import { findDepartment } from '../inventory/departments.js';
import { updateSystem } from '../inventory/systems.js';
import { activePolicy, setExemption } from './policies.js';
import { rowsOf, textArray } from '../db/sql.js';
import { DEFAULT_TIME_ZONE, localDay } from '../../probes/time.js';
import { hostOf } from '../../probes/host.js';

/**
 * The findings service: clean-up cases opened by the classifier, moved through the pure state machine of
 * reports/findings.ts. The evidence pack stored when a finding opened is never written again.
 *
 * Who may do what: auditors and admins notify, close and reopen; the owning department (its token's
 * subtree) or an auditor/admin answers; viewers and other departments read or nothing.
 */

export { FINDING_STATUSES } from '../db/schema/enums.js';

/** The smallest interface reminders and notices need; `src/notify` `Notifier` satisfies it. */
export interface FindingNotifier {
  notify(event: string, dedupeKey: string, message: { title: string; text: string; en?: { title: string; text: string }; link?: string; data?: Record<string, unknown> }): Promise<Array<{ status: string }>>;
}

export interface StoredAnswer {
  action: AnswerKind;
  justification?: string | null;
  targetSystemCode?: string | null;
  target?: string | null;
  dueBy?: Day | null;
  note?: string | null;
  by: string;
  at: string;
}

export interface FindingDto {
  id: number;
  systemCode: string;
  systemName: string;
  departmentCode: string;
  departmentName: string;
  status: FindingState;
  verdict: 'zombie' | 'semi_zombie';
  reasons: Array<{ code: string; severity: string; since: string | null; detail: string; evidence?: unknown }>;
  policyVersion: string;
  openedAt: string;
  deadline: Day;
  notifiedAt: string | null;
  answeredAt: string | null;
  answer: StoredAnswer | null;
  closedAt: string | null;
  closeNote: string | null;
  /** How a closed case ended: from its answer (exempted, merged, migrated, decommissioned) or `withdrawn`. */
  resolution: CloseResolution | null;
  /** Computed on every read: past the answer deadline, or past the announced `dueBy` of an answer. */
  overdue: boolean;
  version: number;
  evidenceSha256: string;
}

export interface FindingHistoryItem {
  at: string;
  actor: string;
  action: string;
  status: string | null;
  note: string | null;
}

export interface FindingDetail extends FindingDto {
  /** The frozen evidence pack (canonical JSON parsed); its SHA-256 is `evidenceSha256`. */
  evidence: unknown;
  /** True when the stored pack still hashes to `evidenceSha256`. */
  evidenceVerified: boolean;
  history: FindingHistoryItem[];
}

type Row = {
  f: typeof findings.$inferSelect;
  systemCode: string;
  systemName: string;
  systemId: number;
  systemLifecycle: string;
  departmentCode: string;
  departmentName: string;
  departmentPath: string;
};

interface Ctx {
  now: Date;
  timeZone?: string;
}

const RESOLUTION_OF: Record<AnswerKind, CloseResolution> = { keep: 'exempted', merge: 'merged', migrate: 'migrated', decommission: 'decommissioned' };

function storedAnswer(v: unknown): StoredAnswer | null {
  return v && typeof v === 'object' && typeof (v as StoredAnswer).action === 'string' ? (v as StoredAnswer) : null;
}

function toPure(r: Row, tz: string): Finding {
  const a = storedAnswer(r.f.answer);
  let answer: DepartmentAnswer | null = null;
  if (a) {
    if (a.action === 'keep') answer = { kind: 'keep', justification: a.justification ?? '' };
    else if (a.action === 'merge') answer = { kind: 'merge', targetSystemCode: a.targetSystemCode ?? '', dueBy: a.dueBy ?? null, note: a.note ?? null };
    else if (a.action === 'migrate') answer = { kind: 'migrate', target: a.target ?? null, dueBy: a.dueBy ?? null, note: a.note ?? null };
    else answer = { kind: 'decommission', dueBy: a.dueBy ?? null, note: a.note ?? null };
  }
  const reasons = Array.isArray(r.f.reasons) ? (r.f.reasons as Reason[]) : [];
  return {
    id: String(r.f.id),
    systemCode: r.systemCode,
    departmentCode: r.departmentCode,
    status: r.f.status as FindingState,
    verdict: r.f.verdict as Finding['verdict'],
    reasonCodes: reasons.map((x) => x.code),
    policyVersion: r.f.policyVersion,
    openedOn: localDay(r.f.openedAt, tz),
    notifiedOn: r.f.notifiedAt ? localDay(r.f.notifiedAt, tz) : null,
    deadline: r.f.deadline,
    answeredOn: r.f.answeredAt ? localDay(r.f.answeredAt, tz) : null,
    answer,
    closedOn: r.f.closedAt ? localDay(r.f.closedAt, tz) : null,
    resolution: null,
    reopenedOn: null,
    reopenCount: 0,
    history: [],
  };
}

function overdueOf(r: Row, now: Date, tz: string): boolean {
  const a = storedAnswer(r.f.answer);
  return isOverdue({ status: r.f.status as FindingState, deadline: r.f.deadline, answer: a ? { kind: a.action, dueBy: a.dueBy ?? null } : null }, localDay(now, tz));
}

function toDto(r: Row, ctx: Ctx, full = false): FindingDto {
  const tz = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const a = storedAnswer(r.f.answer);
  const reasons = (Array.isArray(r.f.reasons) ? (r.f.reasons as Reason[]) : []).map((x) => ({
    code: x.code,
    severity: x.severity,
    since: x.since ?? null,
    detail: x.detail,
    ...(full ? { evidence: x.evidence } : {}),
  }));
  return {
    id: r.f.id,
    systemCode: r.systemCode,
    systemName: r.systemName,
    departmentCode: r.departmentCode,
    departmentName: r.departmentName,
    status: r.f.status as FindingState,
    verdict: r.f.verdict as FindingDto['verdict'],
    reasons,
    policyVersion: r.f.policyVersion,
    openedAt: r.f.openedAt.toISOString(),
    deadline: r.f.deadline,
    notifiedAt: r.f.notifiedAt?.toISOString() ?? null,
    answeredAt: r.f.answeredAt?.toISOString() ?? null,
    answer: a,
    closedAt: r.f.closedAt?.toISOString() ?? null,
    closeNote: r.f.closeNote,
    resolution: r.f.status === 'closed' ? (a ? RESOLUTION_OF[a.action] : 'withdrawn') : null,
    overdue: overdueOf(r, ctx.now, tz),
    version: r.f.version,
    evidenceSha256: r.f.evidenceSha256,
  };
}

function selectRows(db: Db) {
  return db
    .select({
      f: findings,
      systemCode: systems.code,
      systemName: systems.name,
      systemId: systems.id,
      systemLifecycle: systems.lifecycle,
      departmentCode: departments.code,
      departmentName: departments.name,
      departmentPath: departments.path,
    })
    .from(findings)
    .innerJoin(systems, eq(systems.id, findings.systemId))
    .innerJoin(departments, eq(departments.id, findings.departmentId));
}

export interface FindingQuery {
  status?: FindingState;
  department?: string;
  /** A county (district, zone): its government and every department under it. */
  county?: string;
  system?: string;
  overdue?: boolean;
  limit: number;
  cursor?: string;
  /** Also count every finding of the filter (`total`). */
  withTotal?: boolean;
}

/** Findings visible to the principal, newest first; `department` includes its descendants. */
export async function listFindings(db: Db, principal: Principal, q: FindingQuery, ctx: Ctx): Promise<{ items: FindingDto[]; nextCursor: string | null; total?: number }> {
  requirePermission(principal, 'read');
  const tz = ctx.timeZone ?? DEFAULT_TIME_ZONE;
  const beforeId = decodeCursor(q.cursor);
  const where: Array<SQL | undefined> = [beforeId !== undefined ? lt(findings.id, beforeId) : undefined];
  where.push(departmentScope(principal, departments.path));
  if (q.department) {
    const d = await findDepartment(db, q.department);
    if (!d) throw new AppError('validation_failed', `unknown department ${q.department}`, [{ path: 'department', message: 'no such department' }]);
    where.push(inSubtree(departments.path, d.path));
  }
  if (q.county) {
    const d = await findDepartment(db, q.county);
    if (!d) throw new AppError('validation_failed', `unknown county ${q.county}`, [{ path: 'county', message: 'no such department' }]);
    where.push(inSubtree(departments.path, d.path));
  }
  if (q.status) where.push(eq(findings.status, q.status));
  if (q.system) where.push(eq(systems.code, q.system));
  if (q.overdue !== undefined) {
    const today = localDay(ctx.now, tz);
    const overdue = sql`((${findings.status} in ('notified', 'reopened') and ${findings.deadline} < ${today}::date)
      or (${findings.status} = 'answered' and ${findings.answer}->>'action' <> 'keep' and (${findings.answer}->>'dueBy') is not null and (${findings.answer}->>'dueBy')::date < ${today}::date))`;
    where.push(q.overdue ? overdue : sql`not ${overdue}`);
  }
  const rows = await selectRows(db)
    .where(and(...where.filter(Boolean)))
    .orderBy(desc(findings.id))
    .limit(q.limit + 1);
  const result = page(
    rows.map((r) => ({ id: r.f.id, r })),
    q.limit,
    ({ r }) => toDto(r, ctx),
  );
  if (!q.withTotal) return result;
  // The total of the same filter (without the cursor), for "共 N 条" and page numbers.
  const [count] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(findings)
    .innerJoin(systems, eq(systems.id, findings.systemId))
    .innerJoin(departments, eq(departments.id, findings.departmentId))
    .where(and(...where.slice(1).filter(Boolean)));
  return { ...result, total: Number(count?.n ?? 0) };
}

async function loadRow(db: Db, id: number, lock = false): Promise<Row> {
  if (lock) await db.select({ id: findings.id }).from(findings).where(eq(findings.id, id)).for('update');
  const [row] = await selectRows(db).where(eq(findings.id, id));
  if (!row) throw notFound(`finding ${id}`);
  return row;
}

function requireFindingScope(p: Principal, r: Row): void {
  if (!inScope(p, r.departmentPath)) throw new AppError('forbidden', `finding ${r.f.id} belongs to another department`);
}

async function historyOf(db: Db, id: number): Promise<FindingHistoryItem[]> {
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entity, 'finding'), eq(auditLog.entityId, String(id))))
    .orderBy(asc(auditLog.id));
  return rows.map((r) => {
    const after = (r.after ?? {}) as { status?: string; note?: string | null };
    return { at: r.at.toISOString(), actor: r.actor, action: r.action, status: after.status ?? null, note: after.note ?? null };
  });
}

export async function getFinding(db: Db, principal: Principal, id: number, ctx: Ctx): Promise<FindingDetail> {
  requirePermission(principal, 'read');
  const r = await loadRow(db, id);
  requireFindingScope(principal, r);
  return detailOf(db, r, ctx);
}

async function detailOf(db: Db, r: Row, ctx: Ctx): Promise<FindingDetail> {
  return {
    ...toDto(r, ctx, true),
    evidence: r.f.evidence,
    evidenceVerified: sha256Hex(canonicalJson(r.f.evidence)) === r.f.evidenceSha256,
    history: await historyOf(db, r.f.id),
  };
}

// ---------------------------------------------------------------------------------------------------
// Changes.

export type FindingPatch =
  | { action: 'notify'; note?: string | null }
  | {
      action: 'answer';
      answer: { type: AnswerKind; justification?: string | null; targetSystemCode?: string | null; target?: string | null; dueBy?: Day | null; note?: string | null };
    }
  | { action: 'close'; note?: string | null }
  | { action: 'reopen'; reason?: string | null };

export interface PatchResult {
  finding: FindingDetail;
  /** Present when closing a decommission ran the check. */
  verification?: DecommissionDecision & { summary: string[] };
  /** Delivery of the notice (action notify), when a notifier was given. */
  notified?: number;
}

export interface PatchOptions extends Ctx {
  notifier?: FindingNotifier;
  /** Absolute base URL for links in notices. */
  baseUrl?: string;
}

export async function patchFinding(db: Db, actor: Actor, id: number, patch: FindingPatch, ifMatch: number | undefined, opts: PatchOptions): Promise<PatchResult> {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const p = actor.principal;
  requirePermission(p, 'findings.answer');
  const result = await db.transaction(async (tx) => {
    const r = await loadRow(tx, id, true);
    requireFindingScope(p, r);
    if (patch.action !== 'answer') requirePermission(p, 'findings.manage');
    if (ifMatch !== undefined && ifMatch !== r.f.version) throw new AppError('precondition_failed', `finding ${id} has changed since version ${ifMatch} (now ${r.f.version})`);

    const policy = await activePolicy(tx);
    const on = localDay(opts.now, tz);
    const before = toDto(r, opts);
    const pure = toPure(r, tz);
    let verification: PatchResult['verification'];

    let action: FindingAction;
    switch (patch.action) {
      case 'notify':
        action = { type: 'notify', on };
        break;
      case 'answer': {
        const a = patch.answer;
        let answer: DepartmentAnswer;
        if (a.type === 'keep') answer = { kind: 'keep', justification: a.justification ?? '' };
        else if (a.type === 'merge') answer = { kind: 'merge', targetSystemCode: a.targetSystemCode ?? '', dueBy: a.dueBy ?? null, note: a.note ?? null };
        else if (a.type === 'migrate') answer = { kind: 'migrate', target: a.target ?? a.targetSystemCode ?? null, dueBy: a.dueBy ?? null, note: a.note ?? null };
        else answer = { kind: 'decommission', dueBy: a.dueBy ?? null, note: a.note ?? null };
        action = { type: 'answer', on, answer };
        break;
      }
      case 'close': {
        const answer = storedAnswer(r.f.answer);
        // A decommission is closed only on evidence (also after a reopen: the answer still stands).
        if (answer?.action === 'decommission' && (r.f.status === 'answered' || r.f.status === 'reopened')) {
          const decision = await checkDecommission(tx, r, answer);
          verification = { ...decision, summary: describeDecommission(decision, 'en') };
          if (decision.decision === 'inconclusive') {
            throw new AppError('conflict', `cannot close finding ${id} yet: ${verification.summary.join('; ') || 'the decommissioning could not be verified'}`);
          }
          if (decision.decision === 'reopen') {
            if (r.f.status === 'reopened') throw new AppError('conflict', `cannot close finding ${id}: decommission not verified: ${verification.summary.join('; ')}`);
            action = { type: 'reopen', on, reason: `decommission not verified: ${verification.summary.join('; ')}` };
            break;
          }
        }
        action = { type: 'close', on, resolution: answer ? RESOLUTION_OF[answer.action] : 'withdrawn', ...(patch.note ? { note: patch.note } : {}) };
        break;
      }
      case 'reopen':
        action = { type: 'reopen', on, reason: patch.reason?.trim() || `reopened by ${p.name}` };
        break;
    }

    const applied = applyFindingAction(pure, action, policy);
    if (!applied.ok) {
      const e = applied.error;
      if (e.code === 'illegal_transition') throw new AppError('conflict', `finding ${id}: ${e.message}`);
      const path = e.code === 'invalid_answer' ? `answer.${e.path === 'kind' ? 'type' : e.path}` : e.path;
      throw new AppError('validation_failed', `invalid ${patch.action}: ${path}: ${e.message}`, [{ path, message: e.message }]);
    }
    const next = applied.finding;

    const set: Partial<typeof findings.$inferInsert> = { status: next.status, version: r.f.version + 1 };
    let note: string | null = null;
    switch (action.type) {
      case 'notify':
        set.notifiedAt = opts.now;
        set.deadline = next.deadline ?? r.f.deadline;
        note = patch.action === 'notify' ? (patch.note?.trim() || null) : null;
        break;
      case 'answer': {
        const a = next.answer!;
        if (a.kind === 'merge') {
          const [target] = await tx.select({ id: systems.id }).from(systems).where(eq(systems.code, a.targetSystemCode));
          if (!target) throw new AppError('validation_failed', `invalid answer: answer.targetSystemCode: no system ${a.targetSystemCode}`, [{ path: 'answer.targetSystemCode', message: `no system ${a.targetSystemCode}` }]);
        }
        const stored: StoredAnswer = {
          action: a.kind,
          ...(a.kind === 'keep' ? { justification: a.justification } : {}),
          ...(a.kind === 'merge' ? { targetSystemCode: a.targetSystemCode } : {}),
          ...(a.kind === 'migrate' ? { target: a.target ?? null } : {}),
          ...(a.kind !== 'keep' ? { dueBy: a.dueBy ?? null, note: a.note ?? null } : {}),
          by: p.name,
          at: opts.now.toISOString(),
        };
        set.answer = stored;
        set.answeredAt = opts.now;
        note = a.kind;
        for (const effect of applied.effects) {
          if (effect.type === 'exemption') {
            await setExemption(tx, actor, { id: r.systemId, code: r.systemCode }, effect.until, `finding #${id}: ${effect.reason}`, opts.now);
          }
        }
        break;
      }
      case 'close':
        set.closedAt = opts.now;
        set.closeNote = patch.action === 'close' ? (patch.note?.trim() || null) : null;
        note = set.closeNote ?? action.resolution;
        if (action.resolution === 'decommissioned' && r.systemLifecycle !== 'retired') {
          await updateSystem(tx, actor, r.systemCode, { lifecycle: 'retired' }, undefined, opts.now);
        }
        break;
      case 'reopen':
        set.closedAt = null;
        set.deadline = next.deadline ?? r.f.deadline;
        note = action.reason;
        break;
    }
    await tx.update(findings).set(set).where(eq(findings.id, id));
    const after = await loadRow(tx, id);
    const afterDto = toDto(after, opts);
    await recordAudit(tx, actor, {
      action: action.type,
      entity: 'finding',
      entityId: String(id),
      before,
      after: { ...afterDto, note, ...(verification ? { verification: { decision: verification.decision, reasons: verification.summary } } : {}) },
    });
    return { row: after, verification };
  });

  let notified: number | undefined;
  if (patch.action === 'notify' && opts.notifier) notified = await sendNotice(opts.notifier, result.row, opts);
  return { finding: await detailOf(db, result.row, opts), ...(result.verification ? { verification: result.verification } : {}), ...(notified !== undefined ? { notified } : {}) };
}

function findingLink(baseUrl: string | undefined, id: number): string | undefined {
  return baseUrl ? `${baseUrl.replace(/\/$/, '')}/findings#finding-${id}` : undefined;
}

async function sendNotice(notifier: FindingNotifier, r: Row, opts: PatchOptions): Promise<number> {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const verdictZh = t('zh', r.f.verdict === 'zombie' ? 'status.zombie' : 'status.semi_zombie');
  const verdictEn = t('en', r.f.verdict === 'zombie' ? 'status.zombie' : 'status.semi_zombie');
  const reasons = (Array.isArray(r.f.reasons) ? (r.f.reasons as Reason[]) : []).slice(0, 5);
  const link = findingLink(opts.baseUrl, r.f.id);
  const results = await notifier.notify('finding.notified', `finding:${r.f.id}:notified:${localDay(opts.now, tz)}`, {
    title: `【整改通知】${r.systemName}（${verdictZh}）`,
    text: [
      `**${r.departmentName}** 的「${r.systemName}」（${r.systemCode}）经巡查判定为${verdictZh}系统。`,
      ...reasons.map((x) => `- ${x.message ? t('zh', x.message.key, x.message.params) : x.detail}`),
      `请于 ${r.f.deadline} 前反馈处置意见（保留、整合、迁移或关停下线）。证据包 SHA-256：${r.f.evidenceSha256.slice(0, 16)}…`,
    ].join('\n'),
    en: {
      title: `[Clean-up notice] ${r.systemName} (${verdictEn})`,
      text: `${r.departmentName}: "${r.systemName}" (${r.systemCode}) was found ${verdictEn}: ${reasons.map((x) => x.detail).join('; ')}. Answer (keep, merge, migrate or decommission) by ${r.f.deadline}.`,
    },
    ...(link ? { link } : {}),
    data: { findingId: r.f.id, systemCode: r.systemCode, departmentCode: r.departmentCode, verdict: r.f.verdict, reasonCodes: reasons.map((x) => x.code), deadline: r.f.deadline, evidenceSha256: r.f.evidenceSha256 },
  });
  return results.filter((x) => x.status === 'sent').length;
}

// ---------------------------------------------------------------------------------------------------
// Decommission check against the latest stored probe evidence.

const DNS_OF: Record<string, DecommissionCheckInput['dns'][number]['result']> = { dns_nxdomain: 'nxdomain', dns_nodata: 'nodata', dns_timeout: 'timeout', dns_error: 'error' };


/**
 * Checks a "decommission" answer against the newest probe of every endpoint of the system. Evidence older
 * than the answer proves nothing either way: closing is refused (409) until a sweep has probed each
 * endpoint after the department answered.
 */
async function checkDecommission(db: Db, r: Row, answer: StoredAnswer): Promise<DecommissionDecision> {
  const answeredAt = r.f.answeredAt ?? new Date(answer.at);
  const res = await db.execute(sql`
    select e.url, p.outcome, p.http_status, p.at as probe_at, es.last_outcome, es.last_probe_at,
      (coalesce(p.at, es.last_probe_at) >= ${answeredAt.toISOString()}::timestamptz) as fresh
    from endpoints e
    left join endpoint_state es on es.endpoint_id = e.id
    left join lateral (
      select outcome, http_status, at from probe_results
      where system_id = e.system_id and endpoint_id = e.id and kind = 'liveness'
      order by at desc, id desc limit 1
    ) p on true
    where e.system_id = ${r.systemId}
    order by e.position, e.id`);
  const rows = rowsOf<Record<string, unknown>>(res);
  const stale = rows.filter((x) => !(x.fresh === true || x.fresh === 't')).map((x) => String(x.url));
  if (stale.length) {
    const when = answeredAt.toISOString();
    throw new AppError(
      'conflict',
      `cannot close finding ${r.f.id} yet: ${stale.join(', ')} not probed since the decommission answer (${when}); run a sweep of ${r.systemCode} (POST /sweeps {"systems":["${r.systemCode}"]}) and close again`,
      stale.map((url) => ({ path: 'endpoints', message: url })),
    );
  }
  const hosts = [...new Set(rows.map((x) => hostOf(String(x.url))).filter((h): h is string => !!h))];
  // Names other systems still in use share (a shared portal domain) are allowed to keep resolving.
  const shared = hosts.length
    ? rowsOf<{ host: string }>(
        await db.execute(sql`
          select distinct lower(substring(e.url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)')) as host
          from endpoints e join systems s on s.id = e.system_id
          where s.id <> ${r.systemId} and s.lifecycle <> 'retired'
            and lower(substring(e.url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^/:?#]+)')) = any(${textArray(hosts)})`),
      ).map((x) => x.host)
    : [];
  const input: DecommissionCheckInput = {
    endpoints: rows.map((x) => ({
      url: String(x.url),
      outcome: String(x.outcome ?? x.last_outcome) as DecommissionCheckInput['endpoints'][number]['outcome'],
      httpStatus: x.http_status === null || x.http_status === undefined ? null : Number(x.http_status),
    })),
    dns: rows.flatMap((x) => {
      const outcome = String(x.outcome ?? x.last_outcome);
      const host = hostOf(String(x.url));
      const result = DNS_OF[outcome];
      return result && host ? [{ name: host, result }] : [];
    }),
    sharedHosts: shared,
  };
  return verifyDecommission(input);
}

/**
 * Why a decommission case cannot be closed now, in the reader's language: endpoints not probed since the
 * answer, or what the latest probes still show. Read-only: the same check closing runs.
 */
export async function explainDecommission(db: Db, principal: Principal, id: number, lang: 'zh' | 'en'): Promise<{ stale: string[]; decision: DecommissionDecision['decision'] | null; summary: string[] }> {
  requirePermission(principal, 'read');
  const r = await loadRow(db, id);
  requireFindingScope(principal, r);
  const answer = storedAnswer(r.f.answer);
  if (answer?.action !== 'decommission') return { stale: [], decision: null, summary: [] };
  try {
    const d = await checkDecommission(db, r, answer);
    return { stale: [], decision: d.decision, summary: describeDecommission(d, lang) };
  } catch (e) {
    if (e instanceof AppError && e.code === 'conflict' && e.errors?.length) return { stale: e.errors.map((x) => x.message), decision: null, summary: [] };
    throw e;
  }
}

/** Notifies several findings at once; each is its own change (and audit entry). Refusals are listed, not thrown. */
export async function notifyFindings(db: Db, actor: Actor, ids: number[], opts: PatchOptions): Promise<{ notified: number[]; refused: Array<{ id: number; code: string; message: string }> }> {
  requirePermission(actor.principal, 'findings.manage');
  const notified: number[] = [];
  const refused: Array<{ id: number; code: string; message: string }> = [];
  for (const id of [...new Set(ids)].slice(0, 500)) {
    try {
      await patchFinding(db, actor, id, { action: 'notify' }, undefined, opts);
      notified.push(id);
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      refused.push({ id, code: e.code, message: e.message });
    }
  }
  return { notified, refused };
}

// ---------------------------------------------------------------------------------------------------
// Reminders.

export interface FindingReminderRun {
  due: number;
  sent: number;
  failed: number;
  duplicates: number;
}

/**
 * Reminds departments of findings awaiting an answer (7 days and 1 day before the deadline, and once
 * overdue) and of announced actions past their `dueBy`. Each (finding, deadline, stage) is sent at most
 * once per webhook (the notifier's dedupe key). Call it daily from the scheduler.
 */
export async function runFindingReminders(db: Db, now: Date, notifier: FindingNotifier, opts: { timeZone?: string; baseUrl?: string } = {}): Promise<FindingReminderRun> {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const today = localDay(now, tz);
  const rows = await selectRows(db)
    .where(inArray(findings.status, ['notified', 'reopened', 'answered']))
    .orderBy(asc(findings.id));
  const run: FindingReminderRun = { due: 0, sent: 0, failed: 0, duplicates: 0 };
  for (const r of rows) {
    const a = storedAnswer(r.f.answer);
    let stage: '7d' | '1d' | 'overdue' | null = null;
    let due: Day;
    if (r.f.status === 'answered') {
      if (!a || a.action === 'keep' || !a.dueBy || !(today > a.dueBy)) continue;
      stage = 'overdue';
      due = a.dueBy;
    } else {
      stage = reminderStage(r.f.deadline, today);
      due = r.f.deadline;
    }
    if (!stage) continue;
    run.due++;
    const answering = r.f.status !== 'answered';
    const when = stage === 'overdue' ? `已于 ${due} 逾期` : `将于 ${due} 到期`;
    const whenEn = stage === 'overdue' ? `was due on ${due}` : `is due on ${due}`;
    const link = findingLink(opts.baseUrl, r.f.id);
    const results = await notifier.notify('finding.reminder', `finding:${r.f.id}:${answering ? 'deadline' : 'due'}:${due}:reminder:${stage}`, {
      title: `${stage === 'overdue' ? '【已逾期】' : '【提醒】'}${answering ? '整改反馈' : '整改落实'}：${r.systemName}`,
      text: answering
        ? `**${r.departmentName}** 的「${r.systemName}」（${r.systemCode}）整改反馈${when}，请尽快反馈处置意见。`
        : `**${r.departmentName}** 承诺对「${r.systemName}」（${r.systemCode}）${t('zh', `finding.answer.${a!.action}` as MessageKey)}，${when}，请尽快落实。`,
      en: {
        title: `${stage === 'overdue' ? '[Overdue] ' : '[Reminder] '}${answering ? 'Answer to finding' : 'Announced action'}: ${r.systemName}`,
        text: answering ? `${r.departmentName}: the answer about "${r.systemName}" ${whenEn}.` : `${r.departmentName}: the announced ${a!.action} of "${r.systemName}" ${whenEn}.`,
      },
      ...(link ? { link } : {}),
      data: { findingId: r.f.id, systemCode: r.systemCode, departmentCode: r.departmentCode, stage, due, status: r.f.status },
    });
    let sent = false;
    for (const x of results) {
      if (x.status === 'sent') {
        run.sent++;
        sent = true;
      } else if (x.status === 'failed') run.failed++;
      else run.duplicates++;
    }
    if (sent) await db.update(findings).set({ lastReminderAt: now }).where(eq(findings.id, r.f.id));
  }
  return run;
}
