import type { SystemEvidence } from '../../reports/evidence.js';
import type { Policy } from '../../reports/policy.js';
import type { Day } from '../../reports/dates.js';
import { loadCampaignItemFacts, ownershipFromItems } from '../campaigns/evidence.js';
import type { Db } from '../db/client.js';
import { contentEvidence, loadContent } from './evidence/content.js';
import { loadInspectionDays } from './evidence/inspection.js';
import { loadEndpoints, loadSystems, systemFacts } from './evidence/inventory.js';
import { ipv6Evidence, loadIpv6History, tlsEvidence } from './evidence/ipv6-tls.js';
import { loadProbeDays } from './evidence/probe-days.js';
import { loadProber } from './evidence/prober.js';
import { loadResourceEvidence } from './evidence/resources.js';
import { evidenceScope } from './evidence/scope.js';
import { loadSiteInspection } from './evidence/site-inspection.js';
import { loadUsage } from './evidence/usage.js';

export { EXTENDED_PROBE_DAYS, probeWindowDays, usageSegments } from './evidence/windows.js';

/**
 * The evidence loader: fills `SystemEvidence` (reports/evidence.ts) for every system, or the given ones,
 * as of a day, in a fixed number of set-based queries (never one per system). One file per step in
 * `evidence/`:
 *
 *  1. systems + department (dissolved/successor) + system policy (season, exemption, duplicates) — inventory.ts;
 *  2. endpoints and their latest state (cert, IPv6, sitemap, Last-Modified) — inventory.ts;
 *  3. probe_days over the window the probe rules need, further back for runs of bad days — probe-days.ts;
 *  4. content: first observation and last change per endpoint from content_changes — content.ts;
 *  5. usage_days folded into the windows the usage rules read, and the usage sources — usage.ts;
 *  6. the IPv6 grade (from its history for a past day) and the certificate — ipv6-tls.ts;
 *  7. what stopped our probes (challenge vendors, our own address) — prober.ts;
 *  8. portal visits per day for the inspection rule — inspection.ts;
 *  9. ownership from campaign items (src/campaigns/evidence.ts);
 * 10. sections, links and wording of portals — site-inspection.ts;
 * 11. cloud resources and their daily utilisation — resources.ts.
 *
 * Rows after `asOf` are left out. endpoint_state holds only the latest state: for a past `asOf`, the
 * IPv6 grade comes from its history (ipv6_changes) as of that day's end; the certificate and sitemap
 * date are the latest seen up to that day's end, or none.
 */

export interface EvidenceOptions {
  asOf: Day;
  policy: Policy;
  /** Only these systems (ids); all systems when omitted. */
  systemIds?: number[];
  /** Zone of days (TZ); default Asia/Shanghai. */
  timeZone?: string;
  /**
   * The prober's public source address, shown with `probe_blocked` (`PROBER_ADDRESS`). When not given, the
   * local address of the system's latest probe is shown: right unless the prober sits behind NAT.
   */
  proberAddress?: string | null;
}

export interface LoadedSystem {
  systemId: number;
  departmentId: number;
  departmentPath: string;
  statusAt: Date | null;
  evidence: SystemEvidence;
}

/** Evidence of every system (or the given ones) as of `asOf`. */
export async function loadEvidence(db: Db, opts: EvidenceOptions): Promise<SystemEvidence[]> {
  return (await loadSystemEvidence(db, opts)).map((s) => s.evidence);
}

export async function loadSystemEvidence(db: Db, opts: EvidenceOptions): Promise<LoadedSystem[]> {
  if (opts.systemIds && opts.systemIds.length === 0) return [];
  const scope = evidenceScope(opts);
  const [systemRows, endpoints, probeDays, content, usage, campaignFacts, prober, ipv6History, inspection, resources] = await Promise.all([
    loadSystems(db, scope),
    loadEndpoints(db, scope),
    loadProbeDays(db, scope),
    loadContent(db, scope),
    loadUsage(db, scope),
    loadCampaignItemFacts(db, scope.asOf, scope.ids, scope.tz),
    loadProber(db, scope),
    loadIpv6History(db, scope),
    loadInspectionDays(db, scope),
    loadResourceEvidence(db, { asOf: scope.asOf, policy: scope.policy, ...(scope.ids ? { systemIds: scope.ids } : {}) }),
  ]);
  const ownership = ownershipFromItems(campaignFacts, scope.asOf, scope.tz);
  // 10. sections, links and wording of portals (the national inspection) — site-inspection.ts (it reads step 8's visits).
  const siteInspection = await loadSiteInspection(db, { systemIds: scope.ids, asOf: scope.asOf, policy: scope.policy, visits: inspection });

  return systemRows.map((s) => {
    const eps = endpoints.get(s.id) ?? [];
    const own = ownership.get(s.id);
    const facts = systemFacts(s, eps, scope.tz);
    // Keys in the order they have always had: evidence packs are kept as JSON.
    const evidence: SystemEvidence = {
      system: facts.system,
      department: facts.department,
      probeDays: probeDays.get(s.id) ?? [],
      usage: usage.get(s.id) ?? { sources: [], days: [] },
      content: contentEvidence(content.get(s.id) ?? [], eps, scope),
      ownership: {
        confirmedAt: own?.confirmedAt ?? null,
        campaignDeadline: own?.campaignDeadline ?? null,
        unconfirmedAfterDeadline: own?.unconfirmedAfterDeadline ?? false,
        ownerMissing: own?.ownerMissing ?? false,
      },
      duplicates: facts.duplicates,
      ipv6: ipv6Evidence(eps, ipv6History, scope),
      tls: tlsEvidence(eps, scope),
      prober: {
        address: opts.proberAddress?.trim() || prober.get(s.id)?.address || null,
        challengeVendors: prober.get(s.id)?.vendors ?? [],
      },
      inspection: inspection.get(s.id) ?? [],
      siteInspection: siteInspection.get(s.id) ?? null,
      ...(resources.has(s.id) ? { resources: resources.get(s.id)! } : {}),
    };
    return { systemId: s.id, departmentId: s.departmentId, departmentPath: s.deptPath, statusAt: s.statusAt, evidence };
  });
}
