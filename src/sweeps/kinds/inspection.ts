import { and, eq, sql } from 'drizzle-orm';
import { createCrawlGate, type CrawlGate } from '../../../probes/concurrency.js';
import type { ProbeDeps } from '../../../probes/deps.js';
import { localDay } from '../../../probes/time.js';
import type { Db } from '../../db/client.js';
import { endpoints, inspectionSections, sectionDays, siteDays } from '../../db/schema/index.js';
import type { LeasedTarget, ProbeRecord } from '../types.js';
import { lazyProbe, recordOf, type ProbeKindSpec } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/inspection.js'));

/** Probe dependencies built by hand (tests, embedders) have no gate: one per such deps, sized for the default 200 probes. */
const fallbackGates = new WeakMap<ProbeDeps, CrawlGate>();
function gateOf(deps: ProbeDeps): CrawlGate {
  if (deps.crawls) return deps.crawls;
  let g = fallbackGates.get(deps);
  if (!g) fallbackGates.set(deps, (g = createCrawlGate(200)));
  return g;
}

/**
 * The national website inspection of a portal (issue 11): sections and their newest items, a bounded
 * link check and the wording list, stored as one row per section and one per portal per day.
 * Only `portal` endpoints are inspected. The crawls of one sweep worker share the gate of its probe
 * dependencies (`createCrawlGate(PROBE_CONCURRENCY)`): however many portals the worker has in flight,
 * only so many are crawled at once, with so many pages held.
 */
export const inspection: ProbeKindSpec<'inspection'> = {
  stored: 'inspection',
  target: 'endpoint',
  byDefault: false,
  rollsUpDaily: false,
  async run(db, t, o) {
    if (!(await isPortalTarget(db, t))) return null;
    // Loaded here, not at import: the registry is imported by the verdict services too.
    const { activePolicy } = await import('../../verdicts/policies.js');
    const policy = (await activePolicy(db)).siteInspection;
    const registered = await db
      .select({ url: inspectionSections.url, name: inspectionSections.name, type: inspectionSections.type })
      .from(inspectionSections)
      .where(and(eq(inspectionSections.systemId, t.systemId), eq(inspectionSections.source, 'registered'), eq(inspectionSections.ignored, false)));
    const at = o.deps.clock.now();
    const day = localDay(at, o.timeZone);
    const { inspectSite } = await probes();
    const r = await inspectSite(t.url, {
      resolver: o.deps.resolver,
      policy: o.deps.policy,
      timeoutMs: o.deps.timeoutMs,
      clock: o.deps.clock,
      ca: o.ca,
      today: day,
      registered,
      wordingTerms: policy.wordingTerms,
      outboundKeywords: policy.outboundKeywords,
      gate: gateOf(o.deps),
    });
    return {
      ...recordOf(t, 'inspection'),
      at,
      outcome: r.outcome,
      httpStatus: r.status ?? null,
      durationMs: r.durationMs,
      // The raw row keeps the figures; the lists live (bounded) in site_days.
      detail: {
        homepage: r.homepage,
        sections: r.sections.length,
        pages: r.pages,
        links: { checked: r.links.checked, broken: r.links.broken, brokenRate: r.links.brokenRate, external: r.links.external, notChecked: r.links.notChecked, truncated: r.links.truncated, risks: r.links.outboundRisks.length },
        wordingHits: r.wording.hits,
        ...(r.error ? { error: r.error } : {}),
      },
      contentHash: null,
      inspection: { day, result: r },
    };
  },
  store: storeInspection,
};

/** Is the target a `portal` endpoint? Only portals are inspected (this kind and the accessibility kind). */
export async function isPortalTarget(db: Db, t: LeasedTarget): Promise<boolean> {
  if (t.endpointId === null) return false;
  const [ep] = await db.select({ role: endpoints.role }).from(endpoints).where(eq(endpoints.id, t.endpointId));
  return ep?.role === 'portal';
}

async function storeInspection(tx: Db, records: ProbeRecord[]): Promise<void> {
  for (const r of records.sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (!r.inspection || r.endpointId === null) continue;
    const { day, result } = r.inspection;
    const sections = result.sections.filter((s) => s.outcome !== 'not_fetched' || s.source === 'registered');
    if (sections.length) {
      // Discovered sections are added (or seen again); what ops registered or typed is never overwritten.
      const rows = await tx
        .insert(inspectionSections)
        .values(sections.map((s) => ({ systemId: r.systemId, url: s.url, name: s.name.slice(0, 200), type: s.type, source: s.source, lastSeenAt: r.at })))
        .onConflictDoUpdate({ target: [inspectionSections.systemId, inspectionSections.url], set: { lastSeenAt: sql`excluded.last_seen_at` } })
        .returning({ id: inspectionSections.id, url: inspectionSections.url, ignored: inspectionSections.ignored });
      const byUrl = new Map(rows.map((x) => [x.url, x]));
      const dayRows = sections
        .filter((s) => s.outcome !== 'not_fetched' && byUrl.get(s.url) && !byUrl.get(s.url)!.ignored)
        .map((s) => ({ sectionId: byUrl.get(s.url)!.id, systemId: r.systemId, day, outcome: s.outcome, items: s.items, dated: s.dated, newest: s.newest }));
      if (dayRows.length) {
        await tx
          .insert(sectionDays)
          .values(dayRows)
          .onConflictDoUpdate({ target: [sectionDays.sectionId, sectionDays.day], set: { outcome: sql`excluded.outcome`, items: sql`excluded.items`, dated: sql`excluded.dated`, newest: sql`excluded.newest` } });
      }
    }
    const row = {
      endpointId: r.endpointId,
      systemId: r.systemId,
      day,
      checkedAt: r.at,
      outcome: result.outcome,
      homepageItems: result.homepage.items,
      homepageDated: result.homepage.dated,
      homepageNewest: result.homepage.newest,
      navigationOnly: result.homepage.navigationOnly,
      pages: result.pages.fetched,
      pagesFailed: result.pages.failed,
      pagesCapped: result.pages.capped,
      linksChecked: result.links.checked,
      linksBroken: result.links.broken,
      linksExternal: result.links.external,
      linksNotChecked: result.links.notChecked,
      brokenLinks: result.links.brokenList,
      outboundRisks: result.links.outboundRisks,
      wordingHits: result.wording.hits,
      wording: result.wording.list,
      images: result.a11y.images,
      imagesWithAlt: result.a11y.imagesWithAlt,
      careEntry: result.a11y.careEntry,
    };
    const { endpointId: _e, day: _d, ...set } = row;
    await tx.insert(siteDays).values(row).onConflictDoUpdate({ target: [siteDays.endpointId, siteDays.day], set });
  }
}
