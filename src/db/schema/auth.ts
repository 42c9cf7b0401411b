import { index, integer, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { departments } from './departments.js';
import { role } from './enums.js';

/** API bearer tokens. Only a SHA-256 of the token is stored; the token itself is shown once. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull(),
    role: role('role').notNull(),
    departmentId: integer('department_id').references(() => departments.id),
    tokenHash: text('token_hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('api_tokens_department_idx').on(t.departmentId)],
);
