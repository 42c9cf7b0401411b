import { sql } from 'drizzle-orm';
import { IMPACTS } from '../../../reports/inspection/accessibility.js';
import { localDay } from '../../../probes/time.js';
import { addDays } from '../../../reports/dates.js';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/sql.js';
import { accessibilityDays } from '../../db/schema/index.js';
import type { ProbeRecord } from '../types.js';
import { isPortalTarget } from './inspection.js';
import { lazyProbe, recordOf, type ProbeKindSpec } from './spec.js';

const probes = lazyProbe(() => import('../../../probes/accessibility.js'));

/**
 * 适老化 and accessibility of a portal (issue 11): axe-core in the headless Chromium (INSPECTION_BROWSER)
 * over the homepage and one section page, stored as one row per portal per day (accessibility_days).
 * Only `portal` endpoints, as the inspection kind. Informational: no verdict reads it. Without a browser
 * the day is recorded as unmeasured (`no_browser`).
 */
export const accessibility: ProbeKindSpec<'accessibility'> = {
  stored: 'accessibility',
  target: 'endpoint',
  byDefault: false,
  rollsUpDaily: false,
  async run(db, t, o) {
    if (!(await isPortalTarget(db, t))) return null;
    const at = o.deps.clock.now();
    const day = localDay(at, o.timeZone);
    const sectionUrl = await sectionToCheck(db, t.systemId, day);
    const { checkAccessibility } = await probes();
    const r = await checkAccessibility(t.url, {
      browser: o.deps.browser ?? null,
      resolver: o.deps.resolver,
      policy: o.deps.policy,
      timeoutMs: o.deps.timeoutMs,
      clock: o.deps.clock,
      ca: o.ca,
      sectionUrl,
    });
    const home = r.pages[0];
    return {
      ...recordOf(t, 'accessibility'),
      at,
      outcome: r.outcome,
      httpStatus: home?.status ?? null,
      durationMs: r.durationMs,
      detail: {
        ...(r.reason ? { reason: r.reason } : {}),
        section: r.section,
        violations: r.violations,
        pages: r.pages.map((p) => ({ url: p.url, role: p.role, outcome: p.outcome, rules: p.rulesTotal, subresources: p.subresources })),
        ...(r.error ? { error: r.error } : {}),
      },
      contentHash: null,
      accessibility: { day, result: r },
    };
  },
  store: storeAccessibility,
};

/**
 * The section page axe checks besides the homepage: the first registered, else the first discovered,
 * non-ignored section whose page loaded in the last two weeks. Null: homepage only.
 */
async function sectionToCheck(db: Db, systemId: number, day: string): Promise<string | null> {
  const rows = rowsOf<{ url: string }>(
    await db.execute(sql`
      select s.url from inspection_sections s
      where s.system_id = ${systemId} and not s.ignored
        and exists (select 1 from section_days d where d.section_id = s.id and d.outcome = 'ok' and d.day >= ${addDays(day, -14)}::date and d.day <= ${day}::date)
      order by (s.source = 'registered') desc, s.id
      limit 1`),
  );
  return rows[0]?.url ?? null;
}

async function storeAccessibility(tx: Db, records: ProbeRecord[]): Promise<void> {
  // One row per endpoint and day: the latest check of the day replaces the earlier ones.
  const latest = new Map<string, ProbeRecord>();
  for (const r of records.sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (r.accessibility && r.endpointId !== null) latest.set(`${r.endpointId}/${r.accessibility.day}`, r);
  }
  if (!latest.size) return;
  const rows = [...latest.values()].map((r) => {
    const { day, result } = r.accessibility!;
    const v = result.violations;
    return {
      endpointId: r.endpointId!,
      systemId: r.systemId,
      day,
      checkedAt: r.at,
      outcome: result.outcome,
      reason: result.reason,
      section: result.section,
      ...Object.fromEntries(IMPACTS.flatMap((i) => [[`${i}Rules`, v[i].rules], [`${i}Nodes`, v[i].nodes]])),
      pages: result.pages,
    } as typeof accessibilityDays.$inferInsert;
  });
  const set = Object.fromEntries(
    ['checked_at', 'outcome', 'reason', 'section', 'pages', ...IMPACTS.flatMap((i) => [`${i}_rules`, `${i}_nodes`])].map((c) => [
      c.replace(/_([a-z])/g, (_, x: string) => x.toUpperCase()),
      sql.raw(`excluded.${c}`),
    ]),
  );
  await tx.insert(accessibilityDays).values(rows).onConflictDoUpdate({ target: [accessibilityDays.endpointId, accessibilityDays.day], set });
}
