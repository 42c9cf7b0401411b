import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import { endpoints } from './systems.js';
import { endpointRef, endpointSystem, instant, systemRef } from './refs.js';
import { USAGE_ORIGINS, USAGE_SOURCE_KINDS } from './enums.js';
import { USAGE_METRICS } from '../../../reports/codes.js';
import type { ProbeKind } from '../../sweeps/kinds/index.js';

/**
 * Raw probe results. Kept PROBE_RETENTION_DAYS (default 35); reports read the daily rollups below,
 * so a year of hourly probes never makes a page slow. Partitioned by UTC day on `at` (migration
 * `probe_results_partitioned`: partitions probe_results_pYYYYMMDD, created ahead by the sweeper,
 * and probe_results_default for anything else), so retention drops whole days instead of deleting
 * rows. A partitioned table's key must hold the partition column, so in the database the primary
 * key is (id, at), set by that migration (drizzle-kit cannot name the key it would drop); ids still
 * come from one sequence and are unique.
 *
 * A record of what was probed, never rewritten: the sweep, system and endpoint ids are kept as they
 * were, with no references. Systems and sweeps are never deleted (a system retires with its history);
 * an endpoint replaced in the inventory keeps its past results under its old id (a reference would have
 * nulled that id in every partition, by a scan: there is no index on it). And three key checks, with a
 * row lock each, on every stored probe were a third of PostgreSQL's CPU in a sweep (`bench/sweep-fleet.ts`).
 */
export const probeResults = pgTable(
  'probe_results',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sweepId: integer('sweep_id'),
    systemId: integer('system_id').notNull(),
    endpointId: integer('endpoint_id'),
    /** A `stored` name of src/sweeps/kinds (PROBE_KINDS). */
    kind: text('kind').notNull().$type<ProbeKind>(),
    url: text('url').notNull(),
    at: instant('at').notNull(),
    /** An outcome code of the contract (`ok`, `timeout`, `dns_nxdomain`, …). */
    outcome: text('outcome').notNull(),
    httpStatus: smallint('http_status'),
    durationMs: integer('duration_ms'),
    /** Per-phase timings and everything else the probe saw (cert, redirects, IPv6 fields, …). */
    detail: jsonb('detail').notNull().default(sql`'{}'::jsonb`),
    contentHash: text('content_hash'),
  },
  (t) => [index('probe_results_system_at_idx').on(t.systemId, t.at), index('probe_results_at_idx').on(t.at)],
);

/** One row per system per day (day boundaries in TZ, default Asia/Shanghai), kept for years. */
export const probeDays = pgTable(
  'probe_days',
  {
    systemId: systemRef(),
    day: date('day', { mode: 'string' }).notNull(),
    probes: integer('probes').notNull().default(0),
    ok: integer('ok').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    dnsNxdomain: integer('dns_nxdomain').notNull().default(0),
    /** Count of results per outcome code. */
    outcomes: jsonb('outcomes').notNull().default(sql`'{}'::jsonb`),
    sumMs: bigint('sum_ms', { mode: 'number' }).notNull().default(0),
    maxMs: integer('max_ms').notNull().default(0),
    certDaysLeftMin: integer('cert_days_left_min'),
    contentHash: text('content_hash'),
  },
  (t) => [primaryKey({ columns: [t.systemId, t.day] }), index('probe_days_day_idx').on(t.day)],
);

/**
 * Homepage visits of portal endpoints per local day, for the national inspection rule (20+ visits a day,
 * ≥ 5% not opened within 15 s): two counts per portal and day, kept for years like probe_days, so the
 * rule never needs raw results beyond their retention.
 */
export const inspectionDays = pgTable(
  'inspection_days',
  {
    endpointId: endpointRef(),
    systemId: endpointSystem(),
    day: date('day', { mode: 'string' }).notNull(),
    visits: integer('visits').notNull().default(0),
    /** Visits not opened within 15 s (failed or slower). */
    notOpened: integer('not_opened').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.endpointId, t.day] }), index('inspection_days_system_day_idx').on(t.systemId, t.day)],
);

/** Latest known state of each endpoint: what the UI and the classifier read without scanning history. */
export const endpointState = pgTable('endpoint_state', {
  endpointId: integer('endpoint_id')
    .primaryKey()
    .references(() => endpoints.id, { onDelete: 'cascade' }),
  systemId: endpointSystem(),
  lastProbeAt: instant('last_probe_at'),
  lastOutcome: text('last_outcome'),
  lastOkAt: instant('last_ok_at'),
  contentHash: text('content_hash'),
  contentChangedAt: instant('content_changed_at'),
  lastModified: instant('last_modified'),
  sitemapLastmod: instant('sitemap_lastmod'),
  title: text('title'),
  cert: jsonb('cert'),
  ipv6: jsonb('ipv6'),
  ipv6At: instant('ipv6_at'),
  /**
   * An IPv6 result whose grade differs from the stored one, waiting for the next sweep: a grade changes
   * only when two sweeps in a row see the new one (hysteresis), so noise never flips it.
   */
  ipv6Pending: jsonb('ipv6_pending'),
  ipv6PendingAt: instant('ipv6_pending_at'),
});

/** The first columns of an endpoint's history of changes: which endpoint, and when. */
const changeColumns = () => ({
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  endpointId: endpointRef(),
  systemId: endpointSystem(),
  at: instant('at').notNull(),
});

/**
 * History of IPv6 results: one row each time an endpoint's grade or link rates change (and its first
 * result), so a past month's report shows the grades of that month, not today's.
 */
export const ipv6Changes = pgTable(
  'ipv6_changes',
  {
    ...changeColumns(),
    grade: text('grade').notNull(),
    secondLevelRate: doublePrecision('second_level_rate'),
    thirdLevelRate: doublePrecision('third_level_rate'),
  },
  (t) => [index('ipv6_changes_system_at_idx').on(t.systemId, t.at)],
);

/** History of content hashes: one row each time an endpoint's normalised page changes. */
export const contentChanges = pgTable(
  'content_changes',
  {
    ...changeColumns(),
    contentHash: text('content_hash').notNull(),
  },
  (t) => [index('content_changes_system_at_idx').on(t.systemId, t.at)],
);

/**
 * Usage evidence per system, day and metric. `source` separates pushed counts from pulled metrics and
 * access logs; a repeated push of the same day and metric replaces the value.
 */
export const usageDays = pgTable(
  'usage_days',
  {
    systemId: systemRef(),
    day: date('day', { mode: 'string' }).notNull(),
    metric: text('metric', { enum: USAGE_METRICS }).notNull(),
    source: text('source', { enum: USAGE_ORIGINS }).notNull(),
    value: doublePrecision('value').notNull(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.systemId, t.day, t.metric, t.source] }), index('usage_days_day_idx').on(t.day)],
);

/** A pull source of usage: a JSON URL with a JSON pointer, or a Prometheus text metric. */
export const usageSources = pgTable('usage_sources', {
  id: serial('id').primaryKey(),
  systemId: systemRef(),
  kind: text('kind', { enum: USAGE_SOURCE_KINDS }).notNull(),
  url: text('url').notNull(),
  /** JSON pointer (json) or metric name with optional label matchers (prometheus). */
  selector: text('selector').notNull(),
  metric: text('metric', { enum: USAGE_METRICS }).notNull(),
  enabled: boolean('enabled').notNull().default(true),
  lastPulledAt: instant('last_pulled_at'),
  lastOutcome: text('last_outcome'),
});
