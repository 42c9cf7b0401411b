/**
 * Render time of the two busiest workbench pages with 10,000 systems: the overview (总览, `/`) and
 * the inventory list (系统清单, `/inventory`, default sort and sorted by 30-day availability).
 * Target from issue 10: under 300 ms on PostgreSQL. Requests are sequential over a real socket, signed
 * in through the login form; prints min/median/max per page and the ratio of the median to the target.
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench 55440) npx tsx bench/web-pages.ts
 *   npx tsx bench/web-pages.ts        # PGlite (for comparison only)
 */
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { createApp } from '../src/app.js';
import { InstanceKeys } from '../src/auth/keys.js';
import { TokenVerifier } from '../src/auth/tokens.js';
import { silentLog } from '../src/logger.js';
import { benchDatabase, fillInventory } from './support.js';

const SYSTEMS = Number(process.env.BENCH_SYSTEMS ?? 10_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TARGET_MS = 300;
const TOKEN = 'bench-admin-token-0123456789';

const database = await benchDatabase();
const { db } = database;
const t0 = Date.now();
await fillInventory(db, SYSTEMS);
// Evidence as a year of operation leaves it: daily probe rollups, each endpoint's last outcome and
// IPv6 grade, verdicts (2% insufficient evidence, whose gaps the overview recomputes), a status
// history row per system at last month's end, findings and a finished sweep.
await db.execute(sql`
  insert into probe_days (system_id, day, probes, ok, failed, sum_ms, max_ms)
  select s.id, (current_date - d)::date, 24, case when s.id % 10 = 0 and d % 3 = 0 then 12 else 24 end,
    case when s.id % 10 = 0 and d % 3 = 0 then 12 else 0 end, 24 * (300 + s.id % 200), 2000
  from systems s cross join generate_series(0, ${DAYS - 1}) d`);
await db.execute(sql`
  insert into endpoint_state (endpoint_id, system_id, last_probe_at, last_outcome, last_ok_at, ipv6, ipv6_at)
  select e.id, e.system_id, now(), (array['ok','ok','ok','ok','ok','ok','ok','dns_nxdomain','connect_refused','timeout'])[1 + e.id % 10], now(),
    jsonb_build_object('grade', (array['ready','partial','not_ready','no_ipv6'])[1 + e.id % 4]), now()
  from endpoints e`);
await db.execute(sql`
  update systems set status = (case when id % 50 = 0 then 'insufficient_evidence' when id % 10 = 0 then 'zombie' when id % 7 = 0 then 'semi_zombie' else 'active' end)::system_status,
    status_at = now(), user_scope = case when id % 50 = 0 then 'internal'::user_scope else user_scope end, network = 'internet'`);
await db.execute(sql`
  insert into status_history (system_id, at, as_of, status, reasons, flags, policy_version)
  select id, now(), (date_trunc('month', current_date) - interval '1 day')::date, case when id % 9 = 0 then 'zombie' else 'active' end, '[]'::jsonb, '[]'::jsonb, '2026.1'
  from systems`);
await db.execute(sql`
  insert into findings (system_id, department_id, status, verdict, reasons, policy_version, evidence, evidence_sha256, opened_at, deadline)
  select id, department_id, (array['open','notified','answered','closed'])[1 + id % 4], 'zombie', '[{"code":"unreachable"}]'::jsonb, '2026.1', '{}'::jsonb, repeat('0', 64), now(), current_date + (id % 40) - 20
  from systems where id % 10 = 0`);
await db.execute(sql`insert into sweeps (trigger, status, targets, started_at, finished_at, options) values ('cron', 'done', ${SYSTEMS}, now(), now(), '{"kinds":["liveness"]}')`);
await db.execute(sql`
  insert into sweep_targets (sweep_id, system_id, endpoint_id, url, state, outcome)
  select 1, e.system_id, e.id, e.url, 'done', (array['ok','ok','ok','ok','ok','ok','ok','dns_nxdomain','connect_refused','timeout'])[1 + e.id % 10] from endpoints e`);
await db.execute(sql`analyze`);
const seeded = ((Date.now() - t0) / 1000).toFixed(1);

const now = () => new Date();
const app = createApp({ db, logger: silentLog, now, verifier: new TokenVerifier(db, TOKEN, now), keys: new InstanceKeys(db, undefined), timeZone: 'Asia/Shanghai' });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

// Sign in as a person does: the login form's CSRF cookie and field, then the session cookie.
const login = await fetch(`${base}/login`);
const loginCookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
const signed = await fetch(`${base}/login`, {
  method: 'POST',
  redirect: 'manual',
  headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ _csrf: csrf, token: TOKEN, next: '/' }).toString(),
});
const cookie = signed.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

async function measure(path: string): Promise<{ min: number; median: number; max: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS + 2; i++) {
    const start = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie } });
    const body = await res.text();
    const ms = performance.now() - start;
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
    bytes = body.length;
    if (i >= 2) times.push(ms); // two warm-up requests
  }
  times.sort((a, b) => a - b);
  return { min: times[0]!, median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]!, bytes };
}

console.log(`database: ${database.kind}; systems: ${SYSTEMS}; probe days: ${DAYS}; seeded in ${seeded}s; ${RUNS} sequential requests per page after 2 warm-ups`);
for (const path of ['/', '/inventory', '/inventory?sort=availability&dir=asc', '/inventory?status=zombie&page=3']) {
  const r = await measure(path);
  console.log(
    `${path.padEnd(40)} min ${r.min.toFixed(1)} ms  median ${r.median.toFixed(1)} ms  max ${r.max.toFixed(1)} ms  (${(r.bytes / 1024).toFixed(0)} KiB)  median vs target ${TARGET_MS} ms: ${(r.median / TARGET_MS).toFixed(2)}× (${r.median <= TARGET_MS ? 'met' : 'missed'})`,
  );
}
server.close();
await database.close();
process.exit(0);
