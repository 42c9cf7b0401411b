import { bigint, pgTable, smallint } from 'drizzle-orm/pg-core';

/**
 * One row (id 1): a counter that every committed write to systems, endpoints or departments bumps
 * (triggers in the migration `inventory_version_triggers`, so writes from any process or a psql
 * session count). Rendered list pages are cached keyed by it.
 */
export const inventoryVersion = pgTable('inventory_version', {
  id: smallint('id').primaryKey(),
  version: bigint('version', { mode: 'number' }).notNull(),
});
