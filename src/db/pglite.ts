import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, Db } from './client.js';
import { takeImagePrefetch } from './image-prefetch.js';
import { findImage, imageBytes, pendingFolders, pglitePackageDir, placeImage, unpackImage, type ImageFiles } from './pglite-image.js';
import { migrationsFolder } from './paths.js';
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

export interface OpenPgliteOptions {
  /** Folder of the database (`DATA_DIR`); without it, an in-memory database (tests). */
  dataDir?: string;
  command?: string;
  url?: string;
  migrationsFolder?: string;
  /**
   * The pre-initialised image (src/db/pglite-image.ts) a fresh data dir starts from: default, the one
   * built into dist/; `false` runs initdb instead. An in-memory database runs initdb unless given one
   * (the tests' databases: loading the image costs ~1 s of CPU, initdb and the migrations ~3.5 s).
   */
  image?: ImageFiles | false;
  /**
   * Told, in one line, when a fresh data dir could not start from the image and ran initdb instead, or
   * when the image's template databases could not be laid out after the start.
   */
  onImageWarning?: (message: string) => void;
  /** Told which way a fresh data dir was made (tests and start-up phases). */
  onCreated?: (how: 'image' | 'initdb' | 'existing') => void;
}

export async function openPglite(opts: OpenPgliteOptions = {}): Promise<Database> {
  let release = () => {};
  let client: PGlite;
  /** The image's template databases being laid out after the start (see pglite-image.ts); settled, never rejected. */
  let owed: Promise<void> = Promise.resolve();
  const folder = opts.migrationsFolder ?? migrationsFolder();
  if (opts.dataDir) {
    const dir = resolve(opts.dataDir);
    release = acquireDataDirLock(dir, { command: opts.command ?? 'xuncha', url: opts.url });
    try {
      const pg = join(dir, 'pg');
      // PGlite's 9 MB of wasm compiles on V8's background threads while this thread lays out the image.
      const artifacts = compilePglite();
      let how: 'image' | 'initdb' | 'existing' = 'existing';
      let later: (() => Promise<void>) | undefined;
      if (!existsSync(join(pg, 'PG_VERSION'))) {
        later = await startFromImage(pg, opts, folder);
        how = later ? 'image' : 'initdb';
      } else {
        const pending = await pendingFolders(opts.image === false ? undefined : (opts.image ?? findImage()), pg, folder);
        if (pending && 'problem' in pending) opts.onImageWarning?.(pending.problem);
        else if (pending) later = pending.lay;
      }
      client = await PGlite.create(pg, await artifacts);
      if (later) owed = later().catch((e: unknown) => opts.onImageWarning?.(`the template databases of the embedded database could not be laid out (${(e as Error).message}); the next start tries again`));
      opts.onCreated?.(how);
    } catch (e) {
      release();
      throw e;
    }
  } else {
    client = await PGlite.create({ ...(await compilePglite()), ...memoryImage(opts, folder) });
  }
  const db = drizzle(client, { schema });
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    migrate: async () => (await import('drizzle-orm/pglite/migrator')).migrate(db, { migrationsFolder: folder }),
    // A backup holds the whole data dir, the template databases included.
    dumpDataDir: async () => (await owed, client.dumpDataDir('gzip')),
    async close() {
      try {
        await owed;
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/**
 * PGlite's wasm module and file-system bundle, read at once and compiling in the background, for
 * PGlite.create; PGlite reads and compiles them itself when they cannot be found here. Kept for the
 * process: a module instantiates any number of databases (tests open many).
 */
let compiled: Promise<{ pgliteWasmModule?: WebAssembly.Module; fsBundle?: Blob }> | undefined;
function compilePglite(): Promise<{ pgliteWasmModule?: WebAssembly.Module; fsBundle?: Blob }> {
  return (compiled ??= compileOnce());
}
async function compileOnce(): Promise<{ pgliteWasmModule?: WebAssembly.Module; fsBundle?: Blob }> {
  try {
    const dir = pglitePackageDir();
    const wasm = WebAssembly.compile(readFileSync(join(dir, 'dist', 'pglite.wasm')));
    const fsBundle = new Blob([readFileSync(join(dir, 'dist', 'pglite.data'))]);
    return { pgliteWasmModule: await wasm, fsBundle };
  } catch {
    return {};
  }
}

/** Checked image tarballs by path, size and times (tests open many in-memory databases from one image). */
const checkedImages = new Map<string, Blob>();

/** An in-memory database's start from the image it was given, if that fits this code (else initdb, with one line to onImageWarning). */
function memoryImage(opts: OpenPgliteOptions, folder: string): { loadDataDir?: Blob } {
  if (!opts.image) return {};
  try {
    const [tarball, manifest] = [statSync(opts.image.tarball), statSync(opts.image.manifest)];
    const key = `${opts.image.tarball}|${tarball.size}|${tarball.mtimeMs}|${manifest.mtimeMs}|${folder}`;
    let blob = checkedImages.get(key);
    if (!blob) checkedImages.set(key, (blob = new Blob([new Uint8Array(imageBytes(opts.image, folder).bytes)])));
    return { loadDataDir: blob };
  } catch (e) {
    opts.onImageWarning?.(`the pre-initialised database image ${opts.image.tarball} cannot be used (${(e as Error).message}): creating the in-memory database with initdb`);
    return {};
  }
}

/**
 * Lays the image into an empty data dir, all but its deferred folders: returns the work that lays those,
 * or undefined (after one line to onImageWarning) when there is no usable image: PGlite then runs
 * initdb, as it always did. A folder left without PG_VERSION (initdb killed halfway) is set aside
 * first, so neither path builds on a half database.
 */
async function startFromImage(pg: string, opts: OpenPgliteOptions, folder: string): Promise<(() => Promise<void>) | undefined> {
  // What serve's image thread laid out from the process's first moment (image-prefetch.ts), if anything.
  const early = takeImagePrefetch(pg);
  removeStaleStaging(pg);
  if (existsSync(pg)) {
    if (readdirSync(pg).length === 0) rmSync(pg, { recursive: true });
    else renameSync(pg, `${pg}.incomplete-${Date.now()}`);
  }
  if (opts.image === false || (opts.image && early)) early?.abandon();
  if (opts.image === false) return undefined;
  if (early && !opts.image) {
    try {
      const { manifest, staging, owed } = await early.laid();
      placeImage(staging, pg, manifest, owed);
      return owed ? early.layDeferred : async () => {};
    } catch {
      // Laid out again below, in this thread: that reports the reason, or succeeds.
    }
  }
  const files = opts.image ?? findImage();
  if (!files) {
    opts.onImageWarning?.('no pre-initialised database image was built (npm run build makes dist/pglite-image.tar.gz): creating the embedded database with initdb, which takes longer');
    return undefined;
  }
  try {
    return (await unpackImage(files, pg, folder, { defer: true })).layDeferred;
  } catch (e) {
    opts.onImageWarning?.(`the pre-initialised database image ${files.tarball} cannot be used (${(e as Error).message}): creating the embedded database with initdb, which takes longer`);
    return undefined;
  }
}

/** Staging folders (`pg.unpacking-PID`) that processes which have since died left beside the data dir. */
function removeStaleStaging(pg: string): void {
  const parent = dirname(pg);
  const prefix = `${basename(pg)}.unpacking-`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length));
    if (Number.isInteger(pid) && pid !== process.pid && !isAlive(pid)) rmSync(join(parent, name), { recursive: true, force: true });
  }
}
