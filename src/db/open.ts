import type { Config } from '../config.js';
import type { Database } from './client.js';
import { openPglite } from './pglite.js';
import { connectPostgres } from './postgres.js';

/** DATABASE_URL → PostgreSQL through postgres.js; unset → PGlite under DATA_DIR. */
export async function openDatabase(config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>, command: string, url?: string): Promise<Database> {
  if (config.DATABASE_URL) return connectPostgres(config.DATABASE_URL);
  return openPglite({ dataDir: config.DATA_DIR, command, url });
}
