import { integer, timestamp } from 'drizzle-orm/pg-core';
import { departments } from './departments.js';
import { endpoints, systems } from './systems.js';

// Column builders the tables share. Functions, so each table gets its own builder.

/** `system_id`, required, deleted with its system. */
export const systemRef = () =>
  integer('system_id')
    .notNull()
    .references(() => systems.id, { onDelete: 'cascade' });

/** A required reference to a department (`department_id` unless named). */
export const departmentRef = (name = 'department_id') => integer(name).notNull().references(() => departments.id);

/** `endpoint_id`, required, deleted with its endpoint. */
export const endpointRef = () =>
  integer('endpoint_id')
    .notNull()
    .references(() => endpoints.id, { onDelete: 'cascade' });

/** A `timestamptz` column read as a Date. */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
