import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKUP_MAGIC, writeScheduledBackup } from '../../src/backup.js';
import type { Database } from '../../src/db/client.js';
import { openPglite } from '../../src/db/pglite.js';
import { connectPostgres } from '../../src/db/postgres.js';
import { rowsOf } from '../../src/db/sql.js';
import { runCli as run } from '../support/cli.js';
import { backends } from '../support/db.js';

/** Each CLI run opens the embedded database (seconds on a loaded machine): a generous limit, not a timing. */
const runCli = (args: string[], env: Record<string, string>) => run(args, env, 300_000);

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'xuncha-backup-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every row of every table (ours and drizzle's migration log), each table's rows in a stable order. */
async function everyRow(database: Database): Promise<Record<string, string[]>> {
  const tables = rowsOf<{ s: string; t: string }>(
    await database.db.execute(sql`select table_schema as s, table_name as t from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE' order by 1, 2`),
  );
  const out: Record<string, string[]> = {};
  for (const { s, t } of tables) {
    const rows = rowsOf<Record<string, unknown>>(await database.db.execute(sql.raw(`select * from "${s}"."${t}"`)));
    out[`${s}.${t}`] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

async function pgliteRows(dataDir: string) {
  const database = await openPglite({ dataDir, command: 'test' });
  try {
    return await everyRow(database);
  } finally {
    await database.close();
  }
}

/** Seeds, classifies and adds a token, so most tables have rows. */
async function fill(env: Record<string, string>) {
  for (const args of [['seed', '--demo'], ['classify'], ['token', 'create', '--role', 'viewer', '--name', 'backup test']]) {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}

/** The ways a file can fail to be a restorable backup, each with its one-line reason. */
function badFiles(dir: string, good: Buffer): Array<[string, RegExp]> {
  const notBackup = join(dir, 'inventory.csv');
  writeFileSync(notBackup, 'code,name\nLY-1,系统\n');
  const truncated = join(dir, 'truncated.backup');
  writeFileSync(truncated, good.subarray(0, good.length - 100));
  const newer = join(dir, 'newer.backup');
  const text = good.toString('latin1');
  const nl1 = text.indexOf('\n');
  const nl2 = text.indexOf('\n', nl1 + 1);
  const header = JSON.parse(good.subarray(nl1 + 1, nl2).toString('utf8'));
  writeFileSync(newer, Buffer.concat([Buffer.from(`${BACKUP_MAGIC}\n${JSON.stringify({ ...header, schema: { migrations: 999, latest: '0998_from_the_future' } })}\n`), good.subarray(nl2 + 1)]));
  const damaged = join(dir, 'damaged.backup');
  const flipped = Buffer.from(good);
  flipped[flipped.length - 10] = flipped[flipped.length - 10]! ^ 0xff;
  writeFileSync(damaged, flipped);
  return [
    [notBackup, /is not a Xuncha backup; nothing was changed/],
    [truncated, /is truncated \(\d+ of \d+ bytes\); nothing was changed/],
    [newer, /comes from a newer Xuncha \(schema 999, 0998_from_the_future; this one knows \d+\): upgrade Xuncha first; nothing was changed/],
    [damaged, /is damaged \(its checksum does not match\); nothing was changed/],
  ];
}

describe.skipIf(!backends.includes('pglite'))('xuncha backup and restore on the embedded database', () => {
  it('restores into an empty DATA_DIR with every table equal row for row, and refuses bad files leaving the database as it was', async () => {
    const dir = tempDir();
    const source = { DATA_DIR: join(dir, 'source') };
    await fill(source);
    const file = join(dir, 'xuncha.backup');
    const backup = await runCli(['backup', '--out', file], source);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^wrote .*xuncha\.backup \(embedded database, \d+ KB\)/);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, BACKUP_MAGIC.length + 1).toString()).toBe(`${BACKUP_MAGIC}\n`);

    const target = { DATA_DIR: join(dir, 'target') };
    const restored = await runCli(['restore', file], target);
    expect(restored.code, restored.stderr).toBe(0);
    const before = await pgliteRows(source.DATA_DIR);
    expect(Object.keys(before).length).toBeGreaterThan(15);
    expect(before['public.systems']!.length).toBeGreaterThan(10);
    expect(before['public.api_tokens']!.length).toBe(1);
    expect(await pgliteRows(target.DATA_DIR)).toEqual(before);

    // A database with data is replaced only with --force.
    const again = await runCli(['restore', file], target);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/already holds a database: .*--force.*nothing was changed/);

    // Bad files are refused even with --force, and the database stays as it was.
    for (const [bad, message] of badFiles(dir, bytes)) {
      const r = await runCli(['restore', bad, '--force'], target);
      expect(r.code, bad).toBe(1);
      expect(r.stderr.trim().split('\n'), bad).toHaveLength(1);
      expect(r.stderr, bad).toMatch(message);
    }
    expect(await pgliteRows(target.DATA_DIR)).toEqual(before);
  }, 600_000);

  it('keeps the newest BACKUP_KEEP scheduled backups', async () => {
    const dir = tempDir();
    const written: string[] = [];
    for (let i = 0; i < 4; i++) written.push((await writeScheduledBackup(Buffer.from(`b${i}`), dir, 2, new Date(Date.UTC(2026, 11, 1, 2, i)))).file);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).sort()).toEqual(['xuncha-20261201T020200Z.backup', 'xuncha-20261201T020300Z.backup']);
    expect(readFileSync(written[3]!, 'utf8')).toBe('b3');
  });
});

const url = process.env.TEST_DATABASE_URL;
describe.skipIf(!url || !backends.includes('postgres'))('xuncha backup and restore on PostgreSQL', () => {
  it('pg_dump/pg_restore round trip into an empty database, row for row; bad files and the other backend refused', async () => {
    const admin = postgres(url!, { max: 1, onnotice: () => {} });
    const names = [`xuncha_bk_src_${process.pid}`, `xuncha_bk_dst_${process.pid}`];
    for (const n of names) {
      await admin.unsafe(`drop database if exists ${n}`);
      await admin.unsafe(`create database ${n}`);
    }
    const urlOf = (n: string) => {
      const u = new URL(url!);
      u.pathname = `/${n}`;
      return u.toString();
    };
    try {
      const dir = tempDir();
      const source = { DATABASE_URL: urlOf(names[0]!), DATA_DIR: join(dir, 'unused') };
      await fill(source);
      const file = join(dir, 'pg.backup');
      const backup = await runCli(['backup', '--out', file], source);
      expect(backup.code, backup.stderr).toBe(0);
      const target = { DATABASE_URL: urlOf(names[1]!), DATA_DIR: join(dir, 'unused') };
      const bytes = readFileSync(file);
      for (const [bad, message] of badFiles(dir, bytes)) {
        const r = await runCli(['restore', bad], target);
        expect(r.code, bad).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(message);
      }
      const restored = await runCli(['restore', file], target);
      expect(restored.code, restored.stderr).toBe(0);
      const a = connectPostgres(source.DATABASE_URL);
      const b = connectPostgres(target.DATABASE_URL);
      try {
        const rows = await everyRow(a);
        expect(rows['public.systems']!.length).toBeGreaterThan(10);
        expect(await everyRow(b)).toEqual(rows);
      } finally {
        await a.close();
        await b.close();
      }
      // A PostgreSQL backup does not go into the embedded database.
      const cross = await runCli(['restore', file], { DATA_DIR: join(dir, 'embedded') });
      expect(cross.code).toBe(1);
      expect(cross.stderr).toMatch(/PostgreSQL backup and cannot be restored into the embedded database/);
    } finally {
      for (const n of names) await admin.unsafe(`drop database if exists ${n} with (force)`);
      await admin.end();
    }
  }, 600_000);
});
