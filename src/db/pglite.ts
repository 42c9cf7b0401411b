import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, Db } from './client.js';
import { migrationsFolder } from './postgres.js';
import * as schema from './schema/index.js';

export class DataDirBusyError extends Error {
  override name = 'DataDirBusyError';
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    const where = holder.url ? ` at ${holder.url}` : '';
    super(
      `the embedded database in ${dataDir} is in use by ${holder.command} (pid ${holder.pid}${where}); ` +
        `stop it first, use the HTTP API, or set DATABASE_URL to a PostgreSQL server`,
    );
  }
}

export interface LockInfo {
  pid: number;
  command: string;
  url?: string;
  startedAt: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Only one process may open a PGlite folder: a second one would corrupt it. The lock file records
 * who holds it, so a CLI command run beside the server can say so instead of opening the data.
 */
export function acquireDataDirLock(dataDir: string, info: Omit<LockInfo, 'pid' | 'startedAt'>): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'xuncha.lock');
  const mine: LockInfo = { pid: process.pid, startedAt: new Date().toISOString(), ...info };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(file, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: LockInfo | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
      } catch {
        holder = undefined;
      }
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw new DataDirBusyError(dataDir, holder);
      rmSync(file, { force: true }); // stale lock from a process that died
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

export async function openPglite(opts: { dataDir?: string; command?: string; url?: string; migrationsFolder?: string } = {}): Promise<Database> {
  let release = () => {};
  let client: PGlite;
  if (opts.dataDir) {
    const dir = resolve(opts.dataDir);
    release = acquireDataDirLock(dir, { command: opts.command ?? 'xuncha', url: opts.url });
    try {
      client = await PGlite.create(join(dir, 'pg'));
    } catch (e) {
      release();
      throw e;
    }
  } else {
    client = await PGlite.create();
  }
  const db = drizzle(client, { schema });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    migrate: async () => (await import('drizzle-orm/pglite/migrator')).migrate(db, { migrationsFolder: opts.migrationsFolder ?? migrationsFolder() }),
    dumpDataDir: () => client.dumpDataDir('gzip'),
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}
