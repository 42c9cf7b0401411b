/**
 * The fuzz suite: every write operation of the OpenAPI document (POST/PUT/PATCH/DELETE, read from
 * /api/v1/openapi.json, so a new route is fuzzed without editing this file) gets at least 300 seeded
 * hostile bodies: NUL, lone surrogates, deep nesting, `__proto__`, huge numbers, wrong types, invalid
 * UTF-8. Never a 5xx; every 4xx is problem+json; a rejected body leaves every table as it was.
 *
 * In-process (app.request), on a seeded inventory. The database check is exact but cheap: PostgreSQL
 * hands out a transaction id to any transaction that writes, so the next id unchanged after a request
 * proves it wrote nothing; when it did move on a rejected body, a digest of every table is compared with
 * the one taken after the last accepted body.
 */
import fc from 'fast-check';
import pino from 'pino';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeDeps } from '../../probes/deps.js';
import { createServiceMetrics } from '../../src/metrics.js';
import { SweepService } from '../../src/sweeps/service.js';
import type { Db } from '../../src/db/client.js';
import { backends } from '../support/db.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { ADMIN, startTestApp, type TestApp } from '../support/app.js';
import { campaignInventory, createCampaign } from '../campaigns/fixtures.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const WRITE_METHODS = ['post', 'put', 'patch', 'delete'];

async function rows<T>(db: Db, query: ReturnType<typeof sql.raw>): Promise<T[]> {
  const r = (await db.execute(query)) as unknown as { rows?: T[] } & T[];
  return r.rows ?? r;
}

/** md5 of every row of every table in the public schema (order-independent within a table). */
async function digest(db: Db): Promise<string> {
  const tables = await rows<{ t: string }>(db, sql.raw(`select tablename as t from pg_tables where schemaname = 'public' order by 1`));
  const parts = tables.map(({ t }) => `select '${t}' as t, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as h from public."${t}" x`);
  const r = await rows<{ t: string; h: string }>(db, sql.raw(parts.join(' union all ') + ' order by 1'));
  return r.map((x) => `${x.t}:${x.h}`).join(',');
}

/** The next transaction id PostgreSQL will assign: unchanged means no transaction wrote anything. */
async function nextXid(db: Db): Promise<string> {
  return (await rows<{ x: string }>(db, sql.raw(`select pg_snapshot_xmax(pg_current_snapshot())::text as x`)))[0]!.x;
}

interface Operation {
  method: string;
  path: string;
  contentTypes: string[];
  props: string[];
}

function schemaProps(doc: any, schema: any, seen = 0): string[] {
  if (!schema || seen > 5) return [];
  if (schema.$ref) return schemaProps(doc, doc.components?.schemas?.[schema.$ref.split('/').pop()], seen + 1);
  const out = Object.keys(schema.properties ?? {});
  for (const k of ['allOf', 'anyOf', 'oneOf']) for (const s of schema[k] ?? []) out.push(...schemaProps(doc, s, seen + 1));
  if (schema.items) out.push(...schemaProps(doc, schema.items, seen + 1));
  return [...new Set(out)];
}

function writeOperations(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      if (!WRITE_METHODS.includes(method)) continue;
      const content = op.requestBody?.content ?? {};
      const props = Object.values<any>(content).flatMap((c) => schemaProps(doc, c.schema));
      ops.push({ method: method.toUpperCase(), path, contentTypes: Object.keys(content), props: [...new Set(props)] });
    }
  }
  // Retiring and deleting last, so the other routes are fuzzed against live records.
  return ops.sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
}

// ---- bodies ----
const NASTY = [
  '\u0000', 'a\u0000b', '\u0000'.repeat(64), '\uD800', '\uDFFF', 'x\uD83D', '\uDE00y', '_x0000_', '_xD800_', '=HYPERLINK("http://evil.example")',
  '+1', '@SUM(A1)', '%00', '../../etc/passwd', '<script>alert(1)</script>', "'; drop table systems; --", '\u202e', '\ufeff', '',
  ' ', '371302', 'LS-PORTAL', 'http://169.254.169.254/', 'file:///etc/passwd', 'x'.repeat(5000), '测'.repeat(3000),
];
const hostileString = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.tuple(fc.string({ maxLength: 10 }), fc.constantFrom('\u0000', '\uD800', '\uDC00')).map(([s, c]) => s + c + s),
);
const hugeNumber = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 63, Number.MIN_VALUE, -0, 0.5, 1e-300, 4294967296),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const leaf = fc.oneof(hostileString, hugeNumber, fc.boolean(), fc.constant(null));

function bodies(op: Operation): fc.Arbitrary<{ raw: string | Uint8Array; label: string }> {
  const keys = fc.oneof(fc.constantFrom(...op.props, '__proto__', 'constructor', 'prototype', 'toString'), hostileString);
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(keys, tie('value'), { maxKeys: 4 })),
  }));
  const props = op.props.length ? op.props : ['name'];
  const wrongTyped = fc.record(Object.fromEntries(props.map((p) => [p, value])), { requiredKeys: [] });
  const json = (v: unknown) => JSON.stringify(v) ?? 'null';
  const prop = fc.constantFrom(...props);
  return fc.oneof(
    { weight: 5, arbitrary: wrongTyped.map((v) => ({ raw: json(v), label: 'schema keys, hostile values' })) },
    { weight: 2, arbitrary: value.map((v) => ({ raw: json(v), label: 'any value' })) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 50, max: 20_000 }), fc.constantFrom('[', '{"a":'), prop).map(([n, open, p]) => ({
        raw: `{"${p}":${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}}`,
        label: `nesting ${n}`,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(prop, value).map(([p, v]) => ({
        raw: `{"__proto__":{"role":"admin","isAdmin":true,"${p}":${json(v)}},"constructor":{"prototype":{"polluted":1}},"${p}":${json(v)}}`,
        label: '__proto__',
      })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(prop, fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '0x10', 'NaN', 'Infinity', '-0', '1.0e+309', '00012')).map(([p, n]) => ({
        raw: `{"${p}":${n}}`,
        label: `number ${n}`,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.uint8Array({ maxLength: 200 }).map((b) => ({ raw: b, label: 'bytes' })),
        fc.constantFrom('{', '{"a":', '[1,2', '{"a":1}}', '\u0000', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":1,"a":2}', 'null', '"x"', '').map((s) => ({ raw: s, label: 'broken JSON' })),
        fc.constantFrom(Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), Uint8Array.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), Uint8Array.from([0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d])).map((b) => ({
          raw: b,
          label: 'invalid UTF-8',
        })),
      ),
    },
  );
}

function seedOf(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}

describe.each(backends)('fuzzed write bodies on %s', (backend) => {
  let t: TestApp;
  let dns: TestDnsServer;
  let sweeps: SweepService;
  let ops: Operation[];
  const ids: Record<string, string> = {};
  let fuzzed = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    // Sweeps the fuzz starts run for real, against a DNS server that knows no name (quick dns_nxdomain).
    dns = await startDnsServer({ zone: {} });
    t = await startTestApp(backend, {
      extraDeps: (database) => {
        sweeps = new SweepService({
          db: database.db,
          deps: createProbeDeps({ PROBE_DNS_SERVERS: dns.address, PROBE_TIMEOUT_MS: 2000 }),
          timeZone: 'Asia/Shanghai',
          concurrency: 8,
          retentionDays: 400,
          log: pino({ level: 'silent' }),
          metrics: createServiceMetrics(),
        });
        return { sweeps };
      },
    });
    await campaignInventory(t);
    ids.campaign = String(await createCampaign(t, { name: '一季度核查', deadline: '2099-03-20', scope: { departments: ['371300'] } }));
    const token = (await (await t.call('POST', '/api/v1/tokens', { body: { role: 'viewer', name: '待吊销' } })).json()) as { id: number };
    ids.token = String(token.id);
    const hook = await t.call('POST', '/api/v1/webhooks', { body: { name: '测试机器人', kind: 'generic', url: 'http://169.254.169.254/hook' } });
    ids.webhook = hook.status === 201 ? String(((await hook.json()) as { id: number }).id) : '1';
    // Instance keys and the like are created on first use: use them once before the first digest.
    await t.call('GET', `/api/v1/campaigns/${ids.campaign}/links`);
    const doc = await (await t.call('GET', '/api/v1/openapi.json')).json();
    ops = writeOperations(doc);
  }, 120_000);
  afterAll(async () => {
    await sweeps?.stop();
    await t?.close();
    await dns?.close();
    console.log(`fuzz (${backend}): ${fuzzed} bodies over ${ops?.length} write operations; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  function concrete(path: string): string {
    return path.replace(/\{(\w+)\}/g, (_, name: string) => {
      if (name === 'code') return path.startsWith('/departments') ? '371302' : 'LS-GIS';
      if (name === 'departmentCode') return '371302';
      if (name === 'version') return '1';
      if (name === 'id') {
        if (path.startsWith('/campaigns')) return ids.campaign!;
        if (path.startsWith('/tokens')) return ids.token!;
        if (path.startsWith('/webhooks')) return ids.webhook!;
        return '1';
      }
      return '1';
    });
  }

  async function untilSweepsIdle(): Promise<void> {
    for (;;) {
      const r = await rows<{ n: number }>(t.database.db, sql.raw(`select count(*)::int as n from sweeps where status = 'running'`));
      if (!r[0]!.n) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('lists the write operations from the OpenAPI document', () => {
    expect(ops.length).toBeGreaterThanOrEqual(20);
    for (const must of ['POST /systems', 'PATCH /systems/{code}', 'DELETE /systems/{code}', 'POST /tokens', 'POST /webhooks', 'PATCH /findings/{id}']) {
      expect(ops.map((o) => `${o.method} ${o.path}`)).toContain(must);
    }
  });

  it(`at least ${RUNS} bodies per write operation: no 5xx, problem+json on 4xx, nothing written on a rejected body`, async () => {
    const db = t.database.db;
    for (const op of ops) {
      const path = `/api/v1${concrete(op.path)}`;
      let etag: string | undefined;
      const refreshEtag = async () => {
        if (!['PATCH', 'PUT', 'DELETE'].includes(op.method)) return;
        const got = await t.call('GET', path);
        etag = got.headers.get('etag') ?? undefined;
        await got.arrayBuffer();
      };
      await refreshEtag();
      let baseline = await digest(db);
      let xid = await nextXid(db);
      let n = 0;
      await fc.assert(
        fc.asyncProperty(bodies(op), fc.nat(), async (body, pick) => {
          n++;
          const headers: Record<string, string> = {
            authorization: `Bearer ${ADMIN}`,
            'content-type': op.contentTypes.length ? op.contentTypes[pick % op.contentTypes.length]! : 'application/json',
          };
          if (etag) headers['if-match'] = etag;
          const res = await t.app.request(path, { method: op.method, headers, body: body.raw as BodyInit });
          const text = await res.text();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const where = `${op.method} ${op.path} [${body.label}] ${typeof body.raw === 'string' ? body.raw.slice(0, 300) : `bytes ${body.raw.length}`} → ${res.status} ${text.slice(0, 300)}`;
          expect(res.status, where).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers.get('content-type'), where).toContain('application/problem+json');
            const problem = JSON.parse(text) as { status: number; code: string };
            expect(problem.status, where).toBe(res.status);
            expect(typeof problem.code, where).toBe('string');
            const x = await nextXid(db);
            if (x !== xid) {
              expect(await digest(db), `database changed by a rejected body: ${where}`).toBe(baseline);
              xid = x;
            }
          } else {
            if (op.path === '/sweeps') await untilSweepsIdle();
            await refreshEtag();
            // An accepted body may write; the new state is the baseline (no write: nothing to take).
            const x = await nextXid(db);
            if (x !== xid) {
              baseline = await digest(db);
              xid = x;
            }
          }
        }),
        { numRuns: RUNS, seed: seedOf(`${op.method} ${op.path}`), endOnFailure: true },
      );
      expect(await digest(db), `${op.method} ${op.path}: the database after the run`).toBe(baseline);
      expect(n).toBeGreaterThanOrEqual(RUNS);
      fuzzed += n;
    }
    expect(fuzzed).toBeGreaterThanOrEqual(RUNS * ops.length);
    // Prototype pollution would show on every object of this process.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  }, 600_000);
});
