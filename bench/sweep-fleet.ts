/**
 * Issue 3 figures: a sweep of 10,000 liveness targets on a loopback fleet at concurrency 200 with
 * results stored in PostgreSQL, against the Debian package prometheus-blackbox-exporter (http module,
 * same fleet, same concurrency); then the same with 5% of targets hanging. Ours is the real
 * `xuncha sweep --join ID --json` in a process of its own (the bundle, rebuilt first), so its peak RSS and CPU are the prober's own; the CPU line shows where the machine's cores
 * went (xuncha, the fleet, PostgreSQL; blackbox, the fleet and this script driving it). Each side's CPU
 * is counted while it probes: blackbox's from when it answers, xuncha's from when its process has opened
 * the database (the window of its throughput); xuncha's process start-up is printed beside, and the
 * ratio with it.
 *
 *   apt-get install -y prometheus-blackbox-exporter
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench-pg 55440) npx tsx bench/sweep-fleet.ts
 *   scripts/pg-stop.sh /tmp/xuncha-bench-pg
 *
 * Env: BENCH_TARGETS (10000), BENCH_CONCURRENCY (200, split over the processes), BENCH_WORKERS (1
 * xuncha process), BENCH_TIMEOUT_MS (2000, the hang case's timeout), BENCH_SKIP_PEER, BENCH_SKIP_HANG,
 * BENCH_PROFILE=DIR (a CPU profile of each xuncha process and of each of its probe threads; summarise with
 * `npx tsx bench/profile-summary.ts DIR/*.cpuprofile`), BENCH_NODE_ARGS (node flags for the xuncha processes,
 * e.g. `--trace-gc-nvp`), BENCH_SWEEP_OUTPUT=FILE (what the last xuncha process printed, traces included),
 * BENCH_BIN (another xuncha entry point), BENCH_RUNS (3: the healthy case is run that many times, each
 * figure printed per run and as min / median / max).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { Pool } from 'undici';
import { createProbeDeps } from '../probes/deps.js';
import { endpoints, systems } from '../src/db/schema/index.js';
import { createSweep } from '../src/sweeps/queue.js';
import { runSweepWorker } from '../src/sweeps/runner.js';
import { benchDatabase, fillInventory } from './support.js';
import type { Db } from '../src/db/client.js';
import { sql } from 'drizzle-orm';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 2_000);
const HANG_SHARE = 0.05;

/** Clock ticks of /proc/PID/stat fields after the command name (11: utime, 12: stime, 13: cutime, 14: cstime). */
function statTicks(pid: number, fields: number[]): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields.reduce((sum, i) => sum + Number(f[i]), 0);
  } catch {
    return 0; // gone
  }
}

/** CPU seconds (user + system) used so far by the given processes, from /proc (Linux). */
function cpuSeconds(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + statTicks(pid, [11, 12]), 0) / 100;
}

/**
 * The postmaster of the benchmark's PostgreSQL (from its data directory's postmaster.pid), so that the
 * PostgreSQL servers of others on a shared machine are not counted; undefined when it cannot be read
 * (PGlite, a remote server), and then every postgres process counts.
 */
let postmasterPid: number | undefined;

/** CPU seconds of PostgreSQL: its processes, plus the backends that have exited (the postmaster's reaped children). */
function postgresCpuSeconds(): number {
  return postgresPids().reduce((sum, pid) => sum + statTicks(pid, postmasterPid === pid || postmasterPid === undefined ? [11, 12, 13, 14] : [11, 12]), 0) / 100;
}

function postgresPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() !== 'postgres') continue;
      const pid = Number(name);
      if (postmasterPid === undefined || pid === postmasterPid || parentPid(pid) === postmasterPid) out.push(pid);
    } catch {
      /* gone */
    }
  }
  return out;
}

function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function findPostmaster(db: Db): Promise<number | undefined> {
  try {
    const [row] = (await db.execute(sql`select setting from pg_settings where name = 'data_directory'`)) as unknown as Array<{ setting: string }>;
    const pid = Number(readFileSync(join(row!.setting, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function formatCpu(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`)
    .join(', ');
}

async function startFleet(): Promise<{ child: ChildProcess; hosts: Array<{ ip: string; port: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fleet-process.ts', import.meta.url).pathname, '20'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { child, hosts: JSON.parse(line).hosts };
}

function urls(hosts: Array<{ ip: string; port: number }>, hanging: number): string[] {
  return Array.from({ length: TARGETS }, (_, i) => {
    const h = hosts[i % hosts.length]!;
    // Spread the hanging targets evenly, as real dead systems are.
    const hang = hanging > 0 && i % Math.round(1 / HANG_SHARE) === 0;
    return `http://${h.ip}:${h.port}/${hang ? 'hang' : 'ok'}/${i}`;
  });
}

async function loadTargets(db: Db, list: string[]): Promise<void> {
  await db.execute(sql`truncate endpoints, sweep_targets, sweeps, probe_results, probe_days, endpoint_state, content_changes restart identity cascade`);
  const ids = await db.select({ id: systems.id }).from(systems).orderBy(systems.id);
  for (let i = 0; i < list.length; i += 1000) {
    await db.insert(endpoints).values(list.slice(i, i + 1000).map((url, j) => ({ systemId: ids[i + j]!.id, url })));
  }
}

/** BENCH_PROFILE=DIR writes a CPU profile of each xuncha process there (node --cpu-prof); BENCH_NODE_ARGS adds node flags. */
function profileArgs(): string[] {
  const dir = process.env.BENCH_PROFILE;
  const flags = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return dir ? [...flags, '--cpu-prof', `--cpu-prof-dir=${dir}`] : flags;
}

/** The sweep's `--json` summary: its last line that is an object (V8 traces from BENCH_NODE_ARGS print on stdout too). */
function sweepSummary(out: string): SweepSummary {
  if (process.env.BENCH_SWEEP_OUTPUT) writeFileSync(process.env.BENCH_SWEEP_OUTPUT, out);
  const line = out.trimEnd().split('\n').findLast((l) => l.startsWith('{'));
  return JSON.parse(line ?? out) as SweepSummary;
}

const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);
const BIN = process.env.BENCH_BIN ?? new URL('../bin/xuncha.mjs', import.meta.url).pathname;

interface SweepSummary {
  seconds: number;
  peakRssMb: number;
  /** The process's whole life, start-up included. */
  cpuSeconds: number;
  /** From the database being open to the end: the window of `seconds`. */
  sweepCpuSeconds: number;
}

/**
 * Our sweep as ops run it: `xuncha sweep --join ID` in processes of its own (BENCH_WORKERS of them,
 * the concurrency split between them), so the figures are the prober's, not this script's.
 */
async function runOurs(db: Db, timeoutMs: number, fleetPid: number) {
  const sweep = await createSweep(db, { trigger: 'cli', kinds: ['liveness'] }, new Date());
  const env = { ...process.env, PROBE_TIMEOUT_MS: String(timeoutMs), PROBE_PER_HOST: String(CONCURRENCY), LOG_LEVEL: 'warn' };
  const before = { fleet: cpuSeconds([fleetPid]), postgres: postgresCpuSeconds() };
  const t0 = performance.now();
  const children = Array.from({ length: WORKERS }, () => spawn(process.execPath, [...profileArgs(), BIN, 'sweep', '--join', String(sweep.id), '--concurrency', String(Math.ceil(CONCURRENCY / WORKERS)), '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
  const outputs = await Promise.all(
    children.map(
      (child) =>
        new Promise<SweepSummary>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (d) => (out += d));
          child.on('exit', (code) => (code === 0 ? resolve(sweepSummary(out)) : reject(new Error(`xuncha sweep exited ${code}`))));
        }),
    ),
  );
  const wallSeconds = (performance.now() - t0) / 1000;
  // The sweep's own time: from when the processes had opened the database to when the last finished.
  const seconds = Math.max(...outputs.map((o) => o.seconds));
  const [row] = (await db.execute(sql`select count(*) filter (where outcome = 'ok')::int as ok, count(*)::int as n from sweep_targets where sweep_id = ${sweep.id}`)) as unknown as Array<{ ok: number; n: number }>;
  // xuncha's CPU in the sweep's own window (as blackbox's is counted once it is up), and with start-up.
  const cpu = { xuncha: outputs.reduce((a, o) => a + o.sweepCpuSeconds, 0), fleet: cpuSeconds([fleetPid]) - before.fleet, postgres: postgresCpuSeconds() - before.postgres };
  const startupCpu = outputs.reduce((a, o) => a + o.cpuSeconds - o.sweepCpuSeconds, 0);
  return {
    seconds,
    wallSeconds,
    perSecond: row!.n / seconds,
    ok: row!.ok,
    failed: row!.n - row!.ok,
    peakRssMb: outputs.map((o) => o.peakRssMb),
    cpu,
    startupCpu,
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function runBlackbox(list: string[], timeoutMs: number, fleetPid: number) {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-bb-'));
  const config = join(dir, 'blackbox.yml');
  writeFileSync(config, `modules:\n  http_2xx:\n    prober: http\n    timeout: ${Math.round(timeoutMs / 1000)}s\n    http:\n      preferred_ip_protocol: ip4\n`);
  const port = await freePort();
  const bb = spawn('prometheus-blackbox-exporter', [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], { stdio: 'ignore' });
  process.on('exit', () => bb.kill('SIGKILL'));
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY, headersTimeout: timeoutMs * 3, bodyTimeout: timeoutMs * 3 });
  for (let i = 0; i < 100; i++) {
    try {
      await (await pool.request({ path: '/-/healthy', method: 'GET' })).body.text();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let next = 0;
  let ok = 0;
  let failed = 0;
  const t0 = performance.now();
  const before = { blackbox: cpuSeconds([bb.pid!]), fleet: cpuSeconds([fleetPid]), driver: cpuSeconds([process.pid]) };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < list.length) {
        const target = list[next++]!;
        const res = await pool.request({ path: `/probe?module=http_2xx&target=${encodeURIComponent(target)}`, method: 'GET' });
        const text = await res.body.text();
        if (/^probe_success 1$/m.test(text)) ok++;
        else failed++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = { blackbox: cpuSeconds([bb.pid!]) - before.blackbox, fleet: cpuSeconds([fleetPid]) - before.fleet, driver: cpuSeconds([process.pid]) - before.driver };
  await pool.close();
  bb.kill('SIGTERM');
  return { seconds, perSecond: list.length / seconds, ok, failed, cpu };
}

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

/** min / median / max of a figure over the runs. */
function spread(values: number[], digits = 2): string {
  const s = [...values].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  return `min ${s[0]!.toFixed(digits)} / median ${median.toFixed(digits)} / max ${s.at(-1)!.toFixed(digits)}`;
}

/** CPU milliseconds per probe. */
const perProbeMs = (cpuSeconds: number, probes: number) => (cpuSeconds * 1000) / probes;

// Measure what `npm ci` ships: the bundle, rebuilt from the sources as they are now.
if (!process.env.BENCH_BIN) execFileSync(process.execPath, [new URL('../scripts/build.mjs', import.meta.url).pathname], { stdio: 'inherit' });
const database = await benchDatabase();
if (database.kind === 'postgres') postmasterPid = await findPostmaster(database.db);
await fillInventory(database.db, TARGETS);
const fleet = await startFleet();
try {
  console.log(`database: ${database.kind}; targets: ${TARGETS}; concurrency: ${CONCURRENCY} over ${WORKERS} xuncha process(es); fleet: ${fleet.hosts.length} loopback hosts; runs: ${RUNS}; cores: ${availableParallelism()}; PostgreSQL CPU counted: ${postmasterPid ? `postmaster ${postmasterPid} and its children` : 'every postgres process'}`);

  const healthy = urls(fleet.hosts, 0);
  const figures = { ratio: [] as number[], oursPerSecond: [] as number[], theirsPerSecond: [] as number[], oursCpu: [] as number[], theirsCpu: [] as number[], cpuRatio: [] as number[], cpuRatioWithStartup: [] as number[], hwm: [] as number[] };
  for (let run = 1; run <= RUNS; run++) {
    await loadTargets(database.db, healthy);
    const load = loadAverage();
    const ours = await runOurs(database.db, 15_000, fleet.child.pid!);
    const rss = Math.max(...ours.peakRssMb);
    const theirs = process.env.BENCH_SKIP_PEER ? { seconds: NaN, perSecond: NaN, ok: 0, failed: 0, cpu: { blackbox: NaN } as Record<string, number> } : await runBlackbox(healthy, 15_000, fleet.child.pid!);
    const stored = ours.ok + ours.failed;
    // CPU per stored probe: the sweep processes (their probe threads included) plus PostgreSQL, in the sweep's window; blackbox's own per probe.
    const oursCpu = perProbeMs(ours.cpu.xuncha + ours.cpu.postgres, stored);
    const oursCpuWithStartup = perProbeMs(ours.cpu.xuncha + ours.startupCpu + ours.cpu.postgres, stored);
    const theirsCpu = perProbeMs(theirs.cpu.blackbox!, healthy.length);
    console.log(`run ${run}/${RUNS} (load average ${load} → ${loadAverage()})`);
    console.log(`  xuncha sweep:       ${ours.seconds.toFixed(2)} s, ${ours.perSecond.toFixed(0)} probes/s (ok ${ours.ok}, failed ${ours.failed}), results stored; ${ours.wallSeconds.toFixed(2)} s with process start-up; VmHWM ${ours.peakRssMb.join(' + ')} MB`);
    console.log(`  blackbox exporter:  ${theirs.seconds.toFixed(2)} s, ${theirs.perSecond.toFixed(0)} probes/s (ok ${theirs.ok}, failed ${theirs.failed}), nothing stored`);
    console.log(`  CPU during our sweep: ${formatCpu(ours.cpu)}; during blackbox: ${formatCpu(theirs.cpu)}`);
    console.log(`  CPU per stored probe: ours ${oursCpu.toFixed(3)} ms (xuncha ${perProbeMs(ours.cpu.xuncha, stored).toFixed(3)} + postgres ${perProbeMs(ours.cpu.postgres, stored).toFixed(3)}), blackbox ${theirsCpu.toFixed(3)} ms; ours/theirs ${(oursCpu / theirsCpu).toFixed(2)} (target ≤ 0.67); with our process start-up (${ours.startupCpu.toFixed(2)} s) ${oursCpuWithStartup.toFixed(3)} ms, ${(oursCpuWithStartup / theirsCpu).toFixed(2)}`);
    console.log(`  throughput ratio ours/theirs: ${(ours.perSecond / theirs.perSecond).toFixed(2)}× (target ≥ 1.5×); VmHWM per process target < 256 MB: ${rss < 256 ? 'met' : 'missed'}`);
    figures.ratio.push(ours.perSecond / theirs.perSecond);
    figures.oursPerSecond.push(ours.perSecond);
    figures.theirsPerSecond.push(theirs.perSecond);
    figures.oursCpu.push(oursCpu);
    figures.theirsCpu.push(theirsCpu);
    figures.cpuRatio.push(oursCpu / theirsCpu);
    figures.cpuRatioWithStartup.push(oursCpuWithStartup / theirsCpu);
    figures.hwm.push(rss);
  }
  console.log(`over ${RUNS} run(s), min / median / max:`);
  console.log(`  throughput: ours ${spread(figures.oursPerSecond, 0)} probes/s; blackbox ${spread(figures.theirsPerSecond, 0)} probes/s; ratio ${spread(figures.ratio)}× (target ≥ 1.5×)`);
  console.log(`  CPU per stored probe: ours (xuncha + postgres) ${spread(figures.oursCpu, 3)} ms; blackbox ${spread(figures.theirsCpu, 3)} ms; ratio ${spread(figures.cpuRatio)} (target ≤ 0.67); with our process start-up ${spread(figures.cpuRatioWithStartup)}`);
  console.log(`  VmHWM per process: ${spread(figures.hwm, 0)} MB (target < 256 MB)`);

  if (!process.env.BENCH_SKIP_HANG) {
    const withHangs = urls(fleet.hosts, 1);
    const hanging = withHangs.filter((u) => u.includes('/hang/')).length;
    await loadTargets(database.db, withHangs);
    const hang = await runOurs(database.db, TIMEOUT_MS, fleet.child.pid!);
    // The ideal: the healthy probes at this run's median pace, plus the hanging ones' timeouts spread over the slots.
    const healthySeconds = TARGETS / [...figures.oursPerSecond].sort((a, b) => a - b)[Math.floor(figures.oursPerSecond.length / 2)]!;
    const ideal = (hanging * TIMEOUT_MS) / 1000 / CONCURRENCY + healthySeconds;
    console.log(`with ${hanging} hanging targets (timeout ${TIMEOUT_MS} ms): ${hang.seconds.toFixed(2)} s (ok ${hang.ok}, failed ${hang.failed}); ideal bound ${ideal.toFixed(2)} s; ratio ${(hang.seconds / ideal).toFixed(2)}× (target ≤ 1.2×); VmHWM ${hang.peakRssMb.join(' + ')} MB; load average ${loadAverage()}`);
  }
} finally {
  fleet.child.kill('SIGTERM');
  await database.close();
}
process.exit(0);
