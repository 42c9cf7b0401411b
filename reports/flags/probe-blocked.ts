import { flag } from '../rules/context.js';
import type { FlagRule, JsonObject } from '../rules/types.js';

// probe_blocked: our probes were challenged, or their failures were set aside by evidence of life.
export const probeBlockedFlag: FlagRule = {
  codes: ['probe_blocked'],
  evaluate(ctx) {
    const { life, blocked } = ctx;
    if (!(life.challengedProbes > 0 || blocked.length > 0)) return [];
    const prober = ctx.ev.prober ?? null;
    const vendors = [...new Set(prober?.challengeVendors ?? [])].sort();
    const address = prober?.address ?? '—';
    const evidence: JsonObject = {
      proberAddress: prober?.address ?? null,
      challengedProbes: life.challengedProbes,
      vendors,
      recentUsage: { from: life.from, to: ctx.asOf, daysWithUse: life.usageDays, lastUsage: life.lastUsage },
      setAside: blocked.map((r) => ({ code: r.code, since: r.since, evidence: r.evidence })),
    };
    return [
      life.challengedProbes > 0
        ? flag('probe_blocked', 'flag.probe_blocked.challenged', { address, vendor: vendors[0] ?? 'generic', probes: life.challengedProbes }, evidence)
        : flag('probe_blocked', 'flag.probe_blocked.unreachable', { address, lastUsage: life.lastUsage ?? '—' }, evidence),
    ];
  },
};
