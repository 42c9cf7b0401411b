import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex, bigserial } from 'drizzle-orm/pg-core';
import { systemRef, departmentRef } from './refs.js';
import { systems } from './systems.js';
import { FINDING_STATUSES, WEBHOOK_KINDS } from './enums.js';
import { STATUSES } from '../../../reports/codes.js';

/** Classification policies, versioned; every verdict and report names the version it used. */
export const policies = pgTable('policies', {
  id: serial('id').primaryKey(),
  version: text('version').notNull().unique(),
  body: jsonb('body').notNull(),
  active: boolean('active').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  createdBy: text('created_by'),
});

/** Per-system policy: seasonal systems and exemptions with an expiry date. */
export const systemPolicies = pgTable('system_policies', {
  systemId: integer('system_id')
    .primaryKey()
    .references(() => systems.id, { onDelete: 'cascade' }),
  /** e.g. `tax_filing`, `school_enrolment`, `flood_season`: usage judged over 12 months. */
  season: text('season'),
  exemptUntil: date('exempt_until', { mode: 'string' }),
  exemptReason: text('exempt_reason'),
  /** Systems this one duplicates (reason `duplicate_function`), set by an auditor. */
  duplicates: text('duplicates').array().notNull().default(sql`'{}'::text[]`),
  overrides: jsonb('overrides'),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Every change of a system's status, with its reasons: month-end snapshots are read from here. */
export const statusHistory = pgTable(
  'status_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    systemId: systemRef(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    asOf: date('as_of', { mode: 'string' }).notNull(),
    status: text('status', { enum: STATUSES }).notNull(),
    reasons: jsonb('reasons').notNull(),
    flags: jsonb('flags').notNull().default(sql`'[]'::jsonb`),
    policyVersion: text('policy_version').notNull(),
  },
  (t) => [index('status_history_system_at_idx').on(t.systemId, t.asOf)],
);

/** A clean-up case opened by a zombie or semi-zombie verdict, with its frozen evidence pack. */
export const findings = pgTable(
  'findings',
  {
    id: serial('id').primaryKey(),
    systemId: systemRef(),
    departmentId: departmentRef(),
    status: text('status', { enum: FINDING_STATUSES }).notNull().default('open'),
    verdict: text('verdict').notNull(),
    reasons: jsonb('reasons').notNull(),
    policyVersion: text('policy_version').notNull(),
    evidence: jsonb('evidence').notNull(),
    evidenceSha256: text('evidence_sha256').notNull(),
    openedAt: timestamp('opened_at', { withTimezone: true, mode: 'date' }).notNull(),
    deadline: date('deadline', { mode: 'string' }).notNull(),
    notifiedAt: timestamp('notified_at', { withTimezone: true, mode: 'date' }),
    answeredAt: timestamp('answered_at', { withTimezone: true, mode: 'date' }),
    /** `{action: keep|merge|migrate|decommission, justification?, targetSystemCode?, by}` */
    answer: jsonb('answer'),
    closedAt: timestamp('closed_at', { withTimezone: true, mode: 'date' }),
    closeNote: text('close_note'),
    lastReminderAt: timestamp('last_reminder_at', { withTimezone: true, mode: 'date' }),
    version: integer('version').notNull().default(1),
  },
  (t) => [index('findings_status_idx').on(t.status), index('findings_department_idx').on(t.departmentId), index('findings_system_idx').on(t.systemId)],
);

/** Stored monthly reports: computed from data as of the month's end, with a hash of their inputs. */
export const monthlyReports = pgTable(
  'monthly_reports',
  {
    id: serial('id').primaryKey(),
    month: text('month').notNull(),
    policyVersion: text('policy_version').notNull(),
    inputsHash: text('inputs_hash').notNull(),
    input: jsonb('input').notNull(),
    generatedAt: timestamp('generated_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [uniqueIndex('monthly_reports_month_idx').on(t.month)],
);

/** Outgoing notifications (WeCom/DingTalk-style webhooks, SMTP), configured by ops. */
export const webhooks = pgTable('webhooks', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: WEBHOOK_KINDS }).notNull(),
  /** URL, or for smtp a `smtp://host:port` plus a recipient in `target`. */
  url: text('url').notNull(),
  target: text('target'),
  /** Events this hook receives; empty means all. */
  events: text('events').array().notNull().default(sql`'{}'::text[]`),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const notifications = pgTable(
  'notifications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    webhookId: integer('webhook_id').references(() => webhooks.id, { onDelete: 'set null' }),
    event: text('event').notNull(),
    /** Idempotency key: one notification per (event, subject) such as `finding:12:reminder:7d`. */
    dedupeKey: text('dedupe_key').notNull(),
    payload: jsonb('payload').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
    outcome: text('outcome'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('notifications_dedupe_idx').on(t.webhookId, t.dedupeKey)],
);
