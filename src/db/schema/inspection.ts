import { boolean, date, index, integer, jsonb, pgTable, primaryKey, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { endpointRef, endpointSystem, instant, systemRef } from './refs.js';
import { timestamps } from './columns.js';

/**
 * The national website inspection (issue 11): the sections (栏目) of each portal and daily rollups of
 * what the inspection probe saw. One row per section per day and one per portal per day: the item lists
 * and links themselves are never stored, only counts, the newest date and bounded lists of findings.
 */

export const SECTION_TYPES = ['dynamic', 'notice_policy', 'personnel', 'other'] as const;
export const SECTION_SOURCES = ['discovered', 'registered'] as const;

/** A section of a portal: found in the homepage navigation, or registered (added or corrected) by ops. */
export const inspectionSections = pgTable(
  'inspection_sections',
  {
    id: serial('id').primaryKey(),
    systemId: systemRef(),
    url: text('url').notNull(),
    name: text('name').notNull(),
    type: text('type', { enum: SECTION_TYPES }).notNull(),
    source: text('source', { enum: SECTION_SOURCES }).notNull(),
    /** Ops turned it off (not a section, or gone): not probed, not judged. */
    ignored: boolean('ignored').notNull().default(false),
    lastSeenAt: instant('last_seen_at'),
    ...timestamps,
  },
  (t) => [uniqueIndex('inspection_sections_system_url_uq').on(t.systemId, t.url)],
);

/** Newest dated item and item count of a section on a day (the latest check of the day wins). */
export const sectionDays = pgTable(
  'section_days',
  {
    sectionId: integer('section_id')
      .notNull()
      .references(() => inspectionSections.id, { onDelete: 'cascade' }),
    systemId: systemRef(),
    day: date('day', { mode: 'string' }).notNull(),
    outcome: text('outcome').notNull(),
    items: integer('items').notNull(),
    dated: integer('dated').notNull(),
    newest: date('newest', { mode: 'string' }),
  },
  (t) => [primaryKey({ columns: [t.sectionId, t.day] }), index('section_days_system_day_idx').on(t.systemId, t.day)],
);

/** What one portal's inspection saw on a day: homepage items, pages, links, wording, accessibility. */
export const siteDays = pgTable(
  'site_days',
  {
    endpointId: endpointRef(),
    systemId: endpointSystem(),
    day: date('day', { mode: 'string' }).notNull(),
    checkedAt: instant('checked_at').notNull(),
    outcome: text('outcome').notNull(),
    homepageItems: integer('homepage_items').notNull().default(0),
    homepageDated: integer('homepage_dated').notNull().default(0),
    homepageNewest: date('homepage_newest', { mode: 'string' }),
    navigationOnly: boolean('navigation_only').notNull().default(false),
    pages: integer('pages').notNull().default(0),
    pagesFailed: integer('pages_failed').notNull().default(0),
    pagesCapped: boolean('pages_capped').notNull().default(false),
    linksChecked: integer('links_checked').notNull().default(0),
    linksBroken: integer('links_broken').notNull().default(0),
    linksExternal: integer('links_external').notNull().default(0),
    linksNotChecked: integer('links_not_checked').notNull().default(0),
    /** At most the limit's `maxListed` each: `[{url, page, outcome, status?}]`, `[{url, page, risk, keyword?}]`. */
    brokenLinks: jsonb('broken_links').notNull().default([]),
    outboundRisks: jsonb('outbound_risks').notNull().default([]),
    wordingHits: integer('wording_hits').notNull().default(0),
    /** `[{wrong, right, page, context}]`, bounded. */
    wording: jsonb('wording').notNull().default([]),
    images: integer('images').notNull().default(0),
    imagesWithAlt: integer('images_with_alt').notNull().default(0),
    /** `{found, opens, url}` of a 适老化/关怀版/长者模式/无障碍 entry. */
    careEntry: jsonb('care_entry'),
  },
  (t) => [primaryKey({ columns: [t.endpointId, t.day] }), index('site_days_system_day_idx').on(t.systemId, t.day)],
);

/**
 * What axe-core in the headless Chromium saw on a portal on a day (the accessibility kind): the pages
 * checked (homepage, one section) with their violations by impact and worst rules, bounded. The latest
 * check of the day replaces earlier ones. Informational: no verdict reads it.
 */
export const accessibilityDays = pgTable(
  'accessibility_days',
  {
    endpointId: endpointRef(),
    systemId: endpointSystem(),
    day: date('day', { mode: 'string' }).notNull(),
    checkedAt: instant('checked_at').notNull(),
    /** `ok` (axe ran on the homepage), `unmeasured` (with `reason`), or the homepage's probe outcome. */
    outcome: text('outcome').notNull(),
    /** `no_browser`, `browser_failed`; null when measured. */
    reason: text('reason'),
    /** `checked`, `none` (no recent section: homepage only), `failed`. */
    section: text('section').notNull(),
    /** Sums over the pages axe ran on, per impact (rule violations and elements). */
    criticalRules: integer('critical_rules').notNull().default(0),
    seriousRules: integer('serious_rules').notNull().default(0),
    moderateRules: integer('moderate_rules').notNull().default(0),
    minorRules: integer('minor_rules').notNull().default(0),
    criticalNodes: integer('critical_nodes').notNull().default(0),
    seriousNodes: integer('serious_nodes').notNull().default(0),
    moderateNodes: integer('moderate_nodes').notNull().default(0),
    minorNodes: integer('minor_nodes').notNull().default(0),
    /** `[{url, role, outcome, status?, error?, loadIncomplete?, violations, rules: [{id, impact, nodes, help, helpZh}] (≤ 20), rulesTotal, subresources, refused}]`. */
    pages: jsonb('pages').notNull().default([]),
  },
  (t) => [primaryKey({ columns: [t.endpointId, t.day] }), index('accessibility_days_system_day_idx').on(t.systemId, t.day)],
);
