import { t } from '../i18n/index.js';
import { FLAG_RULES } from './flags/index.js';
import { VERDICT_RANK, REASON_CODES, type JudgedStatus, type Lifecycle, type ReasonCode, type Status } from './codes.js';
import { addDays, assertDay, maxDay, type Day } from './dates.js';
import type { ExemptionFacts, SystemEvidence } from './evidence.js';
import type { Policy } from './policy.js';
import { RULES, prepare, type Ctx, type Flag, type FlagCtx, type Life, type JsonObject, type Message, type Reason } from './rules/index.js';

export type { Flag, FlagRule, JsonObject, Message, Reason, VerdictRule } from './rules/index.js';
export { FLAG_RULES } from './flags/index.js';
export { RULES, answeredProbes, formatPercent } from './rules/index.js';
export { USAGE_BASES } from './rules/usage.js';

/**
 * Why the evidence is too thin to call a system active:
 *  - `probe_days`: fewer than `probes.minDays` probe days in the evidence window;
 *  - `probes_stale`: the latest probe day is older than `probes.maxSilenceDays` (or there is none);
 *  - `usage_source`: a non-public system with no usage source.
 */
export interface EvidenceGap {
  code: 'probe_days' | 'probes_stale' | 'usage_source';
  detail: string;
  message: Message;
  evidence: JsonObject;
}

export interface Classification {
  systemCode: string;
  asOf: Day;
  policyVersion: string;
  status: Status;
  /**
   * False for systems in `planning`, `construction` or `retired`: they are not judged (nothing is
   * supposed to run yet, or any more) and get status `exempt` with no reasons. Decommissioning systems
   * are judged like live ones.
   */
  judged: boolean;
  notJudgedBecause: Lifecycle | null;
  /** The verdict the evidence gives, ignoring any exemption; null when not judged. Equals `status` unless exempt. */
  wouldBe: JudgedStatus | null;
  /** All reasons found, worst first. Also filled for exempt systems (what the exemption is covering). */
  reasons: Reason[];
  /** Compliance flags, independent of the status. */
  flags: Flag[];
  gaps: EvidenceGap[];
  /** The exemption in force on `asOf`, if any. */
  exemption: ExemptionFacts | null;
}

const NOT_JUDGED: ReadonlySet<Lifecycle> = new Set(['planning', 'construction', 'retired']);

/**
 * Classifies one system from its evidence, as of a day. Pure and deterministic: the order of the evidence
 * arrays does not matter, rows after `asOf` are ignored, no clock is read.
 *
 * Verdict: zombie if any zombie reason holds; otherwise semi_zombie if any semi-zombie reason holds;
 * otherwise insufficient_evidence if the evidence has a gap (see `EvidenceGap`); otherwise active. A
 * reason that the available evidence establishes wins over a gap (e.g. an unconfirmed owner makes a
 * system semi_zombie even with three days of probes), and each probe rule needs enough probe days of its
 * own. An exemption in force (`asOf <= exemption.until`) makes the status `exempt`, keeping the reasons.
 */
export function classify(evidence: SystemEvidence, policy: Policy, asOf: Day): Classification {
  assertDay(asOf, 'asOf');
  const sys = evidence.system;
  const base = { systemCode: sys.code, asOf, policyVersion: policy.version };

  if (NOT_JUDGED.has(sys.lifecycle)) {
    return { ...base, status: 'exempt', judged: false, notJudgedBecause: sys.lifecycle, wouldBe: null, reasons: [], flags: [], gaps: [], exemption: null };
  }

  const ctx = prepare(evidence, policy, asOf);
  const life = evidenceOfLife(ctx);
  const found = RULES.flatMap((rule) => rule.evaluate(ctx));
  // Evidence of life beats a failure seen from our vantage point: the probe rules that only say "we could
  // not get through" give way to `probe_blocked`; DNS gone (NXDOMAIN) is the world's answer, not ours.
  const blockedReasons = life.alive ? found.filter((r) => FROM_OUR_VANTAGE.has(r.code)) : [];
  const kept = found.filter((r) => !blockedReasons.includes(r));
  // A portal that is down is unreachable, not also homepage_not_updated: nobody can read its homepage.
  // (Only while unreachable holds, which makes it a zombie anyway: more evidence of life never worsens.)
  const down = kept.some((r) => r.code === 'unreachable');
  const reasons = kept.filter((r) => !(down && r.code === 'homepage_not_updated')).sort(compareReasons);
  const gaps = evidenceGaps(ctx);
  const flags = complianceFlags(ctx, life, blockedReasons);

  const wouldBe: JudgedStatus = reasons.some((r) => r.severity === 'zombie')
    ? 'zombie'
    : reasons.length > 0
      ? 'semi_zombie'
      : gaps.length > 0
        ? 'insufficient_evidence'
        : 'active';

  const ex = sys.exemption;
  const exemptionInForce = ex && ex.until >= asOf ? ex : null;
  return {
    ...base,
    status: exemptionInForce ? 'exempt' : wouldBe,
    judged: true,
    notJudgedBecause: null,
    wouldBe,
    reasons,
    flags,
    gaps,
    exemption: exemptionInForce ? { ...exemptionInForce } : null,
  };
}

/** Compares two judged verdicts: negative when `a` is worse than `b`. */
export function compareVerdicts(a: JudgedStatus, b: JudgedStatus): number {
  return VERDICT_RANK[a] - VERDICT_RANK[b];
}

/** Reasons that rest only on our probes not getting through. */
const FROM_OUR_VANTAGE: ReadonlySet<ReasonCode> = new Set(['unreachable', 'availability_low']);


function evidenceOfLife(ctx: Ctx): Life {
  const { policy, asOf } = ctx;
  const probeFrom = addDays(asOf, -(policy.probes.evidenceWindowDays - 1));
  const challengedProbes = ctx.probeDays.filter((d) => d.day >= probeFrom).reduce((s, d) => s + (d.outcomes.challenged ?? 0), 0);
  const from = addDays(asOf, -(policy.semiZombie.usageWindowDays - 1));
  const used = new Set(ctx.usageRows.filter((u) => u.day >= from).map((u) => u.day));
  const lastUsage = maxDay(...used);
  return { alive: challengedProbes > 0 || used.size > 0, challengedProbes, usageDays: used.size, lastUsage, from };
}

function compareReasons(a: Reason, b: Reason): number {
  if (a.severity !== b.severity) return a.severity === 'zombie' ? -1 : 1;
  return REASON_CODES.indexOf(a.code) - REASON_CODES.indexOf(b.code);
}

// ---------------------------------------------------------------------------------------------------
// Evidence gaps and compliance flags.

function evidenceGaps(ctx: Ctx): EvidenceGap[] {
  const { policy, asOf, ev } = ctx;
  const gaps: EvidenceGap[] = [];
  const window = policy.probes.evidenceWindowDays;
  const from = addDays(asOf, -(window - 1));
  const days = ctx.probeDays.filter((d) => d.day >= from).length;
  if (days < policy.probes.minDays) {
    const params = { window, days, required: policy.probes.minDays };
    gaps.push({ code: 'probe_days', detail: t('en', 'gap.probe_days', params), message: { key: 'gap.probe_days', params }, evidence: { from, to: asOf, probedDays: days, required: policy.probes.minDays } });
  }
  if (!ctx.probesFresh) {
    const latest = ctx.latestProbe?.day ?? null;
    const params = { latest: latest ?? '—' };
    gaps.push({ code: 'probes_stale', detail: t('en', 'gap.probes_stale', params), message: { key: 'gap.probes_stale', params }, evidence: { latestProbeDay: latest, maxSilenceDays: policy.probes.maxSilenceDays } });
  }
  if (ctx.usageCoverageStart === null && ev.system.userScope !== 'public') {
    gaps.push({ code: 'usage_source', detail: t('en', 'gap.usage_source', {}), message: { key: 'gap.usage_source', params: {} }, evidence: { userScope: ev.system.userScope, usageSources: 0 } });
  }
  return gaps;
}

function complianceFlags(ctx: Ctx, life: Life, blocked: Reason[]): Flag[] {
  const flagCtx: FlagCtx = { ...ctx, life, blocked };
  return FLAG_RULES.flatMap((rule) => rule.evaluate(flagCtx));
}
