import { sql } from 'drizzle-orm';
import { classify, type Classification, type Reason } from '../../reports/classify.js';
import { STATUSES, type Status } from '../../reports/codes.js';
import { addDays, addMonths, assertDay, type Day } from '../../reports/dates.js';
import { buildEvidencePack, findingFollowUp } from '../../reports/findings.js';
import type { Policy } from '../../reports/policy.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { findings, statusHistory } from '../db/schema/index.js';
import { recordAudit, type Actor } from '../audit/index.js';
import { loadPackMaterial } from './evidence-pack.js';
import { loadSystemEvidence, type LoadedSystem } from './evidence.js';
import { activePolicy } from './policies.js';
import { chunks, intArray, rowsOf } from '../db/sql.js';
import { DEFAULT_TIME_ZONE, localDay } from '../../probes/time.js';

/**
 * The classification run: loads the evidence of every system, classifies it with the active policy,
 * writes the status (read-only data: no version bump, no audit entry), appends a status_history row
 * where the status, reason codes, flags or policy changed, and opens a finding with a frozen evidence
 * pack for each system that is (now) a zombie or semi-zombie and has no finding in progress.
 *
 * One run at a time (a transaction-level advisory lock), so two processes finishing sweeps together
 * never open the same finding twice.
 *
 * A past day is read, not rewritten: a run for a day before today's (`asOf` earlier than the local day
 * of `now`) judges the evidence as of that day and writes nothing — no current status, no finding, no
 * history — unless `record` is set, and then it appends status_history rows for that day only. Stored
 * monthly reports are never touched: a past month's report keeps the input it was first rendered from.
 */

export interface ClassifyRunOptions {
  /** Day judged; default: the local day of `now`. */
  asOf?: Day;
  /** Wall clock of the run (statusAt, history and findings timestamps). */
  now: Date;
  /** Audit actor of opened findings; default the classifier itself. */
  actor?: Actor;
  /** Only these systems (ids). */
  systemIds?: number[];
  timeZone?: string;
  /** For a past `asOf`: write status_history rows for that day (never the current status). Ignored for today. */
  record?: boolean;
}

/** One system's verdict as of the run's day, for report-only output. */
export interface ClassifiedItem {
  code: string;
  status: Status;
  reasons: string[];
  flags: string[];
}

export interface ClassifyRunResult {
  asOf: Day;
  policyVersion: string;
  systems: number;
  counts: Record<Status, number>;
  /** Systems whose status, reason codes, flags or policy changed (a status_history row each). */
  changed: number;
  findingsOpened: number;
  findingIds: number[];
  /** Findings in progress whose verdict or reasons followed their system (escalation). */
  findingsUpdated?: number[];
  /** `current`: today's run; `report`: a past day, nothing written; `record`: a past day, history only. */
  mode: 'current' | 'report' | 'record';
  /** Every system's verdict (by code). */
  items: ClassifiedItem[];
}

const CLASSIFY_LOCK = 7433101;

export const CLASSIFIER_PRINCIPAL: Principal = { tokenId: null, name: 'classifier', role: 'admin', departmentId: null, departmentPath: null, departmentCode: null };

/** Reasons as stored in status_history: enough to render a month-end snapshot, without the bulky evidence. */
export function historyReasons(reasons: readonly Reason[]) {
  return reasons.map((r) => ({ code: r.code, severity: r.severity, since: r.since, detail: r.detail, message: r.message }));
}

function signature(status: string, codes: readonly string[], flags: readonly string[], policyVersion: string): string {
  return `${status}|${[...codes].sort().join(',')}|${[...flags].sort().join(',')}|${policyVersion}`;
}

export async function classifyAll(db: Db, opts: ClassifyRunOptions): Promise<ClassifyRunResult> {
  const tz = opts.timeZone ?? DEFAULT_TIME_ZONE;
  const asOf = opts.asOf ?? localDay(opts.now, tz);
  assertDay(asOf, 'asOf');
  const actor: Actor = opts.actor ?? { principal: CLASSIFIER_PRINCIPAL };
  const mode: ClassifyRunResult['mode'] = asOf >= localDay(opts.now, tz) ? 'current' : opts.record ? 'record' : 'report';

  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLASSIFY_LOCK})`);
    const policy = await activePolicy(tx);
    const loaded = await loadSystemEvidence(tx, { asOf, policy, systemIds: opts.systemIds, timeZone: tz });
    const results = loaded.map((l) => ({ l, c: classify(l.evidence, policy, asOf) }));

    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;
    for (const { c } of results) counts[c.status]++;
    const items: ClassifiedItem[] = results.map(({ l, c }) => ({ code: l.evidence.system.code, status: c.status, reasons: c.reasons.map((r) => r.code), flags: c.flags.map((f) => f.code) }));
    const summary = { asOf, policyVersion: policy.version, systems: results.length, counts, mode, items };
    if (mode === 'report') return { ...summary, changed: 0, findingsOpened: 0, findingIds: [] };

    // status_history: compare with the latest row up to asOf.
    const ids = loaded.map((l) => l.systemId);
    const latest = new Map<number, string>();
    const newer = new Set<number>();
    for (const part of chunks(ids, 5000)) {
      const res = await tx.execute(sql`
        select distinct on (h.system_id) h.system_id, h.status, h.policy_version,
          coalesce((select string_agg(r->>'code', ',' order by r->>'code') from jsonb_array_elements(h.reasons) r), '') as codes,
          coalesce((select string_agg(f, ',' order by f) from jsonb_array_elements_text(h.flags) f), '') as flags
        from status_history h
        where h.system_id = any(${intArray(part)}) and h.as_of <= ${asOf}::date
        order by h.system_id, h.as_of desc, h.id desc`);
      for (const r of rowsOf<Record<string, unknown>>(res)) {
        latest.set(Number(r.system_id), `${r.status}|${r.codes}|${r.flags}|${r.policy_version}`);
      }
      const later = await tx.execute(sql`select distinct system_id from status_history where system_id = any(${intArray(part)}) and as_of > ${asOf}::date`);
      for (const r of rowsOf<{ system_id: unknown }>(later)) newer.add(Number(r.system_id));
    }

    const historyRows: (typeof statusHistory.$inferInsert)[] = [];
    for (const { l, c } of results) {
      const flags = c.flags.map((f) => f.code);
      const sig = signature(c.status, c.reasons.map((r) => r.code), flags, c.policyVersion);
      if (latest.get(l.systemId) === sig) continue;
      historyRows.push({ systemId: l.systemId, at: opts.now, asOf, status: c.status, reasons: historyReasons(c.reasons), flags, policyVersion: c.policyVersion });
    }
    for (const part of chunks(historyRows, 500)) await tx.insert(statusHistory).values(part);

    if (mode === 'record') return { ...summary, changed: historyRows.length, findingsOpened: 0, findingIds: [] };

    // Current status: only where no later classification exists.
    const current = results.filter(({ l }) => !newer.has(l.systemId));
    for (const part of chunks(current, 500)) {
      const payload = JSON.stringify(part.map(({ l, c }) => ({ id: l.systemId, status: c.status, reasons: c.reasons })));
      await tx.execute(sql`
        update systems s set status = v.status::system_status, status_reasons = v.reasons, status_at = ${opts.now.toISOString()}::timestamptz
        from jsonb_to_recordset(${payload}::jsonb) as v(id int, status text, reasons jsonb)
        where s.id = v.id`);
    }

    const judged = current.filter(({ c }) => c.status === 'zombie' || c.status === 'semi_zombie');
    const followed = await followOpenFindings(tx, actor, asOf, judged);
    const opened = await openFindings(tx, actor, policy, asOf, opts.now, tz, judged);
    return {
      ...summary,
      changed: historyRows.length,
      findingsOpened: opened.length,
      findingIds: opened,
      findingsUpdated: followed,
    };
  });
}

/**
 * Findings follow their system: an open finding whose system's verdict got worse, or gained a reason,
 * takes the new verdict and reasons (its evidence pack stays as frozen when it opened), with a timeline
 * entry (`escalate` in the audit log, which is the finding's history).
 */
async function followOpenFindings(tx: Db, actor: Actor, asOf: Day, candidates: { l: LoadedSystem; c: Classification }[]): Promise<number[]> {
  if (!candidates.length) return [];
  const bySystem = new Map(candidates.map((x) => [x.l.systemId, x]));
  const updated: number[] = [];
  for (const part of chunks([...bySystem.keys()], 5000)) {
    const res = await tx.execute(sql`select id, system_id, status, verdict, reasons, version from findings where status <> 'closed' and system_id = any(${intArray(part)}) order by id`);
    for (const f of rowsOf<Record<string, unknown>>(res)) {
      const { l, c } = bySystem.get(Number(f.system_id))!;
      const verdict = f.verdict === 'zombie' ? 'zombie' : 'semi_zombie';
      const had = (Array.isArray(f.reasons) ? (f.reasons as Reason[]) : []).map((r) => r.code);
      const now = c.reasons.map((r) => r.code);
      const step = findingFollowUp({ verdict, reasonCodes: had }, { status: c.status, reasonCodes: now });
      if (!step) continue;
      const id = Number(f.id);
      await tx.execute(sql`update findings set verdict = ${c.status}, reasons = ${JSON.stringify(c.reasons)}::jsonb, version = version + 1 where id = ${id}`);
      await recordAudit(tx, actor, {
        action: step === 'escalate' ? 'escalate' : 'reasons',
        entity: 'finding',
        entityId: String(id),
        before: { verdict, reasonCodes: had },
        after: {
          systemCode: l.evidence.system.code,
          status: String(f.status),
          verdict: c.status,
          reasonCodes: now,
          asOf,
          note: `${verdict} (${had.join(', ')}) → ${c.status} (${now.join(', ')})`,
        },
      });
      updated.push(id);
    }
  }
  return updated;
}

async function openFindings(tx: Db, actor: Actor, policy: Policy, asOf: Day, now: Date, tz: string, candidates: { l: LoadedSystem; c: Classification }[]): Promise<number[]> {
  if (!candidates.length) return [];
  const inProgress = new Set<number>();
  for (const part of chunks(candidates.map(({ l }) => l.systemId), 5000)) {
    const res = await tx.execute(sql`select distinct system_id from findings where status <> 'closed' and system_id = any(${intArray(part)})`);
    for (const r of rowsOf<{ system_id: unknown }>(res)) inProgress.add(Number(r.system_id));
  }
  const toOpen = candidates.filter(({ l }) => !inProgress.has(l.systemId));
  if (!toOpen.length) return [];

  const seasonStart = addDays(addMonths(asOf, -policy.seasonal.usageWindowMonths), 1);
  const normalFrom = addDays(asOf, -(policy.zombie.noUsageDays - 1));
  const openedOn = localDay(now, tz);
  const deadline = addDays(openedOn, policy.findings.answerDeadlineDays);
  const ids: number[] = [];
  for (const part of chunks(toOpen, 500)) {
    const material = await loadPackMaterial(
      tx,
      part.map(({ l }) => ({ systemId: l.systemId, usageFrom: l.evidence.system.season ? seasonStart : normalFrom })),
      asOf,
      tz,
    );
    const reserved = rowsOf<{ id: unknown }>(await tx.execute(sql`select nextval(pg_get_serial_sequence('findings', 'id')) as id from generate_series(1, ${part.length})`)).map((r) => Number(r.id));
    const rows: (typeof findings.$inferInsert)[] = part.map(({ l, c }, i) => {
      const id = reserved[i]!;
      const m = material.get(l.systemId)!;
      const pack = buildEvidencePack({
        systemCode: l.evidence.system.code,
        findingId: String(id),
        asOf,
        policyVersion: c.policyVersion,
        classification: { status: c.status, reasons: c.reasons, flags: c.flags },
        ...m,
      });
      return {
        id,
        systemId: l.systemId,
        departmentId: l.departmentId,
        status: 'open',
        verdict: c.status,
        reasons: c.reasons,
        policyVersion: c.policyVersion,
        evidence: JSON.parse(pack.json),
        evidenceSha256: pack.sha256,
        openedAt: now,
        deadline,
        version: 1,
      };
    });
    await tx.insert(findings).values(rows);
    await recordAudit(
      tx,
      actor,
      rows.map((r, i) => ({
        action: 'open',
        entity: 'finding',
        entityId: String(r.id),
        after: { systemCode: part[i]!.l.evidence.system.code, verdict: r.verdict, reasonCodes: part[i]!.c.reasons.map((x) => x.code), policyVersion: r.policyVersion, evidenceSha256: r.evidenceSha256, asOf },
      })),
    );
    ids.push(...rows.map((r) => r.id!));
  }
  return ids;
}
