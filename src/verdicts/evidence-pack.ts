import { sql } from 'drizzle-orm';
import { PROBE_OUTCOMES, USAGE_METRICS, type ProbeOutcome, type UsageMetric } from '../../reports/codes.js';
import type { Day } from '../../reports/dates.js';
import type { ContentHashPoint, DnsAnswer, OwnerReply, ProbeSample, UsagePoint } from '../../reports/findings.js';
import type { Db } from '../db/client.js';
import { intArray, rowsOf } from '../db/sql.js';
import { endOfDay } from '../../probes/time.js';
import { hostOf } from '../../probes/host.js';

/**
 * What goes into the evidence pack of a new finding besides the classification: recent raw probe
 * samples, DNS answers, the usage series of the judged window, content hash changes and the owner's
 * replies in campaigns. Loaded for many systems at once (one query per kind, index look-ups per system).
 */
export interface PackMaterial {
  probeSamples: ProbeSample[];
  dnsAnswers: DnsAnswer[];
  usageSeries: UsagePoint[];
  contentHashes: ContentHashPoint[];
  ownerReplies: OwnerReply[];
}

/** Raw probe samples per system in a pack (the newest ones up to asOf). */
export const PACK_PROBE_SAMPLES = 24;
export const PACK_CONTENT_CHANGES = 20;

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const DNS_RESULT: Partial<Record<ProbeOutcome, DnsAnswer['result']>> = { dns_nxdomain: 'nxdomain', dns_nodata: 'nodata', dns_timeout: 'timeout', dns_error: 'error' };


const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * @param systems ids with the first day of the usage window to include (90 days, or 12 months for seasonal systems).
 */
export async function loadPackMaterial(db: Db, systems: { systemId: number; usageFrom: Day }[], asOf: Day, timeZone: string): Promise<Map<number, PackMaterial>> {
  const out = new Map<number, PackMaterial>();
  if (!systems.length) return out;
  for (const s of systems) out.set(s.systemId, { probeSamples: [], dnsAnswers: [], usageSeries: [], contentHashes: [], ownerReplies: [] });
  const ids = systems.map((s) => s.systemId);
  const end = endOfDay(asOf, timeZone).toISOString();
  const earliestUsage = systems.reduce((m, s) => (s.usageFrom < m ? s.usageFrom : m), asOf);
  const usageFrom = new Map(systems.map((s) => [s.systemId, s.usageFrom]));

  const [samples, ipv6, usage, content, replies] = await Promise.all([
    db.execute(sql`
      select sid as system_id, p.url, p.outcome, p.http_status, p.duration_ms, p.detail->>'error' as error,
        to_char(p.at at time zone 'UTC', ${sql.raw(ISO)}) as at
      from unnest(${intArray(ids)}) as sid
      cross join lateral (
        select url, outcome, http_status, duration_ms, detail, at, id from probe_results
        where system_id = sid and kind = 'liveness' and at < ${end}::timestamptz
        order by at desc, id desc limit ${PACK_PROBE_SAMPLES}
      ) p`),
    db.execute(sql`
      select e.system_id, p.url, p.detail->'aRecords' as a, p.detail->'aaaaRecords' as aaaa, p.detail->'nameServers' as ns,
        to_char(p.at at time zone 'UTC', ${sql.raw(ISO)}) as at
      from endpoints e
      cross join lateral (
        select url, detail, at from probe_results
        where system_id = e.system_id and endpoint_id = e.id and kind = 'ipv6' and at < ${end}::timestamptz
        order by at desc, id desc limit 1
      ) p
      where e.system_id = any(${intArray(ids)})`),
    db.execute(sql`
      select system_id, to_char(day, 'YYYY-MM-DD') as day, metric, max(value)::float8 as value
      from usage_days
      where system_id = any(${intArray(ids)}) and day >= ${earliestUsage}::date and day <= ${asOf}::date
      group by system_id, day, metric`),
    db.execute(sql`
      select sid as system_id, c.url, c.content_hash, to_char(c.at at time zone ${timeZone}, 'YYYY-MM-DD') as day
      from unnest(${intArray(ids)}) as sid
      cross join lateral (
        select e.url, cc.content_hash, cc.at from content_changes cc join endpoints e on e.id = cc.endpoint_id
        where cc.system_id = sid and cc.at < ${end}::timestamptz
        order by cc.at desc, cc.id desc limit ${PACK_CONTENT_CHANGES}
      ) c`),
    db.execute(sql`
      select ci.system_id, d.code as department_code, ci.state, ci.confirmed_by_name, ci.note,
        to_char(coalesce(ci.confirmed_at, ci.updated_at) at time zone 'UTC', ${sql.raw(ISO)}) as at
      from campaign_items ci join departments d on d.id = ci.department_id
      where ci.system_id = any(${intArray(ids)}) and ci.state <> 'pending' and coalesce(ci.confirmed_at, ci.updated_at) < ${end}::timestamptz`),
  ]);

  for (const r of rowsOf<Record<string, unknown>>(samples)) {
    const m = out.get(Number(r.system_id))!;
    const outcome = String(r.outcome) as ProbeOutcome;
    const at = String(r.at);
    const url = String(r.url);
    m.probeSamples.push({
      at,
      url,
      outcome,
      httpStatus: r.http_status === null ? null : Number(r.http_status),
      ms: r.duration_ms === null ? null : Number(r.duration_ms),
      detail: typeof r.error === 'string' ? r.error.slice(0, 300) : null,
    });
    const result = (PROBE_OUTCOMES as readonly string[]).includes(outcome) ? DNS_RESULT[outcome] : undefined;
    const host = hostOf(url);
    if (result && host) m.dnsAnswers.push({ at, name: host, type: 'A', result });
  }
  for (const r of rowsOf<Record<string, unknown>>(ipv6)) {
    const m = out.get(Number(r.system_id))!;
    const host = hostOf(String(r.url));
    if (!host) continue;
    const at = String(r.at);
    const a = strings(r.a);
    const aaaa = strings(r.aaaa);
    m.dnsAnswers.push({ at, name: host, type: 'A', result: a.length ? 'records' : 'nodata', ...(a.length ? { records: a } : {}) });
    m.dnsAnswers.push({ at, name: host, type: 'AAAA', result: aaaa.length ? 'records' : 'nodata', ...(aaaa.length ? { records: aaaa } : {}) });
    if (Array.isArray(r.ns)) m.dnsAnswers.push({ at, name: host, type: 'NS', result: strings(r.ns).length ? 'records' : 'nodata', records: strings(r.ns) });
  }
  for (const r of rowsOf<Record<string, unknown>>(usage)) {
    const id = Number(r.system_id);
    const day = String(r.day);
    const metric = String(r.metric);
    if (day < (usageFrom.get(id) ?? asOf) || !(USAGE_METRICS as readonly string[]).includes(metric)) continue;
    out.get(id)!.usageSeries.push({ day, metric: metric as UsageMetric, value: Number(r.value) });
  }
  for (const r of rowsOf<Record<string, unknown>>(content)) {
    out.get(Number(r.system_id))!.contentHashes.push({ day: String(r.day), url: String(r.url), hash: String(r.content_hash) });
  }
  for (const r of rowsOf<Record<string, unknown>>(replies)) {
    const text = [String(r.state), r.note ? String(r.note) : null].filter(Boolean).join(': ');
    out.get(Number(r.system_id))!.ownerReplies.push({ at: String(r.at), departmentCode: String(r.department_code), by: r.confirmed_by_name ? String(r.confirmed_by_name) : null, text });
  }
  return out;
}
