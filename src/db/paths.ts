/** Where the database's files are: kept free of heavy imports, for the first moments of a process (src/db/image-prefetch.ts). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `DATA_DIR` when unset (src/config.ts): the embedded database lives in its `pg` folder. */
export const DEFAULT_DATA_DIR = './data';

/** The drizzle/ migrations of this installation: of the checkout, or beside the bundle of a release. */
export function migrationsFolder(): string {
  for (let dir = new URL('./', import.meta.url), i = 0; i < 4; dir = new URL('../', dir), i++) {
    const candidate = new URL('drizzle/', dir);
    if (existsSync(new URL('meta/_journal.json', candidate))) return fileURLToPath(candidate);
  }
  throw new Error('the drizzle/ migrations folder is missing from this installation');
}
