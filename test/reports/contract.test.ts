import { describe, expect, it } from 'vitest';
import * as codes from '../../reports/codes.js';

// The names of shared/contract.md, as users and scripts rely on them. The code may add names (extend),
// but each of these must stay spelled exactly so (never rename).
const CONTRACT = {
  STATUSES: ['active', 'semi_zombie', 'zombie', 'insufficient_evidence', 'exempt'],
  REASON_CODES: [
    'unreachable', 'dns_gone', 'availability_low', 'no_usage', 'low_usage', 'stale_content', 'homepage_not_updated',
    'owner_unconfirmed', 'owner_missing', 'no_maintainer', 'cert_expired', 'duplicate_function',
  ],
  FLAG_CODES: ['not_on_gov_cloud', 'ipv6_not_ready', 'mlps_missing', 'probe_blocked', 'inspection_unreachable'],
  LIFECYCLES: ['planning', 'construction', 'live', 'decommissioning', 'retired'],
  DEPLOYMENTS: ['gov_cloud', 'self_hosted', 'hosted', 'other'],
  NETWORKS: ['internet', 'egov_extranet', 'private'],
  USER_SCOPES: ['public', 'internal', 'cross_department'],
  ENDPOINT_ROLES: ['portal', 'app', 'api', 'admin'],
  DEPARTMENT_LEVELS: ['city', 'county', 'township', 'village'],
  DEPARTMENT_KINDS: ['department', 'government', 'zone', 'enterprise'],
  USAGE_METRICS: ['visits', 'active_users', 'logins', 'transactions'],
  IPV6_GRADES: ['ready', 'partial', 'not_ready', 'no_ipv6', 'unmeasured'],
  PROBE_OUTCOMES: [
    'ok', 'http_error', 'timeout', 'dns_nxdomain', 'dns_nodata', 'dns_timeout', 'dns_error', 'connect_refused',
    'connect_timeout', 'connection_reset', 'tls_error', 'redirect_loop', 'too_many_redirects', 'body_too_large',
    'blocked_by_policy', 'protocol_error', 'challenged',
  ],
} as const satisfies Partial<Record<keyof typeof codes, readonly string[]>>;

describe('contract names', () => {
  it.each(Object.entries(CONTRACT))('%s keeps every contract name, spelled as the contract spells it', (name, contract) => {
    const ours = codes[name as keyof typeof CONTRACT] as readonly string[];
    expect(ours).toEqual(expect.arrayContaining([...contract]));
    expect(new Set(ours).size, `${name} has a duplicate`).toBe(ours.length);
  });

  it('statuses are exactly the five of the contract, in its order', () => {
    // The contract closes this list (no "extend"): every page and the report count these five.
    expect(codes.STATUSES).toEqual(CONTRACT.STATUSES);
  });

  it('the verdict scale ranks every judged status, worst first, and leaves exempt off it', () => {
    const ranked = Object.entries(codes.VERDICT_RANK).sort((a, b) => a[1] - b[1]).map(([s]) => s);
    expect(ranked).toEqual(['zombie', 'semi_zombie', 'insufficient_evidence', 'active']);
    expect([...ranked, 'exempt'].sort()).toEqual([...codes.STATUSES].sort());
  });
});
