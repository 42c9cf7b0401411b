import { lazyProbe, recordOf, type ProbeKindSpec } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/ipv6.js'));

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
};
