import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from './config.js';
import { sql } from 'drizzle-orm';
import type { Database } from './db/client.js';
import { migrationsFolder } from './db/paths.js';
import { postgresClient } from './db/postgres.js';
import { rowsOf } from './db/sql.js';
import { packageVersion } from './version.js';

/**
 * `xuncha backup` / `xuncha restore`: PostgreSQL's own pg_dump/pg_restore (custom format) where
 * DATABASE_URL is set, PGlite's data-directory dump for the embedded database. The file starts with a
 * line `xuncha-backup/1` and a JSON header (backend, schema, size and SHA-256 of what follows), so a
 * restore refuses a non-backup, a truncated or damaged file, a file from a newer schema or from the
 * other backend before anything is touched.
 */
export const BACKUP_MAGIC = 'xuncha-backup/1';

export interface BackupHeader {
  backend: 'pglite' | 'postgres';
  /** Migrations applied in the database that was backed up, and the last one's tag. */
  schema: { migrations: number; latest: string | null };
  createdAt: string;
  xunchaVersion: string;
  bytes: number;
  sha256: string;
}

/** Refusals are one line each: what is wrong with the file, and that nothing was changed. */
export class BackupError extends Error {
  override name = 'BackupError';
}

function journalTags(): string[] {
  const journal = JSON.parse(readFileSync(join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
  return journal.entries.map((e) => e.tag);
}

export function encodeBackup(header: Omit<BackupHeader, 'bytes' | 'sha256'>, payload: Uint8Array): Buffer {
  const full: BackupHeader = { ...header, bytes: payload.length, sha256: createHash('sha256').update(payload).digest('hex') };
  return Buffer.concat([Buffer.from(`${BACKUP_MAGIC}\n${JSON.stringify(full)}\n`), payload]);
}

/** Checks a backup file completely; returns its header and payload, or throws a BackupError. */
export function decodeBackup(file: string, bytes: Buffer, knownMigrations = journalTags().length): { header: BackupHeader; payload: Buffer } {
  const first = bytes.indexOf(0x0a);
  if (first < 0 || bytes.subarray(0, first).toString('latin1') !== BACKUP_MAGIC) throw new BackupError(`${file} is not a Xuncha backup; nothing was changed`);
  const second = bytes.indexOf(0x0a, first + 1);
  let header: BackupHeader;
  try {
    if (second < 0) throw new Error('no header');
    header = JSON.parse(bytes.subarray(first + 1, second).toString('utf8')) as BackupHeader;
    if ((header.backend !== 'pglite' && header.backend !== 'postgres') || !Number.isInteger(header.bytes) || typeof header.sha256 !== 'string' || !Number.isInteger(header.schema?.migrations)) throw new Error('bad header');
  } catch {
    throw new BackupError(`${file} is a damaged Xuncha backup (its header cannot be read); nothing was changed`);
  }
  const payload = bytes.subarray(second + 1);
  if (payload.length < header.bytes) throw new BackupError(`${file} is truncated (${payload.length} of ${header.bytes} bytes); nothing was changed`);
  if (payload.length > header.bytes || createHash('sha256').update(payload).digest('hex') !== header.sha256) {
    throw new BackupError(`${file} is damaged (its checksum does not match); nothing was changed`);
  }
  if (header.schema.migrations > knownMigrations) {
    throw new BackupError(
      `${file} comes from a newer Xuncha (schema ${header.schema.migrations}${header.schema.latest ? `, ${header.schema.latest}` : ''}; this one knows ${knownMigrations}): upgrade Xuncha first; nothing was changed`,
    );
  }
  return { header, payload };
}

function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Buffer> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(new BackupError(e.code === 'ENOENT' ? `${cmd} is not installed (PostgreSQL's client tools, e.g. the postgresql-client package)` : `${cmd}: ${e.message}`)),
    );
    child.on('exit', (code) => {
      if (code === 0) resolveRun(Buffer.concat(out));
      else reject(new BackupError(`${cmd} failed: ${err.trim().split('\n').filter(Boolean).at(-1) ?? `exit ${code}`}`));
    });
  });
}

interface Applied {
  migrations: number;
  latest: string | null;
}

/** Migrations applied, from drizzle's own table (matched to our journal by order). */
function appliedFrom(count: number): Applied {
  const tags = journalTags();
  return { migrations: count, latest: tags[count - 1] ?? null };
}

const MIGRATIONS_COUNT = 'select count(*)::int as n from drizzle.__drizzle_migrations';
const TABLES_COUNT = "select count(*)::int as n from information_schema.tables where table_schema in ('public', 'drizzle')";

function headerOf(backend: BackupHeader['backend'], migrations: number): Omit<BackupHeader, 'bytes' | 'sha256'> {
  return { backend, schema: appliedFrom(migrations), createdAt: new Date().toISOString(), xunchaVersion: packageVersion() };
}

async function encodePglite(migrations: number, dump: Blob): Promise<Buffer> {
  return encodeBackup(headerOf('pglite', migrations), new Uint8Array(await dump.arrayBuffer()));
}

async function pgliteBackup(config: Pick<Config, 'DATA_DIR'>): Promise<Buffer> {
  const { openPglite } = await import('./db/pglite.js');
  const dir = resolve(config.DATA_DIR);
  if (!existsSync(join(dir, 'pg', 'PG_VERSION'))) throw new BackupError(`there is no embedded database in ${dir} to back up`);
  // openPglite, not PGlite itself: it holds the lock, and a data dir whose template databases a stopped
  // start still owed gets them before it is dumped.
  const database = await openPglite({ dataDir: dir, command: 'xuncha backup' });
  try {
    const migrations = await database.db.execute(sql.raw(MIGRATIONS_COUNT)).then((r) => rowsOf<{ n: number }>(r)[0]?.n ?? 0, () => 0);
    return await encodePglite(migrations, await database.dumpDataDir!());
  } finally {
    await database.close();
  }
}

/** One `count(*)::int as n` on a short-lived one-connection client. */
async function postgresCount(url: string, query: string): Promise<number> {
  const client = postgresClient(url, 1);
  try {
    const [r] = await client.unsafe<Array<{ n: number }>>(query);
    return r!.n;
  } finally {
    await client.end({ timeout: 5 });
  }
}

async function postgresBackup(url: string): Promise<Buffer> {
  const migrations = await postgresCount(url, MIGRATIONS_COUNT).catch(() => 0);
  const dump = await run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--dbname=${url}`]);
  return encodeBackup(headerOf('postgres', migrations), dump);
}

/** A backup from a database this process already has open (the server's BACKUP_CRON). */
export async function backupOpenDatabase(database: Database, config: Pick<Config, 'DATABASE_URL'>): Promise<Buffer> {
  if (database.kind === 'postgres') return postgresBackup(config.DATABASE_URL!);
  if (!database.dumpDataDir) throw new BackupError('this embedded database cannot be dumped');
  const [r] = rowsOf<{ n: number }>(await database.db.execute(sql.raw(MIGRATIONS_COUNT)));
  return encodePglite(r?.n ?? 0, await database.dumpDataDir());
}

/** The whole database as one backup file's bytes. */
export async function createBackup(config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>): Promise<Buffer> {
  return config.DATABASE_URL ? postgresBackup(config.DATABASE_URL) : pgliteBackup(config);
}

export interface RestoreResult {
  backend: 'pglite' | 'postgres';
  header: BackupHeader;
  /** Where the replaced embedded database was kept (with --force). */
  keptAs?: string;
}

/**
 * Restores a backup file into the configured database. The file is checked whole first. A database
 * that already holds data is replaced only with `force` (PGlite: the old folder is kept beside it;
 * PostgreSQL: pg_restore --clean in one transaction, so a failure leaves it as it was).
 */
export async function restoreBackup(config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>, file: string, bytes: Buffer, opts: { force?: boolean } = {}): Promise<RestoreResult> {
  const { header, payload } = decodeBackup(file, bytes);
  const target = config.DATABASE_URL ? 'postgres' : 'pglite';
  if (header.backend !== target) {
    throw new BackupError(
      `${file} is a ${header.backend === 'pglite' ? 'backup of the embedded database' : 'PostgreSQL backup'} and cannot be restored into ${target === 'pglite' ? 'the embedded database' : 'PostgreSQL'} (move data between them with xuncha export and import); nothing was changed`,
    );
  }
  if (config.DATABASE_URL) {
    if (!opts.force && (await postgresCount(config.DATABASE_URL, TABLES_COUNT)) > 0) throw new BackupError('the database already has tables: restore into an empty database, or give --force to replace it; nothing was changed');
    const tmp = join(tmpdir(), `xuncha-restore-${process.pid}-${Date.now()}.dump`);
    await writeFile(tmp, payload, { mode: 0o600 });
    try {
      await run('pg_restore', ['--single-transaction', '--exit-on-error', '--no-owner', '--no-privileges', ...(opts.force ? ['--clean', '--if-exists'] : []), `--dbname=${config.DATABASE_URL}`, tmp]);
    } finally {
      await rm(tmp, { force: true });
    }
    return { backend: 'postgres', header };
  }
  const { acquireDataDirLock } = await import('./db/pglite.js');
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = resolve(config.DATA_DIR);
  const release = acquireDataDirLock(dir, { command: 'xuncha restore' });
  try {
    const live = join(dir, 'pg');
    const exists = existsSync(join(live, 'PG_VERSION'));
    if (exists && !opts.force) throw new BackupError(`${dir} already holds a database: restore into an empty DATA_DIR, or give --force to replace it (the old one is kept beside it); nothing was changed`);
    // Unpacked and opened beside the live folder first; only a database that opens replaces it.
    const staging = join(dir, `pg.restoring-${process.pid}`);
    await rm(staging, { recursive: true, force: true });
    try {
      const client = await PGlite.create(staging, { loadDataDir: new Blob([new Uint8Array(payload)]) });
      await client.query('select 1');
      await client.close();
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      throw new BackupError(`${file} could not be unpacked (${(e as Error).message}); nothing was changed`);
    }
    let keptAs: string | undefined;
    if (existsSync(live)) {
      keptAs = join(dir, `pg.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      await rename(live, keptAs);
    }
    await rename(staging, live);
    return { backend: 'pglite', header, ...(keptAs ? { keptAs } : {}) };
  } finally {
    release();
  }
}

/** Name of a scheduled backup; sorts by time. */
export function backupFileName(at: Date): string {
  return `xuncha-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}.backup`;
}

/** Writes a scheduled backup into `dir` and keeps the newest `keep` of them. Returns the new file. */
export async function writeScheduledBackup(bytes: Buffer, dir: string, keep: number, at: Date): Promise<{ file: string; removed: string[] }> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, backupFileName(at));
  await writeFile(`${file}.tmp`, bytes, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  const ours = (await readdir(dir)).filter((n) => /^xuncha-\d{8}T\d{6}Z\.backup$/.test(n)).sort();
  const removed = ours.slice(0, Math.max(0, ours.length - keep));
  for (const n of removed) await rm(join(dir, n), { force: true });
  return { file, removed: removed.map((n) => join(dir, n)) };
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
