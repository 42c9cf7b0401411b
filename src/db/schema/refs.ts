import { integer, timestamp } from 'drizzle-orm/pg-core';
import { departments } from './departments.js';
import { endpoints, systems } from './systems.js';

// Column builders the tables share. Functions, so each table gets its own builder.

/** `system_id`, required, deleted with its system. */
export const systemRef = () =>
  integer('system_id')
    .notNull()
    .references(() => systems.id, { onDelete: 'cascade' });

/**
 * `system_id` of a row keyed by an endpoint: its endpoint's system, copied for per-system queries. No
 * reference of its own: the endpoint's deletes the row with its system (through the system's endpoints),
 * and a second key check on every insert is PostgreSQL's work on every probe a sweep stores (the key
 * checks were a third of PostgreSQL's CPU in `bench/sweep-fleet.ts`).
 */
export const endpointSystem = () => integer('system_id').notNull();

/** A required reference to a department (`department_id` unless named). */
export const departmentRef = (name = 'department_id') => integer(name).notNull().references(() => departments.id);

/** `endpoint_id`, required, deleted with its endpoint. */
export const endpointRef = () =>
  integer('endpoint_id')
    .notNull()
    .references(() => endpoints.id, { onDelete: 'cascade' });

/** A `timestamptz` column read as a Date. */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
