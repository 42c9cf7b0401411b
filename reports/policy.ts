import { z } from 'zod';
import { SEVERITIES } from './codes.js';

/**
 * The classification policy: every threshold of the default policy table in shared/policy.md, as
 * configurable numbers, plus a required `version` that every classification and report records.
 *
 * A policy file may give only the fields it changes: the rest take the defaults below. Unknown fields are
 * errors (a typo must not silently fall back to a default). Ratios are fractions (0.95, not 95).
 */

const days = (def: number, max = 3660) => z.number().int().min(1).max(max).default(def);
const ratio = (def: number) => z.number().min(0).max(1).default(def);
const severity = (def: (typeof SEVERITIES)[number]) => z.enum(SEVERITIES).default(def);

export const policySchema = z
  .strictObject({
    /** Recorded with every verdict and report, e.g. `2026-12-default`. */
    version: z.string().trim().min(1, 'required').max(64),

    probes: z
      .strictObject({
        /** Fewer probe days than this in the evidence window → `insufficient_evidence` (unless a reason is established). */
        minDays: days(7),
        /** Window (ending on asOf) in which probe days are counted for `minDays`. */
        evidenceWindowDays: days(30),
        /**
         * Missing daily rows tolerated inside a run of bad days ("unreachable for 30+ consecutive days"):
         * a longer gap ends the run, because nothing is known about the days in it.
         */
        gapToleranceDays: z.number().int().min(0).max(30).default(2),
        /** Probe rules apply only when the latest probe day is at most this many days before asOf. */
        maxSilenceDays: z.number().int().min(0).max(366).default(3),
      })
      .prefault({}),

    zombie: z
      .strictObject({
        /** All endpoints unreachable (no successful probe) for this many consecutive days. */
        unreachableDays: days(30),
        /** Every probe NXDOMAIN for this many consecutive days. */
        dnsGoneDays: days(7),
        /** No usage at all for this many days … */
        noUsageDays: days(90),
        /** … and no content change for this many days. */
        noContentChangeDays: days(180),
      })
      .prefault({}),

    semiZombie: z
      .strictObject({
        /** Availability (successful probes ÷ probes) under this over the availability window. */
        availabilityMin: ratio(0.95),
        availabilityWindowDays: days(30),
        /** Window for "monthly active users". */
        usageWindowDays: days(30),
        /** Active users in the usage window under this number … */
        minMonthlyActiveUsers: z.number().int().min(0).default(10),
        /** … or under this share of registered users (whichever threshold is higher). */
        minActiveUserShare: ratio(0.05),
        /** Content unchanged for this many days. */
        staleContentDays: days(90),
        /** `all`: every system whose content is observed; `portal`: only systems with a portal endpoint. */
        staleContentScope: z.enum(['all', 'portal']).default('all'),
        /** Portals: homepage unchanged for this many days (`homepage_not_updated`; 2 weeks per the national indicators). */
        homepageStaleDays: days(14),
        /** Days after expiry before `cert_expired` applies. */
        certExpiredGraceDays: z.number().int().min(0).max(365).default(0),
      })
      .prefault({}),

    seasonal: z
      .strictObject({
        /** Seasonal systems: usage judged over this many months. */
        usageWindowMonths: z.number().int().min(1).max(36).default(12),
      })
      .prefault({}),

    /** Verdict of the reasons policy.md leaves open. A dissolved department with no successor is always a zombie. */
    severity: z
      .strictObject({
        owner_missing: severity('semi_zombie'),
        no_maintainer: severity('semi_zombie'),
        duplicate_function: severity('semi_zombie'),
        owner_unconfirmed: severity('semi_zombie'),
        cert_expired: severity('semi_zombie'),
      })
      .prefault({}),

    /** IPv6 `ready` grade thresholds (the national monitoring platform's measures; link rates are ours). */
    ipv6: z
      .strictObject({
        homepageTimeoutMs: z.number().int().min(100).max(600_000).default(15_000),
        successMin: ratio(0.95),
        parityMin: ratio(0.9),
        secondLevelMin: ratio(0.95),
        thirdLevelMin: ratio(0.9),
        latencyRatioMax: z.number().min(0).default(1.2),
      })
      .prefault({}),

    /** The national inspection rule "site unreachable" (1 week, 20+ spaced visits a day, ≥ 5% not opened within 15 s). */
    inspection: z
      .strictObject({
        windowDays: days(7, 366),
        minVisitsPerDay: z.number().int().min(1).max(1440).default(20),
        failShare: ratio(0.05),
      })
      .prefault({}),

    // ---- site inspection (issue 11): the other veto items of the national website inspection, and the link/wording flags
    /** Sections, links and wording of portals (《政府网站与政务新媒体检查指标》 单项否决 items and the monitors' flags). */
    siteInspection: z
      .strictObject({
        /** 网站不更新: no new dated item on the homepage's sections for this many days (2 weeks). */
        homepageStaleDays: days(14),
        /** 栏目不更新: a dynamic/news section (动态、要闻) is stale after this many days (2 weeks) … */
        dynamicStaleDays: days(14),
        /** … a notice/policy section (通知公告、政策文件) after this many (6 months) … */
        noticeStaleDays: days(183),
        /** … and the site fails when more than this many such sections are stale (5). */
        staleSectionsMax: z.number().int().min(0).max(1000).default(5),
        /** Sections that should be updated (every typed section) "long" stale: this many days … */
        longStaleDays: days(365),
        /** … more than this many fails (10). */
        longStaleMax: z.number().int().min(0).max(1000).default(10),
        /** 空白栏目: more than this many sections without a single item fails (5). */
        blankSectionsMax: z.number().int().min(0).max(1000).default(5),
        /** Evidence older than this many days before asOf is not judged (unmeasured). */
        maxSilenceDays: days(7, 366),
        /** Flag `broken_links` when the broken-link rate is above this (bureaus aim for under 1%) … */
        brokenRateMax: ratio(0.01),
        /** … and at least this many links are broken. */
        brokenMin: z.number().int().min(1).default(1),
        /**
         * 错敏词, wrong → right: AN EXAMPLE LIST, neutral misspellings of official names. Each bureau
         * replaces it with its own list in its policy.
         */
        wordingTerms: z
          .array(z.strictObject({ wrong: z.string().trim().min(1).max(100), right: z.string().trim().max(100) }))
          .max(5000)
          .default([
            { wrong: '中华人民共合国', right: '中华人民共和国' },
            { wrong: '国务院办工厅', right: '国务院办公厅' },
            { wrong: '全国人大常委员会', right: '全国人大常委会' },
          ]),
        /** 外链变异: an external page containing one of these words is no longer what a government site links to (example list). */
        outboundKeywords: z.array(z.string().trim().min(1).max(50)).max(1000).default(['博彩', '赌场', '百家乐', '六合彩', '时时彩', '娱乐城', '真人荷官']),
      })
      .prefault({}),

    /**
     * Idle cloud resources (国办发〔2017〕39号 "所占用资源长期处于空闲状态"; no Chinese document gives numbers).
     * Anchors: AWS Trusted Advisor "Low Utilization Amazon EC2 Instances" (daily CPU ≤ 10% and network I/O
     * ≤ 5 MB on 4+ of the last 14 days); Azure Advisor "right-size or shut down underutilized virtual
     * machines" (CPU ≤ 5% by default, configurable 5–20%, network < 2% over 7 days). Ours: stricter on CPU
     * (the day's p95, not its average) and longer (26 of 30 days).
     */
    resources: z
      .strictObject({
        /** A resource-day is idle when its CPU p95 (percent) is at most this … */
        idleCpuP95Max: z.number().min(0).max(100).default(5),
        /** … and its network in + out is at most this many bytes (5 MB = 5 × 2^20). */
        idleNetworkBytesMax: z.number().min(0).default(5 * 1024 * 1024),
        /** A resource is idle when idle on at least `minIdleDays` of the last `windowDays` days (missing days are not idle). */
        windowDays: days(30, 366),
        minIdleDays: days(26, 366),
        /** Every judged resource idle in each window of the last this-many days, and no usage in them → zombie. */
        zombieDays: days(90),
      })
      .prefault({}),

    findings: z
      .strictObject({
        /** Days a department has to answer a notified finding. */
        answerDeadlineDays: days(30),
        /** A "keep" answer exempts the system for this many months. */
        keepExemptionMonths: z.number().int().min(1).max(60).default(6),
      })
      .prefault({}),
  })
  .superRefine((p, ctx) => {
    if (p.resources.minIdleDays > p.resources.windowDays) {
      ctx.addIssue({ code: 'custom', path: ['resources', 'minIdleDays'], message: 'must not exceed resources.windowDays' });
    }
    if (p.probes.minDays > p.probes.evidenceWindowDays) {
      ctx.addIssue({ code: 'custom', path: ['probes', 'minDays'], message: 'must not exceed probes.evidenceWindowDays' });
    }
    if (p.probes.minDays > p.semiZombie.availabilityWindowDays) {
      ctx.addIssue({ code: 'custom', path: ['probes', 'minDays'], message: 'must not exceed semiZombie.availabilityWindowDays' });
    }
  });

export type Policy = z.output<typeof policySchema>;
/** What a policy file may contain: `version` plus any subset of the thresholds. */
export type PolicyInput = z.input<typeof policySchema>;

/** One problem in a policy file; `path` like `zombie.unreachableDays` (same shape as the service's FieldError). */
export interface PolicyIssue {
  path: string;
  message: string;
}

export type PolicyParseResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyIssue[] };

export class PolicyError extends Error {
  readonly errors: PolicyIssue[];
  constructor(errors: PolicyIssue[]) {
    super(`invalid policy: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'PolicyError';
    this.errors = errors;
  }
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Validates a policy (e.g. a parsed JSON file). Never throws; lists every problem with its field path. */
export function parsePolicy(input: unknown): PolicyParseResult {
  const parsed = policySchema.safeParse(input);
  if (parsed.success) return { ok: true, policy: deepFreeze(parsed.data) };
  const errors: PolicyIssue[] = [];
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.push({ path: pathOf([...issue.path, key]), message: 'unknown field' });
    } else {
      errors.push({ path: pathOf(issue.path), message: issue.message });
    }
  }
  errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { ok: false, errors };
}

/** Like `parsePolicy`, throwing a `PolicyError` whose message names every bad path. */
export function policyOrThrow(input: unknown): Policy {
  const r = parsePolicy(input);
  if (!r.ok) throw new PolicyError(r.errors);
  return r.policy;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** 2026-12: the site inspection (`siteInspection`) and idle cloud resources (`resources`) sections. */
export const DEFAULT_POLICY_VERSION = '2026-12-default';

/** The default policy of shared/policy.md. */
export const defaultPolicy: Policy = policyOrThrow({ version: DEFAULT_POLICY_VERSION });
