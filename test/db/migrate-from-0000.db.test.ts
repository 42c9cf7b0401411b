/**
 * A database created at migration 0000, with data in it, upgrades to the latest migration with its data
 * intact. The app's own migrator (src/db/ → drizzle-orm's), fed one migration more at a time from a copy
 * of drizzle/ whose journal is cut after entry N, exactly as a series of releases would apply them.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { InstanceKeys } from '../../src/auth/keys.js';
import { hashToken, TokenVerifier } from '../../src/auth/tokens.js';
import type { Database, Db } from '../../src/db/client.js';
import { openPglite } from '../../src/db/pglite.js';
import { connectPostgres, postgresOptions } from '../../src/db/postgres.js';
import { migrationsFolder } from '../../src/db/paths.js';
import { backends, type Backend } from '../support/db.js';

interface Journal {
  entries: Array<{ idx: number; tag: string; when: number }>;
}
const source = migrationsFolder();
const journal = JSON.parse(readFileSync(join(source, 'meta/_journal.json'), 'utf8')) as Journal;

/** A copy of drizzle/ that knows only the migrations up to and including `last`. */
function folderUpTo(dir: string, last: number): string {
  const out = join(dir, `upto-${last}`);
  cpSync(source, out, { recursive: true });
  writeFileSync(join(out, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return out;
}

async function rows<T>(db: Db, q: ReturnType<typeof sql>): Promise<T[]> {
  const r = (await db.execute(q)) as unknown as { rows?: T[] } & T[];
  return r.rows ?? r;
}

/** Opens the same database again with another migrations folder (PGlite: a data dir; PostgreSQL: a URL). */
type Opener = (folder: string) => Promise<Database>;

async function openers(backend: Backend, dir: string): Promise<{ open: Opener; drop: () => Promise<void> }> {
  if (backend === 'pglite') {
    const dataDir = join(dir, 'data');
    return { open: (folder) => openPglite({ dataDir, command: 'test', migrationsFolder: folder }), drop: async () => {} };
  }
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const name = `xuncha_mig_${randomBytes(6).toString('hex')}`;
  const admin = () => {
    const { options, ipv6Host } = postgresOptions(adminUrl, 1);
    return ipv6Host ? postgres(options) : postgres(adminUrl, options);
  };
  const a = admin();
  await a.unsafe(`create database ${name}`);
  await a.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    open: async (folder) => connectPostgres(u.toString(), { max: 2, migrationsFolder: folder }),
    drop: async () => {
      const b = admin();
      await b.unsafe(`drop database if exists ${name} with (force)`);
      await b.end();
    },
  };
}

const TOKEN = 'xc_migration-test-token-0123456789abcdef';
const ADMIN = 'migration-admin-token-0123456789';

describe.each(backends)('upgrading from migration 0000 on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-migrate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`applies ${journal.entries.length - 1} migrations one by one over a 0000 database with data; nothing is lost`, async () => {
    expect(journal.entries[0]!.tag).toBe('0000_init');
    const { open, drop } = await openers(backend, dir);
    try {
      let d = await open(folderUpTo(dir, 0));
      await d.migrate();
      // Data as a 0000 release wrote it: raw SQL against 0000's schema, not today's.
      await d.db.execute(sql`insert into departments (code, name, short_name, level, kind, parent_id, path) values
        ('371300', '临沂市人民政府', null, 'city', 'government', null, '/1/'),
        ('371302', '兰山区人民政府', '兰山区', 'county', 'government', 1, '/1/2/')`);
      await d.db.execute(sql`insert into systems (code, name, department_id, contractor, contact_name, contact_phone, lifecycle, deployment, mlps_level, tags, status, status_reasons)
        values ('LS-PORTAL', '兰山区政府门户网站', 2, '某科技公司', '王主任', '0539-1234567', 'live', 'gov_cloud', 2, '{门户,"_x0041_"}', 'zombie', '[{"code":"unreachable"}]'::jsonb),
               ('LS-OLD', '兰山区旧网站', 2, null, null, null, 'retired', 'other', null, '{}', 'insufficient_evidence', '[]'::jsonb)`);
      await d.db.execute(sql`insert into endpoints (system_id, url, role, position) values (1, 'http://www.lanshan.example/', 'portal', 0), (1, 'http://app.lanshan.example/', 'app', 1)`);
      await d.db.execute(sql`insert into api_tokens (name, role, department_id, token_hash, prefix) values ('兰山区', 'department', 2, ${hashToken(TOKEN)}, ${TOKEN.slice(0, 7)})`);
      await d.db.execute(sql`insert into audit_log (actor, action, entity, entity_id, after, request_id) values ('ADMIN_TOKEN', 'create', 'system', 'LS-PORTAL', '{"name":"兰山区政府门户网站"}'::jsonb, 'req-1')`);
      const before = {
        departments: await rows(d.db, sql`select id, code, name, short_name, level, kind, parent_id, path from departments order by id`),
        systems: await rows(d.db, sql`select id, code, name, department_id, contractor, contact_name, contact_phone, lifecycle, deployment, mlps_level, tags, status, status_reasons from systems order by id`),
        endpoints: await rows(d.db, sql`select id, system_id, url, role, position from endpoints order by id`),
        tokens: await rows(d.db, sql`select id, name, role, department_id, token_hash from api_tokens order by id`),
        audit: await rows(d.db, sql`select id, actor, action, entity, entity_id, after, request_id from audit_log order by id`),
      };
      await d.close();

      for (let n = 1; n < journal.entries.length; n++) {
        d = await open(folderUpTo(dir, n));
        await d.migrate();
        const applied = await rows<{ n: number }>(d.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
        expect(applied[0]!.n, journal.entries[n]!.tag).toBe(n + 1);
        await d.close();
      }

      d = await open(source);
      await d.migrate(); // the full folder: nothing left to do
      try {
        expect(await rows(d.db, sql`select id, code, name, short_name, level, kind, parent_id, path from departments order by id`)).toEqual(before.departments);
        expect(await rows(d.db, sql`select id, code, name, department_id, contractor, contact_name, contact_phone, lifecycle, deployment, mlps_level, tags, status, status_reasons from systems order by id`)).toEqual(before.systems);
        expect(await rows(d.db, sql`select id, system_id, url, role, position from endpoints order by id`)).toEqual(before.endpoints);
        expect(await rows(d.db, sql`select id, name, role, department_id, token_hash from api_tokens order by id`)).toEqual(before.tokens);
        expect(await rows(d.db, sql`select id, actor, action, entity, entity_id, after, request_id from audit_log order by id`)).toEqual(before.audit);

        // And the upgraded database serves today's app: the old token reads its department's systems.
        const now = () => new Date();
        const app = createApp({ db: d.db, logger: pino({ level: 'silent' }), now, verifier: new TokenVerifier(d.db, ADMIN, now, 0), keys: new InstanceKeys(d.db, undefined) });
        const res = await app.request('/api/v1/systems/LS-PORTAL', { headers: { authorization: `Bearer ${TOKEN}` } });
        expect(res.status).toBe(200);
        const system = (await res.json()) as { name: string; departmentCode: string; contact: { name: string }; endpoints: Array<{ url: string }>; tags: string[]; lifecycle: string };
        expect(system).toMatchObject({ name: '兰山区政府门户网站', departmentCode: '371302', contact: { name: '王主任' }, lifecycle: 'live', tags: ['门户', '_x0041_'] });
        expect(system.endpoints.map((e) => e.url)).toEqual(['http://www.lanshan.example/', 'http://app.lanshan.example/']);
        // The audit log is still append-only after the upgrade.
        await expect(d.db.execute(sql`delete from audit_log`)).rejects.toThrow();
        // A write on the upgraded schema works (new tables, new columns with their defaults).
        const created = await app.request('/api/v1/systems', {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ code: 'LS-NEW', name: '兰山区新系统', departmentCode: '371302' }),
        });
        expect(created.status).toBe(201);
        expect(await rows(d.db, sql`select code, lifecycle, status from systems order by id`)).toEqual([
          { code: 'LS-PORTAL', lifecycle: 'live', status: 'zombie' },
          { code: 'LS-OLD', lifecycle: 'retired', status: 'insufficient_evidence' },
          { code: 'LS-NEW', lifecycle: 'live', status: 'insufficient_evidence' },
        ]);
      } finally {
        await d.close();
      }
    } finally {
      await drop();
    }
  }, 300_000);
});
