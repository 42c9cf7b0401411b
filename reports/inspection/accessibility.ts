import type { Day } from '../dates.js';

/**
 * axe-core results of a portal (the accessibility kind, issue 11) as stored and as reported: violations
 * by impact, the worst rules per page. Informational (适老化 and accessibility): never a verdict reason.
 * Pure: shared by the probe, the scorecard and the monthly report.
 */

export const IMPACTS = ['critical', 'serious', 'moderate', 'minor'] as const;
export type Impact = (typeof IMPACTS)[number];
/** Per impact: rules violated and elements violating them. */
export type ImpactCounts = Record<Impact, { rules: number; nodes: number }>;

export const emptyCounts = (): ImpactCounts => ({ critical: { rules: 0, nodes: 0 }, serious: { rules: 0, nodes: 0 }, moderate: { rules: 0, nodes: 0 }, minor: { rules: 0, nodes: 0 } });

export function addCounts(into: ImpactCounts, more: ImpactCounts): ImpactCounts {
  for (const i of IMPACTS) {
    into[i].rules += more[i].rules;
    into[i].nodes += more[i].nodes;
  }
  return into;
}

export interface AxeRule {
  id: string;
  impact: Impact;
  /** Elements violating it. */
  nodes: number;
  /** axe-core's help text, English and Simplified Chinese (its zh_CN locale). */
  help: string;
  helpZh: string | null;
}

export interface AxePage {
  url: string;
  role: 'homepage' | 'section';
  /** `ok` when axe ran on it; otherwise the outcome of loading it (`timeout`, `http_error`, `body_too_large`, …). */
  outcome: string;
  status?: number;
  error?: string;
  /** The page's `load` event did not come within its budget; axe ran on what had loaded. */
  loadIncomplete?: boolean;
  violations: ImpactCounts;
  /** The worst rules (impact, then elements), bounded; `rulesTotal` counts them all. */
  rules: AxeRule[];
  rulesTotal: number;
  /** Requests besides the document: answered, refused (target policy, or a scheme never fetched), failed. */
  subresources: { fetched: number; refused: number; failed: number };
  /** Some of the refused addresses. */
  refused: string[];
}

/** One day's axe check of a portal (an accessibility_days row). */
export interface AxeDay {
  day: Day;
  /** `ok`, `unmeasured` (with `reason`), or the homepage's outcome. */
  outcome: string;
  reason: string | null;
  /** `checked`, `none` (no recent section: homepage only), `failed`. */
  section: string;
  violations: ImpactCounts;
  pages: AxePage[];
}

/** `accessibility.axe` of the scorecard: the latest check up to asOf. */
export interface AxeSummary {
  checkedOn: Day;
  outcome: string;
  reason: string | null;
  section: string;
  violations: ImpactCounts;
  pages: AxePage[];
}

export function latestAxe(days: readonly AxeDay[], asOf: Day): AxeSummary | null {
  const latest = days.filter((d) => d.day <= asOf).sort((a, b) => (a.day < b.day ? 1 : -1))[0];
  if (!latest) return null;
  return { checkedOn: latest.day, outcome: latest.outcome, reason: latest.reason, section: latest.section, violations: latest.violations, pages: latest.pages };
}

/** Has the check found critical or serious violations? Null when axe did not run on the homepage. */
export function hasSeriousViolations(axe: Pick<AxeSummary, 'outcome' | 'violations'> | null): boolean | null {
  if (!axe || axe.outcome !== 'ok') return null;
  return axe.violations.critical.rules + axe.violations.serious.rules > 0;
}

/** The median of the values (null for none). */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
