/**
 * The site inspection at city scale (issue 11): 200 loopback portals × 50 pages each (a homepage, 10
 * sections, 39 articles), inspected the way ops run it: `xuncha sweep --join ID --json` from the built
 * bundle (rebuilt first) in a process of its own, through the real queue, `inspection` probe kind and
 * store, with the portal fleet and its DNS server in another process (bench/inspection-fleet-process.ts).
 * So the peak memory printed is the prober's own (VmHWM of the sweep process, its threads included).
 *
 * Each of BENCH_RUNS sweeps (default 3) after the first is a "next day": the stored days of the sweep
 * before are moved back a day first, so its rows are new rows, as on a real repeat day. Prints per
 * sweep and min/median/max: wall time, pages/s, CPU time per page, VmHWM, database growth, with ratios
 * to the targets (< 60 s, < 256 MB) and the load average.
 *
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench-pg 55440 --fast) npx tsx bench/inspection-sweep.ts
 *
 * Env: PORTALS (200), BENCH_RUNS (3), BENCH_CONCURRENCY (unset: the sweep's default PROBE_CONCURRENCY),
 * BENCH_PROFILE=DIR (a CPU profile of each sweep process), BENCH_HEAP_PROFILE=DIR (--heap-prof),
 * BENCH_BIN (another xuncha entry point; no rebuild).
 */
import { execFileSync, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { endpoints } from '../src/db/schema/index.js';
import { createSweep } from '../src/sweeps/queue.js';
import { benchDatabase, fillInventory } from './support.js';

const PORTALS = Number(process.env.PORTALS ?? 200);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const BIN = process.env.BENCH_BIN ?? new URL('../dist/xuncha.mjs', import.meta.url).pathname;
const TARGET_SECONDS = 60;
const TARGET_MB = 256;

if (!(process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL)) {
  console.error('bench/inspection-sweep.ts needs PostgreSQL (the sweep runs in a process of its own): set DATABASE_URL, e.g. DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench-pg 55440 --fast)');
  process.exit(2);
}
const databaseUrl = (process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL)!;

interface SweepJson {
  sweepId: number;
  targets: number;
  ok: number;
  failed: number;
  seconds: number;
  peakRssMb: number;
  threads: number;
  cpuSeconds: number;
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const rows = <T>(r: unknown): T[] => ((r as { rows?: T[] }).rows ?? (r as T[]));
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s.at(-1)! };
};
const fmt = (x: { min: number; median: number; max: number }, digits: number, unit: string) => `min ${x.min.toFixed(digits)} / median ${x.median.toFixed(digits)} / max ${x.max.toFixed(digits)} ${unit}`;

function profileArgs(): string[] {
  const args: string[] = [];
  if (process.env.BENCH_PROFILE) args.push('--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`);
  if (process.env.BENCH_HEAP_PROFILE) args.push('--heap-prof', `--heap-prof-dir=${process.env.BENCH_HEAP_PROFILE}`);
  return args;
}

function runSweep(sweepId: number, dns: string): Promise<SweepJson> {
  const env = { ...process.env, DATABASE_URL: databaseUrl, PROBE_DNS_SERVERS: dns, LOG_LEVEL: 'warn' };
  const concurrency = process.env.BENCH_CONCURRENCY ? ['--concurrency', process.env.BENCH_CONCURRENCY] : [];
  const child = spawn(process.execPath, [...profileArgs(), BIN, 'sweep', '--join', String(sweepId), ...concurrency, '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as SweepJson) : reject(new Error(`xuncha sweep exited ${code}: ${out}`))));
  });
}

if (!process.env.BENCH_BIN) execFileSync(process.execPath, [new URL('../scripts/build.mjs', import.meta.url).pathname], { stdio: 'inherit' });
const fleet = spawn(process.execPath, ['--import', 'tsx', new URL('./inspection-fleet-process.ts', import.meta.url).pathname, String(PORTALS)], { stdio: ['pipe', 'pipe', 'inherit'] });
const { port, dns, hosts } = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: fleet.stdout! }).once('line', resolve))) as { port: number; dns: string; hosts: string[] };

const database = await benchDatabase();
try {
  const { db } = database;
  await db.execute(sql`truncate table site_days, section_days, inspection_sections restart identity cascade`);
  await fillInventory(db, PORTALS);
  const eps = await db.select({ id: endpoints.id }).from(endpoints).orderBy(endpoints.id);
  for (const [i, e] of eps.entries()) await db.update(endpoints).set({ url: `http://${hosts[i]}:${port}/` }).where(sql`id = ${e.id}`);
  const size = async () => {
    const [r] = rows<{ b: string }>(await db.execute(sql`select coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint as b from pg_class c where c.relkind in ('r', 'p') and (c.relname in ('site_days', 'section_days', 'inspection_sections', 'sweep_targets', 'sweeps') or c.relname like 'probe_results%')`));
    return Number(r?.b ?? 0);
  };
  console.log(`database: ${database.kind}; portals: ${PORTALS}; sweep process: ${BIN}${process.env.BENCH_CONCURRENCY ? ` --concurrency ${process.env.BENCH_CONCURRENCY}` : ''}; load average before: ${load()}`);

  const runs: Array<{ seconds: number; pages: number; growth: number; mb: number; cpu: number }> = [];
  for (let k = 0; k < RUNS; k++) {
    // The next day: what the sweep before stored becomes yesterday's rows.
    if (k > 0) {
      // In two steps: a day moved onto one not yet moved would collide with its key.
      for (const step of [sql`day - 10000`, sql`day + 9999`]) {
        await db.execute(sql`update site_days set day = ${step}`);
        await db.execute(sql`update section_days set day = ${step}`);
      }
    }
    const before = await size();
    const sweep = await createSweep(db, { trigger: 'cli', kinds: ['inspection'] }, new Date());
    const out = await runSweep(sweep.id, dns);
    const [row] = rows<{ pages: number; sites: number; broken: number; failed: number }>(
      await db.execute(sql`select coalesce(sum(pages), 0)::int as pages, count(*)::int as sites, coalesce(sum(links_broken), 0)::int as broken, coalesce(sum(pages_failed), 0)::int as failed from site_days where day = (select max(day) from site_days)`),
    );
    const growth = (await size()) - before;
    const pages = Number(row!.pages);
    runs.push({ seconds: out.seconds, pages, growth, mb: out.peakRssMb, cpu: out.cpuSeconds });
    console.log(
      `sweep ${k + 1}: ${row!.sites} portals (${out.ok} ok, ${out.failed} failed), ${pages} pages (${row!.failed} failed), ${row!.broken} broken links; ${out.seconds.toFixed(1)} s, ${(pages / out.seconds).toFixed(0)} pages/s; ` +
        `CPU ${out.cpuSeconds.toFixed(1)} s (${((out.cpuSeconds * 1000) / Math.max(1, pages)).toFixed(2)} ms/page) over ${out.threads} probe thread(s); VmHWM ${out.peakRssMb} MB; DB growth ${(growth / 1024).toFixed(0)} KiB; load ${load()}`,
    );
  }
  const t = stats(runs.map((r) => r.seconds));
  const m = stats(runs.map((r) => r.mb));
  const c = stats(runs.map((r) => (r.cpu * 1000) / Math.max(1, r.pages)));
  const p = stats(runs.map((r) => r.pages / r.seconds));
  const g = stats(runs.slice(RUNS > 1 ? 1 : 0).map((r) => r.growth / 1024));
  console.log(`wall time: ${fmt(t, 1, 's')} — target < ${TARGET_SECONDS} s: worst ${(t.max / TARGET_SECONDS).toFixed(2)}× of target (${t.max < TARGET_SECONDS ? 'met' : 'missed'})`);
  console.log(`pages/s: ${fmt(p, 0, '')}; CPU per page: ${fmt(c, 2, 'ms')}`);
  console.log(`VmHWM of the sweep process: ${fmt(m, 0, 'MB')} — target < ${TARGET_MB} MB: worst ${(m.max / TARGET_MB).toFixed(2)}× of target (${m.max < TARGET_MB ? 'met' : 'missed'})`);
  console.log(`DB growth per sweep${RUNS > 1 ? ' (repeat days)' : ''}: ${fmt(g, 0, 'KiB')} (${((g.median * 1024) / PORTALS).toFixed(0)} bytes per portal)`);
  console.log(`load average after: ${load()}`);
} finally {
  fleet.kill('SIGTERM');
  await database.close();
}
process.exit(0);
