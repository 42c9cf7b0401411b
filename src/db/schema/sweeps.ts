import { bigserial, index, integer, jsonb, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { systemRef } from './refs.js';
import { endpoints, systems } from './systems.js';
import { SWEEP_STATUSES, SWEEP_TARGET_KINDS, SWEEP_TARGET_STATES, SWEEP_TRIGGERS } from './enums.js';

/** A sweep: one pass of probes over a set of systems, shared by every probe process on the database. */
export const sweeps = pgTable('sweeps', {
  id: serial('id').primaryKey(),
  status: text('status', { enum: SWEEP_STATUSES }).notNull().default('queued'),
  trigger: text('trigger', { enum: SWEEP_TRIGGERS }).notNull(),
  requestedBy: text('requested_by'),
  options: jsonb('options').notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
  finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
  targets: integer('targets').notNull().default(0),
  /** Schedule slot such as `cron:2026-11-24T02:00`: unique, so several processes never start the same scheduled sweep twice. */
  slot: text('slot').unique(),
});

/**
 * The work queue of a sweep. Workers lease pending (or expired) targets with FOR UPDATE SKIP LOCKED;
 * a result is stored only by the lease holder that marks the target done, so a killed worker's
 * targets are finished by another with no duplicated result.
 */
export const sweepTargets = pgTable(
  'sweep_targets',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sweepId: integer('sweep_id')
      .notNull()
      .references(() => sweeps.id, { onDelete: 'cascade' }),
    systemId: systemRef(),
    endpointId: integer('endpoint_id').references(() => endpoints.id, { onDelete: 'cascade' }),
    /** `endpoint` (liveness, and IPv6/freshness when the sweep asks) | `usage_source` (a usage pull). */
    kind: text('kind', { enum: SWEEP_TARGET_KINDS }).notNull().default('endpoint'),
    usageSourceId: integer('usage_source_id'),
    url: text('url').notNull(),
    state: text('state', { enum: SWEEP_TARGET_STATES }).notNull().default('pending'),
    leasedBy: text('leased_by'),
    leaseUntil: timestamp('lease_until', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    outcome: text('outcome'),
    doneAt: timestamp('done_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('sweep_targets_queue_idx').on(t.sweepId, t.state, t.id)],
);
