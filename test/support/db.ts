import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import { openPglite } from '../../src/db/pglite.js';
import { findImage } from '../../src/db/pglite-image.js';
import { connectPostgres, postgresClient } from '../../src/db/postgres.js';

export type Backend = 'pglite' | 'postgres';

/**
 * Database tests run on PGlite always, and also on the PostgreSQL server at TEST_DATABASE_URL when set
 * (CI starts a real PostgreSQL 15). TEST_BACKENDS=postgres limits a run to PostgreSQL.
 */
export const backends: Backend[] = (() => {
  const all: Backend[] = ['pglite', ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : [])];
  const only = process.env.TEST_BACKENDS?.split(',').map((s) => s.trim());
  return only ? all.filter((b) => only.includes(b)) : all;
})();

const builtImage = findImage();

export interface TestDatabase extends Database {
  /** Connection URL (postgres only), for tests that start extra processes on the same database. */
  url?: string;
}

/** A fresh, migrated database: in-memory PGlite, or a new database on the test server (dropped on close). */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    // From the image `npm ci` builds, when it fits the migrations (else initdb); the migrator then applies what is newer.
    const d = await openPglite({ image: builtImage });
    await d.migrate();
    return d;
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `xuncha_test_${randomBytes(6).toString('hex')}`;
  const admin = adminClient(adminUrl);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const d = connectPostgres(u.toString());
  await d.migrate();
  return {
    ...d,
    url: u.toString(),
    async close() {
      await d.close();
      const a = adminClient(adminUrl);
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

function adminClient(url: string) {
  return postgresClient(url, 1);
}
