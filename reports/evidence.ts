import type { InspectionDay } from './inspection-rule.js';
import type { SiteInspectionEvidence } from './inspection/scorecard.js';
import type { Day } from './dates.js';
import type { ResourceEvidence } from './resources.js';
import type {
  Deployment,
  EndpointRole,
  Ipv6Grade,
  Lifecycle,
  Network,
  ProbeOutcome,
  UsageMetric,
  UserScope,
} from './codes.js';

/**
 * What one system is judged on, as of a day. The database loader fills this from the inventory and the
 * DAILY ROLLUPS (one row per system per day, written by the sweep); raw probe results are pruned after
 * 35 days and are not needed here. All days are Asia/Shanghai calendar days ('YYYY-MM-DD').
 *
 * Rows dated after `asOf` are ignored by `classify`, so the loader may pass "everything it has" and
 * still get a reproducible answer for a past date. Arrays may come in any order.
 *
 * How much history to load (the minimum for every rule of the default policy to be able to fire):
 *  - probeDays: the last `max(zombie.unreachableDays, semiZombie.availabilityWindowDays,
 *    probes.evidenceWindowDays) + probes.gapToleranceDays` days (≈ 35); more is harmless.
 *  - usage.days: the last 12 months for seasonal systems, otherwise `zombie.noUsageDays` (90).
 *  - content: dates only, no series (the loader computes `lastChanged` over as much history as it has).
 */
export interface SystemEvidence {
  system: SystemFacts;
  department: DepartmentFacts;
  /** One row per day on which the sweep probed this system (aggregate over all its endpoints). */
  probeDays: ProbeDay[];
  usage: UsageEvidence;
  content: ContentEvidence;
  ownership: OwnershipEvidence;
  /**
   * Set by an auditor (`duplicate_function`): codes of the systems whose function this one duplicates,
   * i.e. which can replace it. Empty or absent when none.
   */
  duplicates?: DuplicateEvidence | null;
  /** Latest IPv6 measurement of the system's internet-facing portal, if one was ever measured. */
  ipv6?: Ipv6Evidence | null;
  /** Latest TLS certificate seen; with several https endpoints, the one that expires first. */
  tls?: TlsEvidence | null;
  /** Who probed and what stopped it: shown with `probe_blocked` so the department can allow-list us. */
  prober?: ProberEvidence | null;
  /** Portal homepage visits per day (the portal cadence), for the inspection rule `inspection_unreachable`. */
  inspection?: InspectionDay[] | null;
  /** Site inspection rollups of the portal (sections, links, wording), for `sections_stale`, `blank_sections` and the link/wording flags. */
  siteInspection?: SiteInspectionEvidence | null;
  /** Cloud resources of the system and their daily utilisation (`resources_idle`); absent or empty: none known. */
  resources?: ResourceEvidence | null;
}

export interface ProberEvidence {
  /** The prober's source address (PROBER_ADDRESS when configured, else the local address of its latest probe). */
  address: string | null;
  /** WAF vendors whose challenges our probes met recently (`challenged` outcomes' detail). */
  challengeVendors?: string[];
}

export interface SystemFacts {
  code: string;
  name: string;
  departmentCode: string;
  lifecycle: Lifecycle;
  userScope: UserScope;
  /** Accounts registered in the system (for the "5% of registered users" rule); null when unknown. */
  registeredUsers: number | null;
  launchedOn: Day | null;
  cloudRequired: boolean;
  deployment: Deployment;
  network: Network;
  /** 等保 level 1–5 (GB/T 22240-2020); null when not graded. */
  mlpsLevel: 1 | 2 | 3 | 4 | 5 | null;
  endpoints: EndpointFacts[];
  /**
   * Seasonal systems (tax filing, school enrolment, flood season): usage is judged over the last
   * `seasonal.usageWindowMonths` months (12 by default) instead of the usual windows.
   */
  season?: SeasonFacts | null;
  /** An exemption granted by the bureau (e.g. a department's "keep" answer). The status is `exempt` while `asOf <= until`. */
  exemption?: ExemptionFacts | null;
  /** Unit that runs the system day to day. With no contact either, the system has `no_maintainer`. */
  operatorUnit?: string | null;
  contractor?: string | null;
  contact?: ContactFacts | null;
}

export interface EndpointFacts {
  url: string;
  role: EndpointRole;
}

export interface SeasonFacts {
  /** Calendar months (1–12) in which the system is expected to be used; informational. */
  months?: number[];
  /** e.g. 'tax filing', '招生'. */
  label?: string;
}

export interface ExemptionFacts {
  /** Last day on which the exemption applies. */
  until: Day;
  reason: string;
  /** e.g. the finding id whose "keep" answer created it. */
  source?: string;
}

export interface ContactFacts {
  name?: string | null;
  phone?: string | null;
  email?: string | null;
}

export interface DepartmentFacts {
  code: string;
  name?: string;
  /** The day the department was dissolved (retired); null while it exists. */
  dissolvedOn: Day | null;
  /** Who inherited its responsibilities. A dissolved department with no successor orphans its systems (zombie). */
  successorCode: string | null;
}

/**
 * One daily rollup over all endpoints of a system. A day with `probes === 0` is treated as a day without
 * probes. A day counts as "unreachable" when probes ran and none succeeded (so every endpoint was
 * unreachable all day), and as "DNS gone" when every probe of the day ended in NXDOMAIN.
 */
export interface ProbeDay {
  day: Day;
  probes: number;
  ok: number;
  failed: number;
  /** Probes of the day that ended in `dns_nxdomain` (a subset of `failed`). */
  dnsNxdomain: number;
  /** Counts per contract outcome code, for the evidence shown to people; not used for the verdict. */
  outcomes: Partial<Record<ProbeOutcome, number>>;
  /** Smallest "days until the certificate expires" seen that day over the https endpoints (negative: expired). */
  certDaysLeftMin?: number | null;
  /** Hash of the main page's normalised content, last one of the day; a change between days is a content change. */
  contentHash?: string | null;
}

export interface UsageEvidence {
  /**
   * Every usage source configured for the system (API feed, imported access logs, manual monthly
   * figures…), with the first day its data covers. Empty means no usage source: usage rules are not
   * applied, and a non-public system without one is `insufficient_evidence`. A usage rule is applied only
   * when the earliest `since` covers the rule's whole window, so a source added last week cannot make
   * a system a zombie for "90 days without use".
   */
  sources: UsageSource[];
  /**
   * Daily figures. A missing row, inside the covered period, means zero. Rows of the same day and
   * metric should not repeat (the API replaces them); if they do, they are added up — except
   * `active_users`, distinct people of the row's day (or month), which are never added: a window's active
   * users are its largest row (see `classify`'s low_usage).
   */
  days: UsageDay[];
}

export interface UsageSource {
  kind: string;
  since: Day;
}

export interface UsageDay {
  day: Day;
  metric: UsageMetric;
  value: number;
}

export interface ContentEvidence {
  /** First day content was observed at all (start of content tracking); null when never observed. */
  observedSince: Day | null;
  /** Day of the last change of the content hash of any endpoint; null when no change was ever seen. */
  lastChanged: Day | null;
  /** Portals: day the homepage (its item lists) last changed; falls back to `lastChanged` when absent. */
  homepageLastChanged?: Day | null;
  /** Newest `<lastmod>` of the site's sitemap, when there is one. Only trusted for `stale_content`. */
  sitemapNewestLastmod?: Day | null;
}

export interface OwnershipEvidence {
  /** Day the department last confirmed it owns the system (any campaign). */
  confirmedAt?: Day | null;
  /** Deadline of the latest ownership campaign covering the system. */
  campaignDeadline?: Day | null;
  /**
   * The loader's finding: the latest campaign covering this system has a deadline and no confirmation
   * for this system arrived by it (nor since). `owner_unconfirmed` applies when this is true and the
   * deadline (when given) is before `asOf`.
   */
  unconfirmedAfterDeadline: boolean;
  /** The department answered "not ours" or nobody could be found who owns the system. */
  ownerMissing: boolean;
}

export interface DuplicateEvidence {
  /** Systems whose function this one duplicates (can replace it). */
  of: string[];
  notedOn?: Day | null;
  notedBy?: string | null;
  note?: string | null;
}

export interface Ipv6Evidence {
  grade: Ipv6Grade;
  measuredOn: Day;
  secondLevelRate?: number | null;
  thirdLevelRate?: number | null;
}

export interface TlsEvidence {
  /** Last day the certificate is valid (Asia/Shanghai). */
  validTo: Day;
  host?: string | null;
}
