import { check, index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import { apiTokens } from './auth.js';

/**
 * Web sessions, server-side so they can be ended: the cookie carries a random id, the table keeps only
 * its SHA-256. A session belongs either to a stored token (ended when the token is revoked) or to the
 * bootstrap ADMIN_TOKEN, recorded by the token's SHA-256 (ended when the process starts with another).
 */
export const webSessions = pgTable(
  'web_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    tokenId: integer('token_id').references(() => apiTokens.id, { onDelete: 'cascade' }),
    bootstrapHash: text('bootstrap_hash'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [
    index('web_sessions_token_idx').on(t.tokenId),
    index('web_sessions_expires_idx').on(t.expiresAt),
    check('web_sessions_one_origin', sql`(${t.tokenId} is null) <> (${t.bootstrapHash} is null)`),
  ],
);
