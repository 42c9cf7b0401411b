/**
 * The pre-initialised embedded database ("the image"): initdb and every migration of drizzle/ run once
 * at build time (`npm ci` → scripts/build.mjs → dist/pglite-image.tar.gz), not at every first start.
 * initdb costs PGlite ~5–9 s of CPU; laying out the image well under a second.
 *
 * The image is a tarball of a data dir PGlite closed cleanly (so the first start does no crash
 * recovery), with a manifest beside it (`pglite-image.json`) that records the PGlite version and the
 * migrations (drizzle's `when` and sha256 of each file) the image holds. A start on an empty DATA_DIR
 * uses it only when the PGlite version is the installed one and its migrations are a prefix of the
 * code's; the migrator then runs as always, applying only what is newer than the image (a no-op when
 * the image is current).
 *
 * About half of the image's ~1,240 files are the template databases (template0, template1) that
 * PostgreSQL keeps for CREATE DATABASE, which xuncha never runs. Creating a file is the dear part of
 * laying out the image (0.6–1.5 ms each on the benchmark machine's ext4), so a start lays out the
 * database it opens first and the templates (the manifest's `deferred` folders) after PGlite is up,
 * without holding up the event loop (serve's image thread does it, src/db/image-prefetch.ts); a marker file beside the data dir (`pendingMarker`) says they are still owed, so a start killed
 * in between finishes them next time, and backups and close wait for them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { readMigrationFiles } from 'drizzle-orm/migrator';

export const IMAGE_FORMAT = 2;

export interface ImageManifest {
  format: number;
  pglite: string;
  /** sha256 of the tarball: a truncated or altered file is refused before it is unpacked. */
  sha256: string;
  migrations: Array<{ when: number; hash: string }>;
  /** Folders of the data dir (`base/OID` of the template databases) a start may lay out after the database is open. */
  deferred: string[];
}

export interface ImageFiles {
  manifest: string;
  tarball: string;
}

/** The image files beside a manifest path (`…/pglite-image.json` → `…/pglite-image.tar.gz`). */
export function imageFiles(manifest: string): ImageFiles {
  return { manifest, tarball: manifest.replace(/\.json$/, '.tar.gz') };
}

/**
 * Where the built image is: dist/ of a source checkout (from src/db/ or dist/chunks/), or beside the
 * bundle of a release (app/). Undefined when none was built.
 */
export function findImage(): ImageFiles | undefined {
  for (let dir = new URL('./', import.meta.url), i = 0; i < 4; dir = new URL('../', dir), i++) {
    for (const rel of ['pglite-image.json', 'dist/pglite-image.json']) {
      const candidate = fileURLToPath(new URL(rel, dir));
      if (existsSync(candidate)) return imageFiles(candidate);
    }
  }
  return undefined;
}

/**
 * The installed PGlite's version (a data dir is only opened by the PGlite that wrote it), from the
 * node_modules nearest this module: of the checkout, or app/node_modules of a release.
 */
export function pgliteVersion(): string {
  const pkg = JSON.parse(readFileSync(join(pglitePackageDir(), 'package.json'), 'utf8')) as { version?: string };
  if (!pkg.version) throw new Error('the version of @electric-sql/pglite could not be read');
  return pkg.version;
}

/** The installed @electric-sql/pglite folder nearest this module (of the checkout, or app/node_modules of a release). */
export function pglitePackageDir(): string {
  for (let dir = new URL('./', import.meta.url), i = 0; i < 5; dir = new URL('../', dir), i++) {
    const folder = fileURLToPath(new URL('node_modules/@electric-sql/pglite/', dir));
    if (existsSync(join(folder, 'package.json'))) return folder;
  }
  throw new Error('@electric-sql/pglite could not be found');
}

export function codeMigrations(migrationsFolder: string): ImageManifest['migrations'] {
  return readMigrationFiles({ migrationsFolder }).map((m) => ({ when: m.folderMillis, hash: m.hash }));
}

/**
 * Why an image may not be used for this code, or undefined when it may. An image older than the code
 * (a prefix of its migrations) is fine: the migrator applies the rest.
 */
export function imageMismatch(manifest: ImageManifest, code: ImageManifest['migrations'], pglite: string): string | undefined {
  if (manifest.format !== IMAGE_FORMAT) return `image format ${manifest.format} is not ${IMAGE_FORMAT}`;
  if (manifest.pglite !== pglite) return `image was made by PGlite ${manifest.pglite}, this is ${pglite}`;
  if (!Array.isArray(manifest.migrations) || manifest.migrations.length > code.length) return 'image holds migrations this code does not have';
  for (let i = 0; i < manifest.migrations.length; i++) {
    const a = manifest.migrations[i]!;
    const b = code[i]!;
    if (a.when !== b.when || a.hash !== b.hash) return `image's migration ${i} differs from drizzle/`;
  }
  return undefined;
}

export function readManifest(files: ImageFiles): ImageManifest {
  return JSON.parse(readFileSync(files.manifest, 'utf8')) as ImageManifest;
}

/** True when the image at `files` was made from exactly these migrations by this PGlite (the build can skip it). */
export function imageIsCurrent(files: ImageFiles, migrationsFolder: string): boolean {
  try {
    const manifest = readManifest(files);
    return existsSync(files.tarball) && manifest.migrations.length === codeMigrations(migrationsFolder).length && imageMismatch(manifest, codeMigrations(migrationsFolder), pgliteVersion()) === undefined;
  } catch {
    return false;
  }
}

/**
 * Makes the image: a fresh PGlite in a temporary folder, every migration of `migrationsFolder`, a clean
 * shutdown, and the folder tarred. Written to temporary names and renamed, so a build stopped halfway
 * leaves no half image behind.
 */
export async function buildImage(files: ImageFiles, migrationsFolder: string): Promise<ImageManifest> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const { createTar } = await import('nanotar');
  const work = mkdtempSync(join(tmpdir(), 'xuncha-image-'));
  let tarball: Buffer;
  let deferred: string[];
  try {
    const pg = join(work, 'pg');
    const client = await PGlite.create(pg);
    let own: number;
    try {
      await migrate(drizzle(client), { migrationsFolder });
      own = (await client.query<{ oid: number }>('select oid::int as oid from pg_database where datname = current_database()')).rows[0]!.oid;
    } finally {
      await client.close();
    }
    deferred = readdirSync(join(pg, 'base'))
      .filter((name) => name !== String(own))
      .map((name) => `base/${name}`);
    const entries: Array<{ name: string; data?: Uint8Array }> = [];
    const walk = (rel: string) => {
      for (const name of readdirSync(join(pg, rel)).sort()) {
        const path = rel ? `${rel}/${name}` : name;
        const st = statSync(join(pg, path));
        if (st.isDirectory()) {
          entries.push({ name: `${path}/` });
          walk(path);
        } else if (st.isFile()) entries.push({ name: path, data: readFileSync(join(pg, path)) });
        else throw new Error(`the built data dir holds ${path}, neither a file nor a folder`);
      }
    };
    walk('');
    tarball = gzipSync(createTar(entries, { attrs: { mtime: 0, uid: 0, gid: 0 } }), { level: 9 });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const manifest: ImageManifest = {
    format: IMAGE_FORMAT,
    pglite: pgliteVersion(),
    sha256: createHash('sha256').update(tarball).digest('hex'),
    migrations: codeMigrations(migrationsFolder),
    deferred,
  };
  mkdirSync(dirname(files.manifest), { recursive: true });
  writeFileSync(`${files.tarball}.tmp`, tarball);
  writeFileSync(`${files.manifest}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${files.tarball}.tmp`, files.tarball);
  renameSync(`${files.manifest}.tmp`, files.manifest);
  return manifest;
}

export interface TarItem {
  name: string;
  type?: string;
  data?: Uint8Array;
}

export interface UnpackedImage {
  manifest: ImageManifest;
  /**
   * Lays out the deferred folders (a no-op when nothing was deferred): each into a staging folder
   * renamed into place, one file between turns of the event loop, so it keeps serving; then removes
   * the marker. Rejects with the reason; the marker stays, and the next start tries again.
   */
  layDeferred(): Promise<void>;
}

/** The marker beside a data dir (`…/pg` → `…/pg.deferred.json`) that says which of the image's folders are still owed. */
export const pendingMarker = (target: string) => `${target}.deferred.json`;

interface PendingMarker {
  sha256: string;
  folders: string[];
}

/** The sha256-checked tarball of an image that fits this code (gzipped); throws with the reason otherwise. */
export function imageBytes(files: ImageFiles, migrationsFolder: string): { manifest: ImageManifest; bytes: Buffer } {
  const manifest = readManifest(files);
  const why = imageMismatch(manifest, codeMigrations(migrationsFolder), pgliteVersion());
  if (why) throw new Error(why);
  const bytes = readFileSync(files.tarball);
  if (createHash('sha256').update(bytes).digest('hex') !== manifest.sha256) throw new Error(`${files.tarball} does not match its manifest (damaged or replaced)`);
  return { manifest, bytes };
}

/** The sha256-checked, parsed tarball of an image that fits this code; throws with the reason otherwise. */
export async function openImage(files: ImageFiles, migrationsFolder: string): Promise<{ manifest: ImageManifest; items: TarItem[] }> {
  const { manifest, bytes } = imageBytes(files, migrationsFolder);
  const { parseTar } = await import('nanotar');
  return { manifest, items: parseTar(gunzipSync(bytes)) as TarItem[] };
}

/** Where an entry lands under `root`; nothing may land outside it (PGlite's own dumps have absolute names). */
function entryPath(files: ImageFiles, root: string, item: TarItem): string {
  const path = resolve(root, `.${sep}${item.name}`);
  if (path !== root && !path.startsWith(root + sep)) throw new Error(`${files.tarball} has an entry outside the data dir: ${item.name}`);
  if (item.type !== 'directory' && item.type !== 'file') throw new Error(`${files.tarball} has an entry of type ${item.type ?? '?'}: ${item.name}`);
  return path;
}

/** An entry's path inside the data dir, without the leading or trailing slashes tarballs may give it. */
const relativeName = (name: string) => name.replace(/^\/+/, '').replace(/\/+$/, '');

/** The top folder of `deferred` an entry belongs to, if any. */
function deferredFolder(name: string, deferred: readonly string[]): string | undefined {
  const rel = relativeName(name);
  return deferred.find((d) => rel === d || rel.startsWith(`${d}/`));
}

/** The folder beside `target` a process lays the image into before renaming it into place. */
export const stagingFor = (target: string, pid = process.pid) => `${target}.unpacking-${pid}`;

/**
 * Lays the image's entries into `staging` (made afresh), all but those of the `deferred` folders, which
 * are returned for `layFolders`. Synchronous calls: the cost is creating the files, and PGlite's
 * `loadDataDir` (each file written through the wasm file system) and node-tar's streams cost more.
 * Throws, with `staging` removed, when an entry is foreign, no data dir results, or `stopped` says so.
 */
export function layImage(files: ImageFiles, items: TarItem[], staging: string, deferred: readonly string[], stopped: () => boolean = () => false): TarItem[] {
  const later: TarItem[] = [];
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const made = new Set<string>([staging]);
    for (const item of items) {
      if (stopped()) throw new Error('stopped before the image was laid out');
      const path = entryPath(files, staging, item);
      if (deferredFolder(item.name, deferred)) later.push(item);
      else layEntrySync(item, path, made);
    }
    if (!existsSync(join(staging, 'PG_VERSION'))) throw new Error(`${files.tarball} holds no PostgreSQL data dir`);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return later;
}

/**
 * Moves a laid-out `staging` folder to `target`; with folders still owed, the marker that says so is
 * written first. Called under the data dir's lock.
 */
export function placeImage(staging: string, target: string, manifest: ImageManifest, owed: boolean): void {
  if (owed) writeFileSync(pendingMarker(target), JSON.stringify({ sha256: manifest.sha256, folders: manifest.deferred } satisfies PendingMarker), { mode: 0o600 });
  try {
    renameSync(staging, target);
  } catch (e) {
    rmSync(pendingMarker(target), { force: true });
    throw e;
  }
}

/**
 * Unpacks the image into `target` (which must not exist) when it fits this code; throws with the
 * reason otherwise. Laid out beside the target and renamed into place: a start killed halfway leaves
 * no half database that a later start would take for a real one. With `defer`, the manifest's
 * deferred folders are left for `layDeferred` (see the top of this file); a marker says they are owed.
 */
export async function unpackImage(files: ImageFiles, target: string, migrationsFolder: string, opts: { defer?: boolean } = {}): Promise<UnpackedImage> {
  const { manifest, items } = await openImage(files, migrationsFolder);
  const deferred = opts.defer ? manifest.deferred : [];
  const staging = stagingFor(target);
  const later = layImage(files, items, staging, deferred);
  placeImage(staging, target, manifest, later.length > 0);
  return { manifest, layDeferred: () => (later.length ? layFolders(files, target, later, deferred) : Promise.resolve()) };
}

/** Nothing readable by other users, as PostgreSQL wants its data dir (0700 folders, 0600 files). */
function layEntrySync(item: TarItem, path: string, made: Set<string>): void {
  if (item.type === 'directory') {
    if (!made.has(path)) mkdirSync(path, { recursive: true, mode: 0o700 });
    made.add(path);
    return;
  }
  const folder = dirname(path);
  if (!made.has(folder)) mkdirSync(folder, { recursive: true, mode: 0o700 });
  made.add(folder);
  writeFileSync(path, item.data ?? new Uint8Array(0), { mode: 0o600 });
}

/** Writes the deferred folders' entries, each folder staged and renamed into place, then drops the marker. */
export async function layFolders(files: ImageFiles, target: string, items: TarItem[], folders: readonly string[]): Promise<void> {
  for (const folder of folders) {
    const final = join(target, folder);
    if (existsSync(final)) continue; // laid by an earlier start
    const staging = stagingFor(final);
    // What a start stopped halfway through this folder left (under the lock: no one else is writing it).
    for (const name of readdirSync(dirname(final))) {
      if (name.startsWith(`${basename(final)}.unpacking-`)) await rm(join(dirname(final), name), { recursive: true, force: true });
    }
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const made = new Set<string>([staging]);
    try {
      for (const item of items) {
        if (!deferredFolder(item.name, [folder])) continue;
        layEntrySync(item, entryPath(files, staging, { ...item, name: relativeName(item.name).slice(folder.length) || '.' }), made);
        // One file at a time between the event loop's turns: a server on this thread keeps answering.
        await new Promise((resolveTurn) => setImmediate(resolveTurn));
      }
      renameSync(staging, final);
    } catch (e) {
      await rm(staging, { recursive: true, force: true });
      throw e;
    }
  }
  await rm(pendingMarker(target), { force: true });
}

/**
 * A data dir whose marker says folders are still owed (a start was stopped before it laid them): the
 * work to finish it from the same image, or the reason it cannot be finished. Undefined when nothing is owed.
 */
export async function pendingFolders(files: ImageFiles | undefined, target: string, migrationsFolder: string): Promise<{ lay(): Promise<void> } | { problem: string } | undefined> {
  const marker = pendingMarker(target);
  if (!existsSync(marker)) return undefined;
  let pending: PendingMarker;
  try {
    pending = JSON.parse(readFileSync(marker, 'utf8')) as PendingMarker;
  } catch (e) {
    return { problem: `${marker} cannot be read (${(e as Error).message})` };
  }
  const owed = pending.folders.filter((f) => !existsSync(join(target, f)));
  if (!owed.length) {
    rmSync(marker, { force: true });
    return undefined;
  }
  if (!files) return { problem: `the template databases (${owed.join(', ')}) of ${target} were never laid out and no image is built to finish them` };
  return {
    async lay() {
      const { manifest, items } = await openImage(files, migrationsFolder);
      if (manifest.sha256 !== pending.sha256) throw new Error(`the template databases (${owed.join(', ')}) of ${target} were never laid out, and the image that would finish them is not the one the data dir came from`);
      await layFolders(files, target, items.filter((item) => deferredFolder(item.name, owed)), owed);
    },
  };
}
