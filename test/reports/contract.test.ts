import { describe, expect, it } from 'vitest';
import * as db from '../../src/db/schema/enums.js';
import * as codes from '../../reports/codes.js';

// Compile-time: the reporting core's names are the database's names (shared/contract.md).
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sameTypes: [
  Equal<codes.Status, db.SystemStatus>,
  Equal<codes.Lifecycle, db.Lifecycle>,
  Equal<codes.Deployment, db.Deployment>,
  Equal<codes.Network, db.Network>,
  Equal<codes.UserScope, db.UserScope>,
  Equal<codes.EndpointRole, db.EndpointRole>,
  Equal<codes.DepartmentLevel, db.DepartmentLevel>,
  Equal<codes.DepartmentKind, db.DepartmentKind>,
] = [true, true, true, true, true, true, true, true];

describe('contract names', () => {
  it('statuses, reason codes and flags are exactly the contract ones', () => {
    expect(sameTypes.every(Boolean)).toBe(true);
    expect(codes.STATUSES).toEqual(['active', 'semi_zombie', 'zombie', 'insufficient_evidence', 'exempt']);
    expect(codes.REASON_CODES).toEqual([
      'unreachable', 'dns_gone', 'availability_low', 'no_usage', 'low_usage', 'stale_content', 'homepage_not_updated',
      'owner_unconfirmed', 'owner_missing', 'no_maintainer', 'cert_expired', 'duplicate_function',
    ]);
    expect(codes.FLAG_CODES).toEqual(['not_on_gov_cloud', 'ipv6_not_ready', 'mlps_missing', 'probe_blocked']);
  });

  it('enumerations match the database enums value for value', () => {
    expect(codes.STATUSES).toEqual(db.SYSTEM_STATUSES);
    expect(codes.LIFECYCLES).toEqual(db.LIFECYCLES);
    expect(codes.DEPLOYMENTS).toEqual(db.DEPLOYMENTS);
    expect(codes.NETWORKS).toEqual(db.NETWORKS);
    expect(codes.USER_SCOPES).toEqual(db.USER_SCOPES);
    expect(codes.ENDPOINT_ROLES).toEqual(db.ENDPOINT_ROLES);
    expect(codes.DEPARTMENT_LEVELS).toEqual(db.DEPARTMENT_LEVELS);
    expect(codes.DEPARTMENT_KINDS).toEqual(db.DEPARTMENT_KINDS);
  });
});
