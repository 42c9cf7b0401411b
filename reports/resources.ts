import { addDays, type Day } from './dates.js';
import type { Policy } from './policy.js';

/**
 * Cloud resources of a system and their daily utilisation, as the classifier sees them (pure data; the
 * database loader fills it, src/verdicts/resources-evidence.ts). Days are local calendar days.
 *
 * Kinds follow the contract (`vm|database|storage|bandwidth|other`). Compute kinds (`vm`, `database`) are
 * always judged; the others only when utilisation was reported for them (a storage volume attached to a
 * VM has no CPU of its own and is judged through its VM).
 */
export const COMPUTE_RESOURCE_KINDS: readonly string[] = ['vm', 'database'];

export interface ResourceDay {
  day: Day;
  /** Null on a day without evidence (see `missing`). Percent, 0–100. */
  cpuP95: number | null;
  /** Network in + out over the day, bytes; null without evidence. */
  netBytes: number | null;
  /** Why the day has no evidence (the pull failed: `timeout`, `http_error`, `invalid_response`, `no_data`…). */
  missing?: string | null;
}

export interface ResourceFacts {
  externalId: string;
  kind: string;
  vcpu: number;
  memoryGb: number;
  storageGb: number;
  monthlyCost?: number | null;
  /** Allocated from / released on (inclusive); null: unknown start / still allocated. */
  since?: Day | null;
  until?: Day | null;
  /** Utilisation days; any order, one per day. Days after asOf are ignored. */
  days: ResourceDay[];
}

export interface ResourceEvidence {
  resources: ResourceFacts[];
}

/** A resource is allocated on `day` when its since/until span covers it. */
export function allocatedOn(r: Pick<ResourceFacts, 'since' | 'until'>, day: Day): boolean {
  return (!r.since || r.since <= day) && (!r.until || r.until >= day);
}

/** A resource-day is idle when it has evidence, CPU p95 ≤ the threshold and network in + out ≤ the threshold. A missing day is never idle. */
export function isIdleDay(d: ResourceDay, policy: Policy): boolean {
  if (d.cpuP95 === null || d.netBytes === null || d.missing) return false;
  return d.cpuP95 <= policy.resources.idleCpuP95Max && d.netBytes <= policy.resources.idleNetworkBytesMax;
}

export interface WindowCount {
  from: Day;
  to: Day;
  idleDays: number;
  /** Days with figures (idle or busy). */
  evidenceDays: number;
  /** Days recorded as missing evidence, with the reasons seen. */
  missingDays: number;
  idle: boolean;
}

export interface ResourceIdleness {
  externalId: string;
  /** Judged at all: allocated on asOf and a compute kind or one with reported utilisation. */
  judged: boolean;
  /** The window ending on asOf. */
  current: WindowCount;
  /** Idle in each consecutive window covering the last `resources.zombieDays` days. */
  idleLong: boolean;
  /** First idle day of the idle span (current window, or the long span when idleLong). */
  idleSince: Day | null;
  missingReasons: string[];
}

function countWindow(byDay: Map<Day, ResourceDay>, to: Day, policy: Policy): WindowCount {
  const n = policy.resources.windowDays;
  const from = addDays(to, -(n - 1));
  let idleDays = 0;
  let evidenceDays = 0;
  let missingDays = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const row = byDay.get(d);
    if (!row) continue;
    if (row.missing || row.cpuP95 === null || row.netBytes === null) missingDays++;
    else {
      evidenceDays++;
      if (isIdleDay(row, policy)) idleDays++;
    }
  }
  return { from, to, idleDays, evidenceDays, missingDays, idle: idleDays >= policy.resources.minIdleDays };
}

/** How idle one resource is as of `asOf` (pure). */
export function resourceIdleness(r: ResourceFacts, policy: Policy, asOf: Day): ResourceIdleness {
  const byDay = new Map<Day, ResourceDay>();
  for (const d of r.days) if (d.day <= asOf) byDay.set(d.day, d);
  const current = countWindow(byDay, asOf, policy);
  const judged = allocatedOn(r, asOf) && (COMPUTE_RESOURCE_KINDS.includes(r.kind) || current.evidenceDays > 0);
  const blocks = Math.ceil(policy.resources.zombieDays / policy.resources.windowDays);
  let idleLong = current.idle;
  let spanFrom = current.from;
  for (let k = 1; idleLong && k < blocks; k++) {
    const w = countWindow(byDay, addDays(asOf, -k * policy.resources.windowDays), policy);
    idleLong = w.idle;
    spanFrom = w.from;
  }
  const from = idleLong ? spanFrom : current.from;
  let idleSince: Day | null = null;
  for (let d = from; d <= asOf; d = addDays(d, 1)) {
    const row = byDay.get(d);
    if (row && isIdleDay(row, policy)) {
      idleSince = d;
      break;
    }
  }
  const reasons = new Set<string>();
  for (const row of byDay.values()) if (row.missing && row.day >= current.from) reasons.add(row.missing);
  return { externalId: r.externalId, judged, current, idleLong, idleSince: current.idle ? idleSince : null, missingReasons: [...reasons].sort() };
}
