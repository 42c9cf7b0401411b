import { sql } from 'drizzle-orm';
import { addDays, type Day } from '../../../reports/dates.js';
import type { Policy } from '../../../reports/policy.js';
import type { ResourceDay, ResourceEvidence, ResourceFacts } from '../../../reports/resources.js';
import type { Db } from '../../db/client.js';
import { intArray, rowsOf } from '../../db/sql.js';

/**
 * Evidence step for `resources_idle` (issue 12): each system's cloud resources and their utilisation days
 * over the span the rule reads (every window of `resources.zombieDays`), in two set-based queries.
 */

/** A `cloud_resources` row (snake_case columns, `since`/`until` as text) with its utilisation days. */
export function resourceFactsOf(r: Record<string, unknown>, days: ResourceDay[]): ResourceFacts {
  return {
    externalId: String(r.external_id),
    kind: String(r.kind),
    vcpu: Number(r.vcpu),
    memoryGb: Number(r.memory_gb),
    storageGb: Number(r.storage_gb),
    monthlyCost: r.monthly_cost === null ? null : Number(r.monthly_cost),
    since: (r.since as string | null) ?? null,
    until: (r.until as string | null) ?? null,
    days,
  };
}

/** Days of utilisation the rule can look at. */
export function resourceWindowDays(policy: Policy): number {
  return Math.ceil(policy.resources.zombieDays / policy.resources.windowDays) * policy.resources.windowDays;
}

export async function loadResourceEvidence(db: Db, opts: { asOf: Day; policy: Policy; systemIds?: number[] }): Promise<Map<number, ResourceEvidence>> {
  const from = addDays(opts.asOf, -(resourceWindowDays(opts.policy) - 1));
  const only = opts.systemIds ? sql`and r.system_id = any(${intArray(opts.systemIds)})` : sql``;
  const resourceRows = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select r.id, r.system_id, r.external_id, r.kind, r.vcpu, r.memory_gb, r.storage_gb, r.monthly_cost, r.since::text as since, r.until::text as until
      from cloud_resources r
      where r.system_id is not null ${only}
        and (r.since is null or r.since <= ${opts.asOf}::date) and (r.until is null or r.until >= ${from}::date)`),
  );
  const out = new Map<number, ResourceEvidence>();
  if (!resourceRows.length) return out;
  const byId = new Map<number, ResourceFacts>();
  for (const r of resourceRows) {
    const facts = resourceFactsOf(r, []);
    byId.set(Number(r.id), facts);
    const sys = Number(r.system_id);
    const ev = out.get(sys) ?? { resources: [] };
    ev.resources.push(facts);
    out.set(sys, ev);
  }
  const days = rowsOf<Record<string, unknown>>(
    await db.execute(sql`
      select u.resource_id, u.day::text as day, u.cpu_p95, coalesce(u.net_in_bytes, 0) + coalesce(u.net_out_bytes, 0) as net, u.net_in_bytes is null and u.net_out_bytes is null as no_net, u.missing_reason
      from resource_utilisation u
      where u.resource_id = any(${intArray([...byId.keys()])}) and u.day between ${from}::date and ${opts.asOf}::date`),
  );
  for (const d of days) {
    const facts = byId.get(Number(d.resource_id));
    if (!facts) continue;
    const missing = d.missing_reason === null || d.missing_reason === undefined ? null : String(d.missing_reason);
    const noNet = d.no_net === true || d.no_net === 't';
    facts.days.push({ day: String(d.day), cpuP95: missing || d.cpu_p95 === null ? null : Number(d.cpu_p95), netBytes: missing || noNet ? null : Number(d.net), missing });
  }
  return out;
}
