import type { Config } from '../config.js';
import type { Database } from './client.js';
import type { OpenPgliteOptions } from './pglite.js';

/**
 * DATABASE_URL → PostgreSQL through postgres.js; unset → PGlite under DATA_DIR. Each driver is loaded
 * only when chosen: PGlite alone adds ~40 MB to a process (a probe worker on PostgreSQL never needs it).
 */
export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  command: string,
  url?: string,
  embedded: Pick<OpenPgliteOptions, 'onImageWarning' | 'onCreated'> = {},
): Promise<Database> {
  if (config.DATABASE_URL) return (await import('./postgres.js')).connectPostgres(config.DATABASE_URL);
  return (await import('./pglite.js')).openPglite({ dataDir: config.DATA_DIR, command, url, ...embedded });
}
