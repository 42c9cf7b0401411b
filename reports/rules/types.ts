import type { MessageKey, MessageParams } from '../../i18n/index.js';
import type { JsonValue } from '../canonical.js';
import type { FlagCode, ReasonCode, Severity } from '../codes.js';
import type { Day } from '../dates.js';
import type { ProbeDay, SystemEvidence, UsageDay } from '../evidence.js';
import type { Policy } from '../policy.js';

/** A catalogue message: render with `t(lang, key, params)`. */
export interface Message {
  key: MessageKey;
  params: MessageParams;
}

export type JsonObject = { [key: string]: JsonValue };

export interface Reason {
  code: ReasonCode;
  /** Which verdict this reason supports. */
  severity: Severity;
  /** The day the condition started (first bad day, day after the last use or change…); null when unknown. */
  since: Day | null;
  /** Plain English, for logs and API clients. Reports render `message` in the reader's language. */
  detail: string;
  message: Message;
  /** The figures the reason rests on: which days, which counts, which usage figures. JSON-safe. */
  evidence: JsonObject;
}

export interface Flag {
  code: FlagCode;
  detail: string;
  message: Message;
  evidence: JsonObject;
}

/** The evidence of one system, normalised once by `prepare` and shared by every rule. */
export interface Ctx {
  ev: SystemEvidence;
  policy: Policy;
  asOf: Day;
  /** Probe days up to asOf with probes > 0, ascending, one per day. */
  probeDays: ProbeDay[];
  latestProbe: ProbeDay | null;
  probesFresh: boolean;
  hasPortal: boolean;
  usageRows: UsageDay[];
  /** First day covered by any usage source (null: no usage source). */
  usageCoverageStart: Day | null;
  /** Content hash history derived from probe days. */
  hashFirstSeen: Day | null;
  hashLastChange: Day | null;
}

/**
 * One verdict rule: the reason codes it may give and how it finds them. A new reason code is one rule
 * file listed in `RULES` (reports/rules/index.ts) plus its catalogue entries.
 */
export interface VerdictRule {
  /** Every code `evaluate` may return; each reason code belongs to exactly one rule. */
  codes: readonly ReasonCode[];
  evaluate(ctx: Ctx): Reason[];
}

/** Evidence of life, found once per classification: it sets vantage-point probe reasons aside. */
export interface Life {
  /** Recent usage, or challenged probes: the system is alive whatever our probes saw. */
  alive: boolean;
  challengedProbes: number;
  /** Days with use in the last `semiZombie.usageWindowDays`, and the latest one. */
  usageDays: number;
  lastUsage: Day | null;
  from: Day;
}

/** What a compliance flag rule sees: the shared context, the evidence of life and the reasons set aside. */
export interface FlagCtx extends Ctx {
  life: Life;
  /** Probe reasons set aside because the system is alive (see `classify`). */
  blocked: Reason[];
}

/**
 * One compliance flag rule: the flag codes it may give and how it finds them. A new flag code is one file
 * in reports/flags/ listed in `FLAG_RULES` plus its catalogue entries.
 */
export interface FlagRule {
  codes: readonly FlagCode[];
  evaluate(ctx: FlagCtx): Flag[];
}
