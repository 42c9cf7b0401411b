import { date, index, integer, pgTable, serial, text, type AnyPgColumn } from 'drizzle-orm/pg-core';
import { timestamps } from './columns.js';
import { departmentKind, departmentLevel } from './enums.js';

/**
 * The department tree (city → county → township → village).
 * `path` is the materialised chain of ids ("/1/7/42/") so "a department and its descendants"
 * is one indexed prefix match; it is rewritten for the whole subtree when a department moves.
 */
export const departments = pgTable(
  'departments',
  {
    id: serial('id').primaryKey(),
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    shortName: text('short_name'),
    level: departmentLevel('level').notNull(),
    kind: departmentKind('kind').notNull(),
    parentId: integer('parent_id').references((): AnyPgColumn => departments.id),
    path: text('path').notNull(),
    // A dissolved department keeps its systems' history; its successor inherits responsibility.
    dissolvedOn: date('dissolved_on', { mode: 'string' }),
    successorId: integer('successor_id').references((): AnyPgColumn => departments.id),
    version: integer('version').notNull().default(1),
    ...timestamps,
  },
  (t) => [index('departments_path_idx').using('btree', t.path.op('text_pattern_ops')), index('departments_parent_idx').on(t.parentId)],
);
