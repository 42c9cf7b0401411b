import { sql } from 'drizzle-orm';
import type { LivenessResult } from '../../../probes/liveness.js';
import { localDay } from '../../../probes/time.js';
import { INSPECTION_OPEN_MS } from '../../../reports/inspection-rule.js';
import type { Db } from '../../db/client.js';
import { contentChanges, endpoints, inspectionDays } from '../../db/schema/index.js';
import { intArray } from '../../db/sql.js';
import type { LeasedTarget, ProbeRecord } from '../types.js';
import { lazyProbe, type ProbeKindSpec, type ProbeRunOptions } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/liveness.js'));

/** Failures worth another try: the network hiccuped, not the system. Timeouts are not retried (they cost the whole budget). */
const TRANSIENT = new Set(['connection_reset', 'dns_timeout', 'dns_error', 'protocol_error']);
const TRANSIENT_STATUS = new Set([502, 503, 504]);

function isTransient(r: LivenessResult): boolean {
  return TRANSIENT.has(r.outcome) || (r.outcome === 'http_error' && r.status !== undefined && TRANSIENT_STATUS.has(r.status));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function livenessWithRetry(url: string, o: ProbeRunOptions): Promise<{ result: LivenessResult; tries: number }> {
  const retries = o.retries ?? 2;
  let tries = 0;
  for (;;) {
    tries++;
    const { probeLiveness } = await probes();
    const result = await probeLiveness(url, { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock: o.deps.clock, ca: o.ca });
    if (!isTransient(result) || tries > retries) return { result, tries };
    await sleep((o.backoffMs ?? 250) * 2 ** (tries - 1));
  }
}

/**
 * The stored record of a liveness result. Built by assignment, not by spreading optional parts: this
 * runs once per probe, and each conditional spread is an object of its own.
 */
function livenessRecord(t: LeasedTarget, r: LivenessResult, tries: number): ProbeRecord {
  const detail: Record<string, unknown> = { timings: r.timings, finalUrl: r.finalUrl, redirects: r.redirects, remoteAddress: r.remoteAddress };
  if (r.tlsReason) detail.tlsReason = r.tlsReason;
  if (r.challenge) {
    detail.vendor = r.challenge.vendor;
    detail.challengeMarker = r.challenge.marker;
  }
  if (r.localAddress) detail.localAddress = r.localAddress;
  if (r.error) detail.error = r.error;
  if (r.cert) detail.cert = { issuer: r.cert.issuer, validTo: r.cert.validTo, daysToExpiry: r.cert.daysToExpiry };
  if (r.title) detail.title = r.title;
  detail.bodyBytes = r.bodyBytes;
  if (tries > 1) detail.tries = tries;
  return {
    targetId: t.id,
    sweepId: t.sweepId,
    systemId: t.systemId,
    endpointId: t.endpointId,
    kind: 'liveness',
    url: t.url,
    at: new Date(r.startedAt),
    outcome: r.outcome,
    httpStatus: r.status ?? null,
    durationMs: r.timings.totalMs,
    detail,
    contentHash: r.contentHash ?? null,
    title: r.title ?? null,
    lastModified: r.lastModified ? new Date(r.lastModified) : null,
    certDaysLeft: r.cert?.daysToExpiry ?? null,
    cert: r.cert ? { issuer: r.cert.issuer, subject: r.cert.subject, validTo: r.cert.validTo, daysToExpiry: r.cert.daysToExpiry, selfSigned: r.cert.selfSigned } : undefined,
  };
}

/** Outcomes that are not visits of the site: our own policy refused, or a WAF challenged our prober. */
const NOT_A_VISIT: ReadonlySet<string> = new Set(['blocked_by_policy', 'challenged']);

/** Liveness results of portal endpoints folded into visits per endpoint and local day (the inspection rule's counts). */
export function inspectionRollup(records: ProbeRecord[], portalIds: ReadonlySet<number>, timeZone: string) {
  const byKey = new Map<string, { endpointId: number; systemId: number; day: string; visits: number; notOpened: number }>();
  for (const r of records) {
    if (r.kind !== 'liveness' || r.endpointId === null || !portalIds.has(r.endpointId) || NOT_A_VISIT.has(r.outcome)) continue;
    const day = localDay(r.at, timeZone);
    const key = `${r.endpointId}|${day}`;
    let d = byKey.get(key);
    if (!d) byKey.set(key, (d = { endpointId: r.endpointId, systemId: r.systemId, day, visits: 0, notOpened: 0 }));
    d.visits++;
    if (r.outcome !== 'ok' || (r.durationMs ?? 0) > INSPECTION_OPEN_MS) d.notOpened++;
  }
  return [...byKey.values()].sort((a, b) => a.endpointId - b.endpointId || a.day.localeCompare(b.day));
}

async function storeInspectionDays(db: Db, records: ProbeRecord[], timeZone: string): Promise<void> {
  const ids = [...new Set(records.filter((r) => r.endpointId !== null).map((r) => r.endpointId!))];
  if (!ids.length) return;
  const portals = new Set((await db.select({ id: endpoints.id }).from(endpoints).where(sql`${endpoints.id} = any(${intArray(ids)}) and ${endpoints.role} = 'portal'`)).map((r) => r.id));
  const rows = inspectionRollup(records, portals, timeZone).map((d) => ({ endpoint_id: d.endpointId, system_id: d.systemId, day: d.day, visits: d.visits, not_opened: d.notOpened }));
  if (!rows.length) return;
  await db.execute(sql`
    insert into ${inspectionDays} as i (endpoint_id, system_id, day, visits, not_opened)
    select endpoint_id, system_id, day, visits, not_opened
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(endpoint_id int, system_id int, day date, visits int, not_opened int)
    on conflict (endpoint_id, day) do update set visits = i.visits + excluded.visits, not_opened = i.not_opened + excluded.not_opened`);
}

type ContentChange = { endpointId: number; systemId: number; at: Date; contentHash: string };

/** Is the endpoint up: status, timings, TLS certificate, title and content hash. */
export const liveness: ProbeKindSpec<'liveness'> = {
  stored: 'liveness',
  target: 'endpoint',
  byDefault: true,
  rollsUpDaily: true,
  async run(_db, t, o) {
    const { result, tries } = await livenessWithRetry(t.url, o);
    return livenessRecord(t, result, tries);
  },
  // The latest probe, the title and certificate, and each change of the homepage's content (with its history row).
  endpointState: {
    init: (): ContentChange[] => [],
    fold(next, r, changes: ContentChange[]) {
      next.lastProbeAt = r.at;
      next.lastOutcome = r.outcome;
      if (r.outcome === 'ok') next.lastOkAt = r.at;
      if (r.title !== undefined && r.title !== null) next.title = r.title.slice(0, 500);
      if (r.cert !== undefined) next.cert = r.cert;
      if (r.lastModified) next.lastModified = r.lastModified;
      if (r.contentHash && r.outcome === 'ok' && r.contentHash !== next.contentHash) {
        next.contentHash = r.contentHash;
        next.contentChangedAt = r.at;
        changes.push({ endpointId: next.endpointId, systemId: r.systemId, at: r.at, contentHash: r.contentHash });
      }
    },
    async flush(tx, changes: ContentChange[]) {
      if (!changes.length) return;
      const changeRows = changes.map((c) => ({ endpoint_id: c.endpointId, system_id: c.systemId, at: c.at, content_hash: c.contentHash }));
      await tx.execute(sql`
        insert into ${contentChanges} (endpoint_id, system_id, at, content_hash)
        select endpoint_id, system_id, at, content_hash
        from jsonb_to_recordset(${JSON.stringify(changeRows)}::jsonb) as x(endpoint_id int, system_id int, at timestamptz, content_hash text)`);
    },
  },
  // Visits of portal endpoints per day: the counts of the national inspection's 1-week / 20-visits / 15 s rule.
  store: (tx, records, ctx) => storeInspectionDays(tx, records, ctx.timeZone),
};
