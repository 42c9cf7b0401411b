import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Small instance-wide settings, such as generated signing keys that must survive restarts. */
export const settings = pgTable('settings', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});
