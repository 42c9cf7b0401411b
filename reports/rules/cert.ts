import { addDays, diffDays, type Day } from '../dates.js';
import { reason } from './context.js';
import type { Ctx, Reason, VerdictRule } from './types.js';

// cert_expired: the certificate (from the TLS facts, else the latest fresh probe) expired past the grace.

function certReasons(ctx: Ctx): Reason[] {
  const { policy, asOf, ev } = ctx;
  let validTo: Day | null = ev.tls?.validTo ?? null;
  let basedOn = 'tls';
  if (!validTo && ctx.probesFresh && typeof ctx.latestProbe?.certDaysLeftMin === 'number') {
    validTo = addDays(ctx.latestProbe.day, ctx.latestProbe.certDaysLeftMin);
    basedOn = 'probe';
  }
  if (!validTo || diffDays(asOf, validTo) <= policy.semiZombie.certExpiredGraceDays) return [];
  return [
    reason('cert_expired', policy.severity.cert_expired, addDays(validTo, 1), 'reason.cert_expired', { validTo }, {
      validTo,
      host: ev.tls?.host ?? null,
      daysExpired: diffDays(asOf, validTo),
      basedOn,
    }),
  ];
}

export const certRule: VerdictRule = { codes: ['cert_expired'], evaluate: certReasons };
