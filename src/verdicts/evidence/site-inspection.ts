import { sql } from 'drizzle-orm';
import { addDays, type Day } from '../../../reports/dates.js';
import type { InspectionDay } from '../../../reports/inspection-rule.js';
import type { SectionState, SiteDay, SiteInspectionEvidence } from '../../../reports/inspection/scorecard.js';
import type { Policy } from '../../../reports/policy.js';
import { IMPACTS, type AxeDay, type ImpactCounts } from '../../../reports/inspection/accessibility.js';
import type { Db } from '../../db/client.js';
import { rowsOf, intArray } from '../../db/sql.js';

/**
 * Evidence of the site inspection (issue 11), one step of the evidence loader: each portal's site days
 * (the last 90 days: enough for the homepage's newest item and the latest check) and each section's
 * latest check with the newest date ever seen on it, and its axe-core checks. Systems without any inspection get none.
 */
export async function loadSiteInspection(
  db: Db,
  o: { systemIds?: number[] | undefined; asOf: Day; policy: Policy; visits?: ReadonlyMap<number, InspectionDay[]> },
): Promise<Map<number, SiteInspectionEvidence>> {
  const only = (col: string) => (o.systemIds ? sql`and ${sql.raw(col)} = any(${intArray(o.systemIds)})` : sql``);
  const from = addDays(o.asOf, -Math.max(90, o.policy.siteInspection.homepageStaleDays + o.policy.siteInspection.maxSilenceDays));
  const [dayRows, sectionRows, axeRows] = await Promise.all([
    db.execute(sql`
      select system_id, day::text as day, outcome, homepage_items, homepage_dated, homepage_newest::text as homepage_newest, navigation_only,
        links_checked, links_broken, broken_links, outbound_risks, wording_hits, wording, images, images_with_alt, care_entry
      from site_days where day >= ${from}::date and day <= ${o.asOf}::date ${only('system_id')}`),
    db.execute(sql`
      select s.system_id, s.name, s.url, s.type, l.day::text as day, l.outcome, l.items, m.newest::text as newest
      from inspection_sections s
      join lateral (select day, outcome, items from section_days d where d.section_id = s.id and d.day <= ${o.asOf}::date order by day desc limit 1) l on true
      left join lateral (select max(newest) as newest from section_days d where d.section_id = s.id and d.day <= ${o.asOf}::date) m on true
      where not s.ignored ${only('s.system_id')}
      order by s.id`),
    db.execute(sql`
      select system_id, day::text as day, outcome, reason, section, pages,
        critical_rules, critical_nodes, serious_rules, serious_nodes, moderate_rules, moderate_nodes, minor_rules, minor_nodes
      from accessibility_days where day >= ${from}::date and day <= ${o.asOf}::date ${only('system_id')}`),
  ]);
  const out = new Map<number, SiteInspectionEvidence>();
  const get = (id: number) => {
    let e = out.get(id);
    if (!e) out.set(id, (e = { days: [], sections: [], visits: o.visits?.get(id) ?? [] }));
    return e;
  };
  for (const r of rowsOf<Record<string, unknown>>(dayRows)) {
    const d: SiteDay = {
      day: String(r.day),
      outcome: String(r.outcome),
      homepageItems: Number(r.homepage_items),
      homepageDated: Number(r.homepage_dated),
      homepageNewest: (r.homepage_newest as string | null) ?? null,
      navigationOnly: Boolean(r.navigation_only),
      linksChecked: Number(r.links_checked),
      linksBroken: Number(r.links_broken),
      brokenLinks: (r.broken_links as SiteDay['brokenLinks']) ?? [],
      outboundRisks: (r.outbound_risks as SiteDay['outboundRisks']) ?? [],
      wordingHits: Number(r.wording_hits),
      wording: (r.wording as SiteDay['wording']) ?? [],
      images: Number(r.images ?? 0),
      imagesWithAlt: Number(r.images_with_alt ?? 0),
      careEntry: (r.care_entry as SiteDay['careEntry']) ?? null,
    };
    get(Number(r.system_id)).days.push(d);
  }
  for (const r of rowsOf<Record<string, unknown>>(sectionRows)) {
    const s: SectionState = { name: String(r.name), url: String(r.url), type: r.type as SectionState['type'], lastDay: String(r.day), lastOutcome: String(r.outcome), items: Number(r.items), newest: (r.newest as string | null) ?? null };
    get(Number(r.system_id)).sections.push(s);
  }
  for (const r of rowsOf<Record<string, unknown>>(axeRows)) {
    const violations = Object.fromEntries(IMPACTS.map((i) => [i, { rules: Number(r[`${i}_rules`]), nodes: Number(r[`${i}_nodes`]) }])) as ImpactCounts;
    const e = get(Number(r.system_id));
    (e.axe ??= []).push({ day: String(r.day), outcome: String(r.outcome), reason: (r.reason as string | null) ?? null, section: String(r.section), violations, pages: (r.pages as AxeDay['pages']) ?? [] });
  }
  return out;
}
