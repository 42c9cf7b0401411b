import { bigint, date, doublePrecision, index, integer, pgTable, primaryKey, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { timestamps } from './columns.js';
import { systems } from './systems.js';

/** Kinds of government-cloud resource (contract: `vm|database|storage|bandwidth|other`). Plain text column: a new kind needs no migration. */
export const RESOURCE_KINDS = ['vm', 'database', 'storage', 'bandwidth', 'other'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** Where a day of utilisation came from: the cloud's monitoring export, a Prometheus pull, or the push API. */
export const UTILISATION_SOURCES = ['import', 'prometheus', 'push'] as const;
export type UtilisationSource = (typeof UTILISATION_SOURCES)[number];

/**
 * Cloud resources of the 政务云 resource ledger (资源台账), each tied to the system it serves. A resource
 * with no system (`systemId` null) is an orphan: allocated, paid for, and nobody's.
 */
export const cloudResources = pgTable(
  'cloud_resources',
  {
    id: serial('id').primaryKey(),
    /** The cloud's own resource id (instance id, RDS id…); unique across the ledger. */
    externalId: text('external_id').notNull().unique(),
    systemId: integer('system_id').references(() => systems.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: RESOURCE_KINDS }).notNull(),
    name: text('name'),
    vcpu: doublePrecision('vcpu').notNull().default(0),
    memoryGb: doublePrecision('memory_gb').notNull().default(0),
    storageGb: doublePrecision('storage_gb').notNull().default(0),
    bandwidthMbps: doublePrecision('bandwidth_mbps'),
    /** Monthly cost in yuan, when the ledger says. */
    monthlyCost: doublePrecision('monthly_cost'),
    /** Allocated from / released on (inclusive); null: unknown start, still allocated. */
    since: date('since', { mode: 'string' }),
    until: date('until', { mode: 'string' }),
    ...timestamps,
  },
  (t) => [index('cloud_resources_system_idx').on(t.systemId)],
);

/**
 * One row per resource and local day: the day's utilisation, or — when the pull could not get it
 * (Prometheus down, slow, garbage) — `missingReason` and no figures. The same day replaces, never adds;
 * a missing day never replaces figures already stored.
 */
export const resourceUtilisation = pgTable(
  'resource_utilisation',
  {
    resourceId: integer('resource_id')
      .notNull()
      .references(() => cloudResources.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    source: text('source', { enum: UTILISATION_SOURCES }).notNull(),
    cpuAvg: doublePrecision('cpu_avg'),
    cpuP95: doublePrecision('cpu_p95'),
    cpuMax: doublePrecision('cpu_max'),
    memPct: doublePrecision('mem_pct'),
    netInBytes: bigint('net_in_bytes', { mode: 'number' }),
    netOutBytes: bigint('net_out_bytes', { mode: 'number' }),
    diskReadBytes: bigint('disk_read_bytes', { mode: 'number' }),
    diskWriteBytes: bigint('disk_write_bytes', { mode: 'number' }),
    /** Set when the day is missing evidence: why (`timeout`, `http_error`, `invalid_response`, `no_data`…). */
    missingReason: text('missing_reason'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.resourceId, t.day] }), index('resource_utilisation_day_idx').on(t.day)],
);
