/**
 * Fixed names from the contract (shared/contract.md): statuses, reason codes, compliance flags and the
 * inventory enumerations the classifier reads. Extend, never rename. Defined here once: the database
 * enums (`src/db/schema/enums.ts`) import these arrays, and `test/api/contract.db.test.ts` fails when a
 * value has no migration or the OpenAPI document shows other values.
 */

export const STATUSES = ['active', 'semi_zombie', 'zombie', 'insufficient_evidence', 'exempt'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * How good a verdict is, worst first. `exempt` is not on the scale: it is decided by an exemption alone,
 * never by evidence. `insufficient_evidence` sits between `semi_zombie` and `active`: it means "nothing
 * wrong was found, but the evidence is too thin to call the system active" — any reason that the
 * available evidence does establish wins over it (see `classify`).
 */
export const VERDICT_RANK = { zombie: 0, semi_zombie: 1, insufficient_evidence: 2, active: 3 } as const;
export type JudgedStatus = keyof typeof VERDICT_RANK;

export const REASON_CODES = [
  'unreachable',
  'dns_gone',
  'availability_low',
  'no_usage',
  'low_usage',
  'stale_content',
  'homepage_not_updated',
  'owner_unconfirmed',
  'owner_missing',
  'no_maintainer',
  'cert_expired',
  'duplicate_function',
  // site inspection (issue 11): portals' sections, from the national website inspection indicators
  'sections_stale',
  'blank_sections',
  // Cloud resources (issue 12): reports/rules/resources-idle.ts
  'resources_idle',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const FLAG_CODES = [
  'not_on_gov_cloud',
  'ipv6_not_ready',
  'mlps_missing',
  'probe_blocked',
  'inspection_unreachable',
  // site inspection (issue 11): links and wording of portals
  'broken_links',
  'outbound_link_risk',
  'wording_errors',
] as const;
export type FlagCode = (typeof FLAG_CODES)[number];

/** A reason makes a system either a zombie or a semi-zombie. */
export const SEVERITIES = ['zombie', 'semi_zombie'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const LIFECYCLES = ['planning', 'construction', 'live', 'decommissioning', 'retired'] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];
export const DEPLOYMENTS = ['gov_cloud', 'self_hosted', 'hosted', 'other'] as const;
export type Deployment = (typeof DEPLOYMENTS)[number];
export const NETWORKS = ['internet', 'egov_extranet', 'private'] as const;
export type Network = (typeof NETWORKS)[number];
export const USER_SCOPES = ['public', 'internal', 'cross_department'] as const;
export type UserScope = (typeof USER_SCOPES)[number];
export const ENDPOINT_ROLES = ['portal', 'app', 'api', 'admin'] as const;
export type EndpointRole = (typeof ENDPOINT_ROLES)[number];
/**
 * Which endpoint represents a system, for every rate of the monthly report (IPv6 支持率, link rates) and
 * the IPv6 flag: its portal, else its app, else its API (an admin console never does). With several of
 * that role, the first in the system's order that was measured.
 */
export const REPRESENTATIVE_ROLES = ['portal', 'app', 'api'] as const satisfies readonly EndpointRole[];

export function representativeRole(roles: Iterable<string>): EndpointRole | null {
  const present = new Set(roles);
  return REPRESENTATIVE_ROLES.find((r) => present.has(r)) ?? null;
}
export const DEPARTMENT_LEVELS = ['city', 'county', 'township', 'village'] as const;
export type DepartmentLevel = (typeof DEPARTMENT_LEVELS)[number];
export const DEPARTMENT_KINDS = ['department', 'government', 'zone', 'enterprise'] as const;
export type DepartmentKind = (typeof DEPARTMENT_KINDS)[number];

export const USAGE_METRICS = ['visits', 'active_users', 'logins', 'transactions'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

/** `unmeasured`: our own target policy or a WAF challenge kept us from measuring (never `not_ready`). */
export const IPV6_GRADES = ['ready', 'partial', 'not_ready', 'no_ipv6', 'unmeasured'] as const;
export type Ipv6Grade = (typeof IPV6_GRADES)[number];

/** Probe outcome codes (contract): defined once, beside the probes that produce them. */
export { ANSWERED_OUTCOMES, PROBE_OUTCOMES, answeredCount, serverAnswered, type ProbeOutcome } from '../probes/outcome.js';
