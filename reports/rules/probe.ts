import { addDays, diffDays, type Day } from '../dates.js';
import type { ProbeDay } from '../evidence.js';
import { answeredProbes, formatPercent, reason, sumOutcomes } from './context.js';
import type { Ctx, JsonObject, Reason, VerdictRule } from './types.js';

// Probe rules: unreachable, dns_gone, availability_low.

/**
 * The run of bad probe days that ends at the latest probe day, allowing up to `gapToleranceDays` missing
 * days between two rows. Null when the latest day is not bad.
 */
function trailingRun(ctx: Ctx, bad: (d: ProbeDay) => boolean): ProbeDay[] | null {
  const days = ctx.probeDays;
  let i = days.length - 1;
  if (i < 0 || !bad(days[i]!)) return null;
  while (i > 0) {
    const prev = days[i - 1]!;
    if (!bad(prev) || diffDays(days[i]!.day, prev.day) - 1 > ctx.policy.probes.gapToleranceDays) break;
    i--;
  }
  return days.slice(i);
}

function runEvidence(run: ProbeDay[]): JsonObject {
  const from = run[0]!.day;
  const to = run.at(-1)!.day;
  const calendarDays = diffDays(to, from) + 1;
  return {
    from,
    to,
    calendarDays,
    probedDays: run.length,
    missingDays: calendarDays - run.length,
    probes: run.reduce((s, d) => s + d.probes, 0),
    ok: run.reduce((s, d) => s + d.ok, 0),
    failed: run.reduce((s, d) => s + d.failed, 0),
    dnsNxdomain: run.reduce((s, d) => s + d.dnsNxdomain, 0),
    outcomes: sumOutcomes(run),
  };
}

function probeReasons(ctx: Ctx): Reason[] {
  if (!ctx.probesFresh) return [];
  const { policy } = ctx;
  const out: Reason[] = [];

  const dnsRun = trailingRun(ctx, (d) => d.ok === 0 && d.dnsNxdomain >= d.probes);
  if (dnsRun) {
    const ev = runEvidence(dnsRun);
    if ((ev.calendarDays as number) >= policy.zombie.dnsGoneDays) {
      out.push(
        reason('dns_gone', 'zombie', ev.from as Day, 'reason.dns_gone', { days: ev.calendarDays as number, since: ev.from as string, probes: ev.probes as number }, { ...ev, threshold: policy.zombie.dnsGoneDays }),
      );
    }
  }

  const downRun = trailingRun(ctx, (d) => answeredProbes(d) === 0);
  if (downRun) {
    const ev = runEvidence(downRun);
    if ((ev.calendarDays as number) >= policy.zombie.unreachableDays) {
      out.push(
        reason('unreachable', 'zombie', ev.from as Day, 'reason.unreachable', { days: ev.calendarDays as number, since: ev.from as string, probes: ev.probes as number }, { ...ev, threshold: policy.zombie.unreachableDays }),
      );
    }
  }

  // Availability is not repeated when the system is already down or gone for good.
  if (out.length === 0) {
    const window = policy.semiZombie.availabilityWindowDays;
    const from = addDays(ctx.asOf, -(window - 1));
    const inWindow = ctx.probeDays.filter((d) => d.day >= from);
    const probes = inWindow.reduce((s, d) => s + d.probes, 0);
    // Availability counts probes the server answered (ok, an HTTP error, a TLS error, a challenge).
    const ok = inWindow.reduce((s, d) => s + answeredProbes(d), 0);
    if (inWindow.length >= policy.probes.minDays && probes > 0 && ok / probes < policy.semiZombie.availabilityMin) {
      const availability = ok / probes;
      const worstDays = [...inWindow]
        .sort((a, b) => answeredProbes(a) / a.probes - answeredProbes(b) / b.probes || (a.day < b.day ? -1 : 1))
        .slice(0, 5)
        .map((d) => ({ day: d.day, probes: d.probes, ok: answeredProbes(d) }));
      const since = inWindow.find((d) => answeredProbes(d) < d.probes)?.day ?? from;
      out.push(
        reason(
          'availability_low',
          'semi_zombie',
          since,
          'reason.availability_low',
          { window, availability: formatPercent(availability), threshold: formatPercent(policy.semiZombie.availabilityMin), probes, failed: probes - ok },
          {
            from,
            to: ctx.asOf,
            probedDays: inWindow.length,
            probes,
            ok,
            failed: probes - ok,
            availability: Math.round(availability * 10000) / 10000,
            threshold: policy.semiZombie.availabilityMin,
            outcomes: sumOutcomes(inWindow),
            worstDays,
          },
        ),
      );
    }
  }
  return out;
}

export const probeRule: VerdictRule = { codes: ['unreachable', 'dns_gone', 'availability_low'], evaluate: probeReasons };
