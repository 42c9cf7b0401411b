import { ipv6Changes } from '../../db/schema/index.js';
import { lazyProbe, recordOf, type ProbeKindSpec } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/ipv6.js'));

const rate = (n: unknown) => (typeof n === 'number' ? n : null);

/** What makes an IPv6 result worth a history row: its grade and link rates (to the percent). */
function ipv6Key(v: unknown): string {
  const x = (v ?? {}) as { grade?: unknown; secondLevelRate?: unknown; thirdLevelRate?: unknown };
  const pct = (n: unknown) => (typeof n === 'number' ? Math.round(n * 100) : '-');
  return x.grade === undefined ? '' : `${String(x.grade)}|${pct(x.secondLevelRate)}|${pct(x.thirdLevelRate)}`;
}

const gradeOf = (v: unknown): string | undefined => {
  const g = (v ?? {}) as { grade?: unknown };
  return typeof g.grade === 'string' ? g.grade : undefined;
};

export interface Ipv6StoredState {
  /** The stored (stable) result, the one verdicts and reports read, and when it was measured. */
  ipv6: unknown;
  ipv6At: Date | null | undefined;
  /** A result with another grade, seen once, waiting for confirmation. */
  pending: unknown;
  pendingAt: Date | null | undefined;
}

/**
 * Hysteresis of the IPv6 grade: a result with the stored grade replaces the stored result (new link
 * rates are figures, not a change of grade) and drops any pending grade; a result with another grade is
 * only pending until the next sweep sees the same grade again, and then becomes the stored result. The
 * history row of a confirmed change is dated when the new grade was first seen: it held from then on.
 * The first result of an endpoint is stored at once (there is nothing to flap from).
 */
export function ipv6Step(prev: Ipv6StoredState, result: Record<string, unknown>, at: Date): { state: Ipv6StoredState; history: Array<{ at: Date; ipv6: Record<string, unknown> }> } {
  const grade = gradeOf(result);
  if (grade === undefined) return { state: prev, history: [] };
  const stored = gradeOf(prev.ipv6);
  const history: Array<{ at: Date; ipv6: Record<string, unknown> }> = [];
  if (stored === undefined || stored === grade) {
    if (ipv6Key(result) !== ipv6Key(prev.ipv6)) history.push({ at, ipv6: result });
    return { state: { ipv6: result, ipv6At: at, pending: null, pendingAt: null }, history };
  }
  if (gradeOf(prev.pending) === grade && prev.pendingAt) {
    const first = prev.pending as Record<string, unknown>;
    history.push({ at: prev.pendingAt, ipv6: first });
    if (ipv6Key(result) !== ipv6Key(first)) history.push({ at, ipv6: result });
    return { state: { ipv6: result, ipv6At: at, pending: null, pendingAt: null }, history };
  }
  return { state: { ...prev, pending: result, pendingAt: at }, history };
}

type Ipv6Change = typeof ipv6Changes.$inferInsert;

/** IPv6 readiness of a portal (the fields of the contract), for endpoint_state.ipv6 and its history. */
export const ipv6: ProbeKindSpec<'ipv6'> = {
  stored: 'ipv6',
  target: 'endpoint',
  byDefault: false,
  rollsUpDaily: false,
  async run(_db, t, o) {
    if (!(o.ipv6Eligible?.(t) ?? true)) return null;
    const { probeIpv6 } = await probes();
    const r = await probeIpv6(t.url, { resolver: o.deps.resolver, policy: o.deps.policy, timeoutMs: o.deps.timeoutMs, clock: o.deps.clock, ca: o.ca });
    const fields = {
      aaaa: r.aaaa,
      nsAaaa: r.nsAaaa,
      v4Ok: r.v4Ok,
      v6Ok: r.v6Ok,
      parity: r.parity,
      secondLevelRate: r.secondLevelRate,
      thirdLevelRate: r.thirdLevelRate,
      latencyRatio: r.latencyRatio,
      grade: r.grade,
      reasons: r.reasons,
    };
    return {
      ...recordOf(t, 'ipv6'),
      at: new Date(r.measuredAt),
      outcome: r.v6Ok ? 'ok' : r.aaaa ? 'protocol_error' : 'dns_nodata',
      httpStatus: null,
      durationMs: null,
      detail: { ...fields, aRecords: r.aRecords, aaaaRecords: r.aaaaRecords, nameServers: r.nameServers, secondLevel: r.secondLevel, thirdLevel: r.thirdLevel },
      contentHash: null,
      ipv6: fields,
    };
  },
  // The stored grade with its hysteresis, and a history row for each confirmed change.
  endpointState: {
    init: (): Ipv6Change[] => [],
    fold(next, r, history: Ipv6Change[]) {
      if (!r.ipv6) return;
      const step = ipv6Step({ ipv6: next.ipv6, ipv6At: next.ipv6At, pending: next.ipv6Pending, pendingAt: next.ipv6PendingAt }, r.ipv6, r.at);
      for (const h of step.history) {
        history.push({ endpointId: next.endpointId, systemId: r.systemId, at: h.at, grade: String(h.ipv6.grade), secondLevelRate: rate(h.ipv6.secondLevelRate), thirdLevelRate: rate(h.ipv6.thirdLevelRate) });
      }
      next.ipv6 = step.state.ipv6;
      next.ipv6At = step.state.ipv6At;
      next.ipv6Pending = step.state.pending;
      next.ipv6PendingAt = step.state.pendingAt;
    },
    async flush(tx, history: Ipv6Change[]) {
      if (history.length) await tx.insert(ipv6Changes).values(history);
    },
  },
};
