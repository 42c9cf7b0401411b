import { sql } from 'drizzle-orm';
import { date, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { systemRef, departmentRef } from './refs.js';
import { systems } from './systems.js';
import { CAMPAIGN_ITEM_STATES, CAMPAIGN_STATUSES, TRANSFER_STATES } from './enums.js';

/** An ownership confirmation campaign over some departments or counties, with a deadline. */
export const campaigns = pgTable('campaigns', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  /** `{departments: [code], counties: [code]}` as requested. */
  scope: jsonb('scope').notNull(),
  deadline: date('deadline', { mode: 'string' }).notNull(),
  status: text('status', { enum: CAMPAIGN_STATUSES }).notNull().default('open'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  createdBy: text('created_by'),
});

/** One row per department in a campaign; its signed link is derived from `id` and `nonce`. */
export const campaignDepartments = pgTable(
  'campaign_departments',
  {
    id: serial('id').primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    departmentId: departmentRef(),
    /** Random per link; rotating it revokes the old link. */
    nonce: text('nonce').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    firstVisitAt: timestamp('first_visit_at', { withTimezone: true, mode: 'date' }),
    completedAt: timestamp('completed_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('campaign_departments_idx').on(t.campaignId, t.departmentId)],
);

/** The state of each system in a campaign. */
export const campaignItems = pgTable(
  'campaign_items',
  {
    id: serial('id').primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    systemId: systemRef(),
    departmentId: departmentRef(),
    state: text('state', { enum: CAMPAIGN_ITEM_STATES }).notNull().default('pending'),
    confirmedByName: text('confirmed_by_name'),
    confirmedByPhone: text('confirmed_by_phone'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true, mode: 'date' }),
    note: text('note'),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('campaign_items_idx').on(t.campaignId, t.systemId), index('campaign_items_department_idx').on(t.campaignId, t.departmentId)],
);

/** A hand-over of a system between departments: the receiving department must accept. */
export const transfers = pgTable(
  'transfers',
  {
    id: serial('id').primaryKey(),
    systemId: systemRef(),
    fromDepartmentId: departmentRef('from_department_id'),
    toDepartmentId: departmentRef('to_department_id'),
    campaignId: integer('campaign_id').references(() => campaigns.id, { onDelete: 'set null' }),
    state: text('state', { enum: TRANSFER_STATES }).notNull().default('pending'),
    note: text('note'),
    requestedBy: text('requested_by'),
    requestedAt: timestamp('requested_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date' }),
    extra: jsonb('extra').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [index('transfers_to_idx').on(t.toDepartmentId, t.state)],
);

/** Systems a department reports as missing from the inventory, for ops to register. */
export const missingSystemReports = pgTable('missing_system_reports', {
  id: serial('id').primaryKey(),
  campaignId: integer('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
  departmentId: departmentRef(),
  name: text('name').notNull(),
  url: text('url'),
  note: text('note'),
  reportedByName: text('reported_by_name'),
  reportedByPhone: text('reported_by_phone'),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  /** Set when ops registered it as a system. */
  systemId: integer('system_id').references(() => systems.id, { onDelete: 'set null' }),
});
