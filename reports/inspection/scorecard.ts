import { addDays, type Day } from '../dates.js';
import { judgeSiteUnreachable, type InspectionDay } from '../inspection-rule.js';
import type { Policy } from '../policy.js';
import { latestAxe, type AxeDay, type AxeSummary } from './accessibility.js';

/**
 * The national website inspection scorecard of one portal (《政府网站与政务新媒体检查指标》, 单项否决):
 * each veto item pass / fail / unmeasured with the evidence it rests on, the rule it applies and the
 * policy version. A pure function of the stored rollups (site_days, section_days, inspection_days).
 */

export const VETO_RULES = ['site_unreachable', 'homepage_not_updated', 'sections_not_updated', 'blank_sections', 'serious_errors'] as const;
export type VetoRule = (typeof VETO_RULES)[number];
export type VetoResult = 'pass' | 'fail' | 'unmeasured';

export type SectionTypeCode = 'dynamic' | 'notice_policy' | 'personnel' | 'other';

/** One day's inspection of the portal (a site_days row). */
export interface SiteDay {
  day: Day;
  outcome: string;
  homepageItems: number;
  homepageDated: number;
  homepageNewest: Day | null;
  navigationOnly: boolean;
  linksChecked: number;
  linksBroken: number;
  brokenLinks: Array<{ url: string; page: string; outcome: string; status?: number }>;
  outboundRisks: Array<{ url: string; page: string; risk: string; keyword?: string }>;
  wordingHits: number;
  wording: Array<{ wrong: string; right: string; page: string; context: string }>;
  /** 适老化/accessibility (informational): images on the homepage, those with alt text, the care-mode entry. */
  images?: number;
  imagesWithAlt?: number;
  careEntry?: { found: boolean; opens: boolean | null; url: string | null } | null;
}

/** A section and what its latest check saw (section_days), with the newest date ever seen on it. */
export interface SectionState {
  name: string;
  url: string;
  type: SectionTypeCode;
  /** Latest check of the section: its day, outcome and item count. */
  lastDay: Day;
  lastOutcome: string;
  items: number;
  /** Newest dated item seen on any check up to asOf. */
  newest: Day | null;
}

export interface SiteInspectionEvidence {
  /** Site days up to asOf, any order. */
  days: SiteDay[];
  sections: SectionState[];
  /** Portal cadence visits per day (for 站点无法访问). */
  visits: InspectionDay[];
  /** axe-core checks (accessibility_days), any order; informational. */
  axe?: AxeDay[];
}

export interface ScorecardItem {
  rule: VetoRule;
  result: VetoResult;
  evidence: Record<string, unknown>;
  policyVersion: string;
}

export interface Scorecard {
  asOf: Day;
  policyVersion: string;
  /** The latest inspection the items rest on (null: none recent). */
  checkedOn: Day | null;
  items: ScorecardItem[];
  links: { checked: number; broken: number; brokenRate: number | null; outboundRisks: number; brokenList: SiteDay['brokenLinks']; risks: SiteDay['outboundRisks'] } | null;
  /**
   * 适老化 and accessibility, informational (never a verdict): the homepage's images and care-mode entry
   * (latest site inspection) and the latest axe-core check (`axe`, null when never measured). Null when
   * neither is known.
   */
  accessibility: { images: number; imagesWithAlt: number; altShare: number | null; careEntry: { found: boolean; opens: boolean | null; url: string | null } | null; axe: AxeSummary | null } | null;
}

const daysBetween = (from: Day, to: Day) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

export function inspectionScorecard(ev: SiteInspectionEvidence, policy: Policy, asOf: Day): Scorecard {
  const p = policy.siteInspection;
  const v = policy.version;
  const item = (rule: VetoRule, result: VetoResult, evidence: Record<string, unknown>): ScorecardItem => ({ rule, result, evidence, policyVersion: v });
  const items: ScorecardItem[] = [];

  const unreachable = judgeSiteUnreachable(ev.visits, asOf, policy.inspection);
  items.push(item('site_unreachable', unreachable.result, { ...unreachable.evidence, thresholds: { ...policy.inspection } }));

  const since = addDays(asOf, -p.maxSilenceDays);
  const days = ev.days.filter((d) => d.day <= asOf).sort((a, b) => (a.day < b.day ? 1 : -1));
  const latest = days.find((d) => d.day >= since) ?? null;
  if (!latest || latest.outcome !== 'ok') {
    const why = latest ? { reason: 'homepage_failed', outcome: latest.outcome, day: latest.day } : { reason: 'no_recent_inspection', since };
    for (const rule of VETO_RULES.slice(1)) items.push(item(rule, 'unmeasured', why));
    const axe = latestAxe(ev.axe ?? [], asOf);
    return { asOf, policyVersion: v, checkedOn: latest?.day ?? null, items, links: null, accessibility: axe ? { images: 0, imagesWithAlt: 0, altShare: null, careEntry: null, axe } : null };
  }

  const checked = ev.sections.filter((s) => s.lastDay >= since && s.lastDay <= asOf && s.lastOutcome === 'ok');

  // 网站不更新: the homepage's newest dated item (an undated item counts as not updated); a
  // navigation-only homepage is judged by its second-level pages.
  {
    const newestOf = (xs: Array<Day | null>) => xs.reduce<Day | null>((a, b) => (b && (!a || b > a) ? b : a), null);
    const nav = latest.navigationOnly;
    const newest = nav ? newestOf(checked.map((s) => s.newest)) : newestOf(days.map((d) => d.homepageNewest));
    const age = newest ? daysBetween(newest, asOf) : null;
    const measured = !nav || checked.length > 0;
    const result: VetoResult = !measured ? 'unmeasured' : age === null || age > p.homepageStaleDays ? 'fail' : 'pass';
    items.push(item('homepage_not_updated', result, { newest, ageDays: age, staleAfterDays: p.homepageStaleDays, judged: nav ? 'second_level_pages' : 'homepage', homepageItems: latest.homepageItems, homepageDated: latest.homepageDated, day: latest.day }));
  }

  // 栏目不更新: dynamic sections stale 2 weeks or notice/policy sections stale 6 months, more than 5; or
  // more than 10 sections that should be updated long stale. Blank sections are judged on their own.
  {
    const withItems = checked.filter((s) => s.items > 0);
    const ageOf = (s: SectionState) => (s.newest ? daysBetween(s.newest, asOf) : Number.POSITIVE_INFINITY);
    const stale = withItems.filter((s) => (s.type === 'dynamic' && ageOf(s) > p.dynamicStaleDays) || (s.type === 'notice_policy' && ageOf(s) > p.noticeStaleDays));
    const longStale = withItems.filter((s) => s.type !== 'other' && ageOf(s) > p.longStaleDays);
    const typed = withItems.filter((s) => s.type === 'dynamic' || s.type === 'notice_policy');
    const fail = stale.length > p.staleSectionsMax || longStale.length > p.longStaleMax;
    const result: VetoResult = fail ? 'fail' : checked.length === 0 ? 'unmeasured' : 'pass';
    const list = (xs: SectionState[]) => xs.slice(0, 20).map((s) => ({ name: s.name, url: s.url, type: s.type, newest: s.newest }));
    items.push(item('sections_not_updated', result, { sectionsChecked: checked.length, sectionsJudged: typed.length, stale: stale.length, staleMax: p.staleSectionsMax, longStale: longStale.length, longStaleMax: p.longStaleMax, dynamicStaleDays: p.dynamicStaleDays, noticeStaleDays: p.noticeStaleDays, longStaleDays: p.longStaleDays, staleSections: list(stale) }));
  }

  // 空白栏目: sections whose page loads with no item at all.
  {
    const blank = checked.filter((s) => s.items === 0);
    const result: VetoResult = checked.length === 0 ? 'unmeasured' : blank.length > p.blankSectionsMax ? 'fail' : 'pass';
    items.push(item('blank_sections', result, { sectionsChecked: checked.length, blank: blank.length, blankMax: p.blankSectionsMax, blankSections: blank.slice(0, 20).map((s) => ({ name: s.name, url: s.url })) }));
  }

  // 严重错误: the policy's wrong → right terms in the homepage and section text.
  items.push(item('serious_errors', latest.wordingHits > 0 ? 'fail' : 'pass', { hits: latest.wordingHits, terms: p.wordingTerms.length, list: latest.wording.slice(0, 20), day: latest.day }));

  const rate = latest.linksChecked ? Math.round((latest.linksBroken / latest.linksChecked) * 10_000) / 10_000 : null;
  return {
    asOf,
    policyVersion: v,
    checkedOn: latest.day,
    items,
    links: { checked: latest.linksChecked, broken: latest.linksBroken, brokenRate: rate, outboundRisks: latest.outboundRisks.length, brokenList: latest.brokenLinks, risks: latest.outboundRisks },
    accessibility: {
      images: latest.images ?? 0,
      imagesWithAlt: latest.imagesWithAlt ?? 0,
      altShare: latest.images ? Math.round(((latest.imagesWithAlt ?? 0) / latest.images) * 1000) / 1000 : null,
      careEntry: latest.careEntry ?? null,
      axe: latestAxe(ev.axe ?? [], asOf),
    },
  };
}

/** Does a scorecard fail any veto item (the monthly report's table)? */
export function failedVetoItems(s: Scorecard): VetoRule[] {
  return s.items.filter((i) => i.result === 'fail').map((i) => i.rule);
}
