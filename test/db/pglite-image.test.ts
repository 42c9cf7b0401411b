/**
 * The pre-initialised embedded database (src/db/pglite-image.ts): a fresh DATA_DIR started from the
 * image has the same schema and migration journal as one made by initdb + every migration; an image
 * older than the code gets the newer migrations; a damaged, missing or foreign image falls back to
 * initdb with one message, never a crash. Images are made here from drizzle/ (and a cut copy of it),
 * not taken from dist/, so the test does not depend on a build.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.js';
import { openPglite } from '../../src/db/pglite.js';
import { buildImage, codeMigrations, imageFiles, imageMismatch, pendingMarker, pgliteVersion, readManifest, unpackImage, type ImageFiles } from '../../src/db/pglite-image.js';
import { migrationsFolder } from '../../src/db/paths.js';

const source = migrationsFolder();
const journal = JSON.parse(readFileSync(join(source, 'meta/_journal.json'), 'utf8')) as { entries: Array<{ tag: string }> };
const OLDER = 10; // the older image holds migrations 0000–0010

async function rows<T>(database: Database, q: ReturnType<typeof sql>): Promise<T[]> {
  const r = (await database.db.execute(q)) as unknown as { rows?: T[] } & T[];
  return r.rows ?? r;
}

/** What a migrated database is made of: columns, constraints, indexes, triggers, functions, partitions, journal. */
async function schemaOf(database: Database) {
  const user = sql`not in ('pg_catalog', 'information_schema', 'pg_toast')`;
  return {
    columns: await rows(database, sql`select table_schema, table_name, column_name, ordinal_position, data_type, is_nullable, column_default from information_schema.columns where table_schema ${user} order by 1, 2, 4`),
    constraints: await rows(database, sql`select n.nspname, c.conrelid::regclass::text as rel, c.conname, pg_get_constraintdef(c.oid) as def from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname ${user} order by 1, 2, 3`),
    indexes: await rows(database, sql`select schemaname, tablename, indexname, indexdef from pg_indexes where schemaname ${user} order by 1, 2, 3`),
    triggers: await rows(database, sql`select tgrelid::regclass::text as rel, tgname, pg_get_triggerdef(oid) as def from pg_trigger where not tgisinternal order by 1, 2`),
    functions: await rows(database, sql`select n.nspname, p.proname, md5(pg_get_functiondef(p.oid)) as def from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname ${user} and p.prokind in ('f', 'p') order by 1, 2, 3`),
    partitions: await rows(database, sql`select inhparent::regclass::text as parent, inhrelid::regclass::text as child from pg_inherits order by 1, 2`),
    journal: await rows(database, sql`select hash, created_at::text from drizzle.__drizzle_migrations order by created_at`),
  };
}

const journalLength = async (database: Database) => (await rows<{ n: number }>(database, sql`select count(*)::int as n from drizzle.__drizzle_migrations`))[0]!.n;

describe('the pre-initialised embedded database image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-image-'));
  let current: ImageFiles;
  let older: ImageFiles;
  let reference: Awaited<ReturnType<typeof schemaOf>>;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    current = imageFiles(join(dir, 'current/pglite-image.json'));
    await buildImage(current, source);
    const cut = join(dir, 'drizzle-upto');
    cpSync(source, cut, { recursive: true });
    writeFileSync(join(cut, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, OLDER + 1) }));
    older = imageFiles(join(dir, 'older/pglite-image.json'));
    await buildImage(older, cut);
  }, 600_000);

  it('falls back to initdb with one message when the image is damaged, and that database is the reference', async () => {
    const damaged = imageFiles(join(dir, 'damaged/pglite-image.json'));
    cpSync(join(dir, 'current'), join(dir, 'damaged'), { recursive: true });
    const bytes = readFileSync(damaged.tarball);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(damaged.tarball, bytes);
    const messages: string[] = [];
    const created: string[] = [];
    const dataDir = join(dir, 'data-damaged');
    const database = await openPglite({ dataDir, command: 'test', image: damaged, onImageWarning: (m) => messages.push(m), onCreated: (how) => created.push(how) });
    try {
      await database.migrate();
      reference = await schemaOf(database);
    } finally {
      await database.close();
    }
    expect(created).toEqual(['initdb']);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/does not match its manifest.*initdb/);
    expect(reference.journal).toHaveLength(journal.entries.length);
    expect(reference.columns.length).toBeGreaterThan(50);
    expect(readdirSync(dataDir).filter((n) => n.startsWith('pg.'))).toEqual([]);
  }, 600_000);

  it('starts a fresh DATA_DIR from the current image with the same schema and journal; the migrator then has nothing to do', async () => {
    const messages: string[] = [];
    const created: string[] = [];
    const dataDir = join(dir, 'data-current');
    const database = await openPglite({ dataDir, command: 'test', image: current, onImageWarning: (m) => messages.push(m), onCreated: (how) => created.push(how) });
    try {
      expect(await journalLength(database)).toBe(journal.entries.length);
      await database.migrate();
      expect(await schemaOf(database)).toEqual(reference);
    } finally {
      await database.close();
    }
    expect(created).toEqual(['image']);
    expect(messages).toEqual([]);
    // The template databases, laid out after the start, are in place once it closes.
    for (const folder of readManifest(current).deferred) expect(existsSync(join(dataDir, 'pg', folder)), folder).toBe(true);
    expect(existsSync(pendingMarker(join(dataDir, 'pg')))).toBe(false);
    // The database is private to the service user (0700 folders, 0600 files).
    for (const f of ['pg', 'pg/PG_VERSION', 'pg/base', 'pg/global/pg_control']) expect(statSync(join(dataDir, f)).mode & 0o077, f).toBe(0);

    // A second start finds the database and neither unpacks nor runs initdb.
    const again = await openPglite({ dataDir, command: 'test', image: current, onCreated: (how) => created.push(how) });
    await again.close();
    expect(created).toEqual(['image', 'existing']);
  }, 600_000);

  it('lays out the template databases after the start; a start stopped before then finishes them the next time', async () => {
    const manifest = readManifest(current);
    expect(manifest.deferred.length).toBeGreaterThan(0);
    const dataDir = join(dir, 'data-deferred');
    const pg = join(dataDir, 'pg');
    // What a start killed right after PGlite opened leaves: the database it opens, the marker, no templates.
    await unpackImage(current, pg, source, { defer: true });
    expect(existsSync(pendingMarker(pg))).toBe(true);
    for (const folder of manifest.deferred) expect(existsSync(join(pg, folder)), folder).toBe(false);

    const created: string[] = [];
    const warnings: string[] = [];
    const database = await openPglite({ dataDir, command: 'test', image: current, onCreated: (how) => created.push(how), onImageWarning: (m) => warnings.push(m) });
    await database.close();
    expect(created).toEqual(['existing']);
    expect(warnings).toEqual([]);
    expect(existsSync(pendingMarker(pg))).toBe(false);
    for (const folder of manifest.deferred) expect(existsSync(join(pg, folder)), folder).toBe(true);
    expect(readdirSync(join(pg, 'base')).filter((n) => !/^\d+$/.test(n))).toEqual([]);

    // The templates are real: CREATE DATABASE copies template1 by reading its catalog.
    const again = await openPglite({ dataDir, command: 'test', image: current });
    try {
      await again.db.execute(sql`create database copied`);
      expect(await rows<{ datname: string }>(again, sql`select datname from pg_database order by datname`)).toEqual([{ datname: 'copied' }, { datname: 'postgres' }, { datname: 'template0' }, { datname: 'template1' }]);
    } finally {
      await again.close();
    }

    // Owed templates with no image to finish them: one warning, and the database still opens.
    const orphan = join(dir, 'data-orphan');
    await unpackImage(current, join(orphan, 'pg'), source, { defer: true });
    const lone = await openPglite({ dataDir: orphan, command: 'test', image: false, onImageWarning: (m) => warnings.push(m) });
    await lone.close();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/template databases .* never laid out/);
  }, 600_000);

  it('an image older than the code gets the newer migrations and ends with the same schema', async () => {
    expect(readManifest(older).migrations).toHaveLength(OLDER + 1);
    const created: string[] = [];
    const database = await openPglite({ dataDir: join(dir, 'data-older'), command: 'test', image: older, onCreated: (how) => created.push(how) });
    try {
      expect(await journalLength(database)).toBe(OLDER + 1);
      await database.migrate();
      expect(await journalLength(database)).toBe(journal.entries.length);
      expect(await schemaOf(database)).toEqual(reference);
    } finally {
      await database.close();
    }
    expect(created).toEqual(['image']);
  }, 600_000);

  it('is refused, with the reason, when it does not fit this code or is missing; nothing is left behind', async () => {
    const code = codeMigrations(source);
    const manifest = readManifest(current);
    expect(imageMismatch(manifest, code, pgliteVersion())).toBeUndefined();
    expect(imageMismatch(readManifest(older), code, pgliteVersion())).toBeUndefined();
    expect(imageMismatch(manifest, code, '0.0.1')).toMatch(/PGlite/);
    expect(imageMismatch(manifest, code.slice(0, 5), pgliteVersion())).toMatch(/does not have/);
    const edited = code.map((m, i) => (i === 3 ? { ...m, hash: 'edited' } : m));
    expect(imageMismatch(manifest, edited, pgliteVersion())).toMatch(/migration 3 differs/);
    expect(imageMismatch({ ...manifest, format: 99 }, code, pgliteVersion())).toMatch(/format/);

    const target = join(dir, 'unpack/pg');
    await expect(unpackImage(imageFiles(join(dir, 'nowhere/pglite-image.json')), target, source)).rejects.toThrow(/ENOENT/);
    // A truncated tarball whose manifest was made to match: unpacking itself fails, and cleans up.
    const truncated = imageFiles(join(dir, 'truncated/pglite-image.json'));
    cpSync(join(dir, 'current'), join(dir, 'truncated'), { recursive: true });
    const bytes = readFileSync(truncated.tarball).subarray(0, 200_000);
    writeFileSync(truncated.tarball, bytes);
    const { createHash } = await import('node:crypto');
    writeFileSync(truncated.manifest, JSON.stringify({ ...manifest, sha256: createHash('sha256').update(bytes).digest('hex') }));
    await expect(unpackImage(truncated, target, source)).rejects.toThrow();
    expect(existsSync(target)).toBe(false);
    expect(existsSync(join(dir, 'unpack')) ? readdirSync(join(dir, 'unpack')) : []).toEqual([]);
  });
});
