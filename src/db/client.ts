import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type * as schema from './schema/index.js';

/** A Drizzle database or transaction: service functions accept either, so callers compose transactions. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Runs pending migrations from drizzle/. Safe to call from several processes at once on PostgreSQL. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** The embedded database's data directory as a gzipped tarball (PGlite only; for backups). */
  dumpDataDir?(): Promise<Blob>;
}
