import { asc, eq, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { EndpointFacts, SystemEvidence } from '../../../reports/evidence.js';
import type { Db } from '../../db/client.js';
import { departments, endpoints, endpointState, systemPolicies, systems } from '../../db/schema/index.js';
import { intArray } from '../../db/sql.js';
import { localDay } from '../../../probes/time.js';
import { bySystem, type EvidenceScope } from './scope.js';

const successor = alias(departments, 'successor');

/** Step 1: systems with their department (dissolved, successor) and system policy (season, exemption, duplicates). */
export function loadSystems(db: Db, scope: EvidenceScope) {
  return db
    .select({
      id: systems.id,
      code: systems.code,
      name: systems.name,
      departmentId: systems.departmentId,
      lifecycle: systems.lifecycle,
      userScope: systems.userScope,
      registeredUsers: systems.registeredUsers,
      launchedOn: systems.launchedOn,
      cloudRequired: systems.cloudRequired,
      deployment: systems.deployment,
      network: systems.network,
      mlpsLevel: systems.mlpsLevel,
      operatorUnit: systems.operatorUnit,
      contractor: systems.contractor,
      contactName: systems.contactName,
      contactPhone: systems.contactPhone,
      contactEmail: systems.contactEmail,
      statusAt: systems.statusAt,
      deptCode: departments.code,
      deptName: departments.name,
      deptPath: departments.path,
      dissolvedOn: departments.dissolvedOn,
      successorCode: successor.code,
      season: systemPolicies.season,
      exemptUntil: systemPolicies.exemptUntil,
      exemptReason: systemPolicies.exemptReason,
      duplicates: systemPolicies.duplicates,
      policyUpdatedAt: systemPolicies.updatedAt,
    })
    .from(systems)
    .innerJoin(departments, eq(departments.id, systems.departmentId))
    .leftJoin(successor, eq(successor.id, departments.successorId))
    .leftJoin(systemPolicies, eq(systemPolicies.systemId, systems.id))
    .where(scope.ids ? sql`${systems.id} = any(${intArray(scope.ids)})` : undefined)
    .orderBy(asc(systems.id));
}

export type SystemRow = Awaited<ReturnType<typeof loadSystems>>[number];

/** Step 2: endpoints (by position) with their latest state (cert, IPv6, sitemap, Last-Modified), by system. */
export async function loadEndpoints(db: Db, scope: EvidenceScope) {
  const rows = await db
    .select({
      id: endpoints.id,
      systemId: endpoints.systemId,
      url: endpoints.url,
      role: endpoints.role,
      lastProbeAt: endpointState.lastProbeAt,
      lastModified: endpointState.lastModified,
      sitemapLastmod: endpointState.sitemapLastmod,
      cert: endpointState.cert,
      ipv6: endpointState.ipv6,
      ipv6At: endpointState.ipv6At,
    })
    .from(endpoints)
    .leftJoin(endpointState, eq(endpointState.endpointId, endpoints.id))
    .where(scope.ids ? sql`${endpoints.systemId} = any(${intArray(scope.ids)})` : undefined)
    .orderBy(asc(endpoints.systemId), asc(endpoints.position), asc(endpoints.id));
  return bySystem(rows);
}

export type EndpointRow = Awaited<ReturnType<typeof loadEndpoints>> extends Map<number, (infer E)[]> ? E : never;

/** The system, its department and duplicates as the classifier reads them. */
export function systemFacts(s: SystemRow, eps: readonly EndpointRow[], tz: string): Pick<SystemEvidence, 'system' | 'department' | 'duplicates'> {
  const endpointFacts: EndpointFacts[] = eps.map((e) => ({ url: e.url, role: e.role }));
  const duplicates = s.duplicates?.filter((d) => d.trim() !== '') ?? [];
  return {
    system: {
      code: s.code,
      name: s.name,
      departmentCode: s.deptCode,
      lifecycle: s.lifecycle,
      userScope: s.userScope,
      registeredUsers: s.registeredUsers,
      launchedOn: s.launchedOn,
      cloudRequired: s.cloudRequired,
      deployment: s.deployment,
      network: s.network,
      mlpsLevel: s.mlpsLevel !== null && s.mlpsLevel >= 1 && s.mlpsLevel <= 5 ? (s.mlpsLevel as 1 | 2 | 3 | 4 | 5) : null,
      endpoints: endpointFacts,
      season: s.season?.trim() ? { label: s.season.trim() } : null,
      exemption: s.exemptUntil ? { until: s.exemptUntil, reason: s.exemptReason ?? '' } : null,
      operatorUnit: s.operatorUnit,
      contractor: s.contractor,
      contact: { name: s.contactName, phone: s.contactPhone, email: s.contactEmail },
    },
    department: { code: s.deptCode, name: s.deptName, dissolvedOn: s.dissolvedOn, successorCode: s.successorCode },
    duplicates: duplicates.length ? { of: duplicates, notedOn: s.policyUpdatedAt ? localDay(s.policyUpdatedAt, tz) : null } : null,
  };
}
