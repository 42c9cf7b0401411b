import { sql } from 'drizzle-orm';
import type { Db } from './db/client.js';
import { createToken, hasAnyToken } from './auth/tokens.js';
import { systems } from './db/schema/index.js';

/**
 * On a first start with no ADMIN_TOKEN and no token in the database, creates an admin token and
 * returns it so the caller prints it once. Returns null when nothing was created.
 */
export async function bootstrapAdminToken(db: Db, adminTokenFromEnv: string | undefined): Promise<string | null> {
  if (adminTokenFromEnv) return null;
  if (await hasAnyToken(db)) return null;
  return (await createToken(db, { role: 'admin', name: 'bootstrap admin' })).token;
}

export async function inventoryIsEmpty(db: Db): Promise<boolean> {
  const rows = await db.select({ one: sql<number>`1` }).from(systems).limit(1);
  return rows.length === 0;
}
