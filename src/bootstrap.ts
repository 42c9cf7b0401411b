import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Db } from './db/client.js';
import { createToken, hasAnyToken } from './auth/tokens.js';
import { systems } from './db/schema/index.js';

/** Where a generated bootstrap admin token is kept: `DATA_DIR/admin-token`, readable by the service's user only. */
export function adminTokenFile(dataDir: string): string {
  return resolve(join(dataDir, 'admin-token'));
}

/** Writes the token file with mode 0600 (also when it existed with wider permissions). */
export async function storeAdminToken(dataDir: string, token: string): Promise<string> {
  const file = adminTokenFile(dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/**
 * On a first start with no ADMIN_TOKEN and no token in the database, creates an admin token, hands it to
 * `store` (the token file) in the same transaction — so a token that could not be kept is not created —
 * and returns it so the caller shows it once. Returns null when nothing was created.
 */
export async function bootstrapAdminToken(
  db: Db,
  adminTokenFromEnv: string | undefined,
  store: (token: string) => Promise<unknown> = async () => {},
): Promise<string | null> {
  if (adminTokenFromEnv) return null;
  if (await hasAnyToken(db)) return null;
  return db.transaction(async (tx) => {
    const { token } = await createToken(tx, { role: 'admin', name: 'bootstrap admin' });
    await store(token);
    return token;
  });
}

export async function inventoryIsEmpty(db: Db): Promise<boolean> {
  const rows = await db.select({ one: sql<number>`1` }).from(systems).limit(1);
  return rows.length === 0;
}
