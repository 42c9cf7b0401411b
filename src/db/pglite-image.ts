/**
 * The pre-initialised embedded database ("the image"): initdb and every migration of drizzle/ run once
 * at build time (`npm ci` → scripts/build.mjs → dist/pglite-image.tar.gz), not at every first start.
 * initdb costs PGlite ~5–9 s of CPU; unpacking the image ~0.8 s (resuming PGlite then ~0.9 s, as at any start).
 *
 * The image is PGlite's own `dumpDataDir('gzip')` tarball with a manifest beside it
 * (`pglite-image.json`) that records the PGlite version and the migrations (drizzle's `when` and
 * sha256 of each file) the image holds. A start on an empty DATA_DIR uses it only when the PGlite
 * version is the installed one and its migrations are a prefix of the code's; the migrator then runs
 * as always, applying only what is newer than the image (a no-op when the image is current).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readMigrationFiles } from 'drizzle-orm/migrator';

export const IMAGE_FORMAT = 1;

export interface ImageManifest {
  format: number;
  pglite: string;
  /** sha256 of the tarball: a truncated or altered file is refused before it is unpacked. */
  sha256: string;
  migrations: Array<{ when: number; hash: string }>;
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
 * Makes the image: a fresh in-memory PGlite, every migration of `migrationsFolder`, a checkpoint, and
 * the data dir dumped. Written to temporary names and renamed, so a build stopped halfway leaves no
 * half image behind.
 */
export async function buildImage(files: ImageFiles, migrationsFolder: string): Promise<ImageManifest> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const client = await PGlite.create();
  let tarball: Buffer;
  try {
    await migrate(drizzle(client), { migrationsFolder });
    await client.exec('CHECKPOINT');
    tarball = Buffer.from(await (await client.dumpDataDir('gzip')).arrayBuffer());
  } finally {
    await client.close();
  }
  const manifest: ImageManifest = {
    format: IMAGE_FORMAT,
    pglite: pgliteVersion(),
    sha256: createHash('sha256').update(tarball).digest('hex'),
    migrations: codeMigrations(migrationsFolder),
  };
  mkdirSync(dirname(files.manifest), { recursive: true });
  writeFileSync(`${files.tarball}.tmp`, tarball);
  writeFileSync(`${files.manifest}.tmp`, `${JSON.stringify(manifest, null, 2)}\n`);
  renameSync(`${files.tarball}.tmp`, files.tarball);
  renameSync(`${files.manifest}.tmp`, files.manifest);
  return manifest;
}

/**
 * Unpacks the image into `target` (which must not exist) when it fits this code; throws with the
 * reason otherwise. Unpacked natively beside the target and renamed into place: a start killed
 * halfway leaves no half database that a later start would take for a real one. Unpacked here with
 * synchronous writes (the cost is the ~1,200 files, 41 MB, mostly the file system's): cheaper than
 * PGlite's `loadDataDir`, which writes each file through the wasm file system (~2.1 vs ~0.8 s CPU),
 * and than node-tar's streams (~1.1–1.8 s CPU) on this machine.
 */
export async function unpackImage(files: ImageFiles, target: string, migrationsFolder: string): Promise<ImageManifest> {
  const manifest = readManifest(files);
  const why = imageMismatch(manifest, codeMigrations(migrationsFolder), pgliteVersion());
  if (why) throw new Error(why);
  const bytes = readFileSync(files.tarball);
  if (createHash('sha256').update(bytes).digest('hex') !== manifest.sha256) throw new Error(`${files.tarball} does not match its manifest (damaged or replaced)`);
  const staging = `${target}.unpacking-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const { parseTar } = await import('nanotar');
    for (const item of parseTar(gunzipSync(bytes))) {
      // PGlite's entries are absolute (/base/1/…); nothing may land outside the staging folder.
      const path = resolve(staging, `.${sep}${item.name}`);
      if (path !== staging && !path.startsWith(staging + sep)) throw new Error(`${files.tarball} has an entry outside the data dir: ${item.name}`);
      // Nothing readable by other users, as PostgreSQL wants its data dir.
      if (item.type === 'directory') mkdirSync(path, { recursive: true, mode: 0o700 });
      else if (item.type === 'file') {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeFileSync(path, item.data ?? new Uint8Array(0), { mode: 0o600 });
      } else throw new Error(`${files.tarball} has an entry of type ${item.type ?? '?'}: ${item.name}`);
    }
    if (!existsSync(join(staging, 'PG_VERSION'))) throw new Error(`${files.tarball} holds no PostgreSQL data dir`);
    renameSync(staging, target);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return manifest;
}
