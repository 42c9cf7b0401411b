import { sql } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, pgTable, serial, smallint, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { timestamps } from './columns.js';
import { departments } from './departments.js';
import { builtBy, deployment, endpointRole, lifecycle, network, systemStatus, userScope } from './enums.js';

export const systems = pgTable(
  'systems',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    departmentId: integer('department_id')
      .notNull()
      .references(() => departments.id),
    operatorUnit: text('operator_unit'),
    contractor: text('contractor'),
    contactName: text('contact_name'),
    contactPhone: text('contact_phone'),
    contactEmail: text('contact_email'),
    description: text('description'),
    lifecycle: lifecycle('lifecycle').notNull().default('live'),
    launchedOn: date('launched_on', { mode: 'string' }),
    deployment: deployment('deployment').notNull().default('other'),
    cloudRequired: boolean('cloud_required').notNull().default(false),
    network: network('network').notNull().default('internet'),
    builtBy: builtBy('built_by').notNull().default('municipal'),
    mlpsLevel: smallint('mlps_level'),
    userScope: userScope('user_scope').notNull().default('public'),
    registeredUsers: integer('registered_users'),
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    // Classification result: written only by the classifier, read-only through the API.
    status: systemStatus('status').notNull().default('insufficient_evidence'),
    statusReasons: jsonb('status_reasons').notNull().default(sql`'[]'::jsonb`),
    statusAt: timestamp('status_at', { withTimezone: true, mode: 'date' }),
    retiredAt: timestamp('retired_at', { withTimezone: true, mode: 'date' }),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [
    index('systems_department_idx').on(t.departmentId, t.id),
    index('systems_status_idx').on(t.status),
    index('systems_lifecycle_idx').on(t.lifecycle),
  ],
);

export const endpoints = pgTable(
  'endpoints',
  {
    id: serial('id').primaryKey(),
    systemId: integer('system_id')
      .notNull()
      .references(() => systems.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    role: endpointRole('role').notNull().default('portal'),
    position: smallint('position').notNull().default(0),
  },
  (t) => [uniqueIndex('endpoints_system_url_idx').on(t.systemId, t.url)],
);
