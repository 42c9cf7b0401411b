/**
 * Scale out (issue 14): 1, 2 and 3 `xuncha sweep --join` processes on one PostgreSQL over 30,000
 * liveness targets on the loopback fleet, throughput of each; then 3 processes with one SIGKILLed
 * mid-sweep: every target finished, none lost, no result stored twice. Each process runs as configured
 * by default (on 2 cores: on its main thread; BENCH_THREADS sets PROBE_THREADS) so the figure is per process.
 *
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench 55440 --fast) npx tsx bench/sweep-scale.ts
 *
 * Env: BENCH_TARGETS (30000), BENCH_CONCURRENCY (200 per process), BENCH_THREADS (PROBE_THREADS of each process; unset: the default), BENCH_PROCESSES (1,2,3).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { sql } from 'drizzle-orm';
import { endpoints, systems } from '../src/db/schema/index.js';
import { rowsOf } from '../src/db/sql.js';
import { createSweep } from '../src/sweeps/queue.js';
import type { Db } from '../src/db/client.js';
import { benchDatabase, fillInventory } from './support.js';

const TARGETS = Number(process.env.BENCH_TARGETS ?? 30_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 200);
const THREADS = process.env.BENCH_THREADS;
const PROCESSES = (process.env.BENCH_PROCESSES ?? '1,2,3').split(',').map(Number);
const BIN = new URL('../bin/xuncha.mjs', import.meta.url).pathname;
const LEASE_MS = 5_000;

async function startFleet(): Promise<{ child: ChildProcess; hosts: Array<{ ip: string; port: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fleet-process.ts', import.meta.url).pathname, '20'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { child, hosts: JSON.parse(line).hosts };
}

async function loadTargets(db: Db, hosts: Array<{ ip: string; port: number }>): Promise<void> {
  await db.execute(sql`truncate endpoints, sweep_targets, sweeps, probe_results, probe_days, endpoint_state, content_changes, inspection_days restart identity cascade`);
  const ids = await db.select({ id: systems.id }).from(systems).orderBy(systems.id);
  for (let i = 0; i < TARGETS; i += 1000) {
    const rows = ids.slice(i, Math.min(i + 1000, TARGETS)).map((r, j) => {
      const h = hosts[(i + j) % hosts.length]!;
      return { systemId: r.id, url: `http://${h.ip}:${h.port}/ok/${i + j}` };
    });
    await db.insert(endpoints).values(rows);
  }
}

function sweeper(sweepId: number): { child: ChildProcess; done: Promise<{ code: number | null; summary?: { peakRssMb: number; cpuSeconds: number; sweepCpuSeconds: number; probed: number } }> } {
  const env = { ...process.env, PROBE_PER_HOST: String(CONCURRENCY), ...(THREADS === undefined ? {} : { PROBE_THREADS: THREADS }), SWEEP_LEASE_MS: String(LEASE_MS), LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [BIN, 'sweep', '--join', String(sweepId), '--concurrency', String(CONCURRENCY), '--json'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; summary?: any }>((resolve) =>
    child.on('exit', (code) => resolve({ code, summary: code === 0 ? JSON.parse(out.trim().split('\n').at(-1)!) : undefined })),
  );
  return { child, done };
}

async function check(db: Db, sweepId: number) {
  const [r] = rowsOf<{ done: unknown; results: unknown; distinct_targets: unknown; dup: unknown }>(
    await db.execute(sql`
      select (select count(*) from sweep_targets where sweep_id = ${sweepId} and state = 'done') as done,
        (select count(*) from probe_results where sweep_id = ${sweepId}) as results,
        (select count(distinct endpoint_id) from probe_results where sweep_id = ${sweepId}) as distinct_targets,
        (select count(*) from (select endpoint_id from probe_results where sweep_id = ${sweepId} group by endpoint_id having count(*) > 1) d) as dup`),
  );
  const done = Number(r!.done);
  const results = Number(r!.results);
  return { done, lost: TARGETS - Number(r!.distinct_targets), duplicated: results - Number(r!.distinct_targets), dupTargets: Number(r!.dup) };
}

execFileSync(process.execPath, [new URL('../scripts/build.mjs', import.meta.url).pathname], { stdio: 'inherit' });
const database = await benchDatabase();
await fillInventory(database.db, TARGETS);
const fleet = await startFleet();
const load0 = loadavg()[0]!;
const lines: string[] = [];
const rates: Record<number, number> = {};
try {
  for (const n of PROCESSES) {
    await loadTargets(database.db, fleet.hosts);
    const sweep = await createSweep(database.db, { trigger: 'cli', kinds: ['liveness'] }, new Date());
    const t0 = performance.now();
    const runs = Array.from({ length: n }, () => sweeper(sweep.id));
    const ends = await Promise.all(runs.map((r) => r.done));
    const seconds = (performance.now() - t0) / 1000;
    const c = await check(database.db, sweep.id);
    rates[n] = TARGETS / seconds;
    lines.push(
      `${n} process(es): ${seconds.toFixed(1)} s, ${rates[n]!.toFixed(0)} targets/s (×${(rates[n]! / rates[PROCESSES[0]!]!).toFixed(2)} of ${PROCESSES[0]}); done ${c.done}, lost ${c.lost}, duplicated ${c.duplicated}; VmHWM ${ends.map((e) => e.summary?.peakRssMb).join(' + ')} MB; CPU ${ends.map((e) => e.summary?.cpuSeconds.toFixed(1)).join(' + ')} s (with start-up)`,
    );
    console.log(lines.at(-1));
  }

  // One of three SIGKILLed once a third is stored: its leased targets come back after LEASE_MS.
  await loadTargets(database.db, fleet.hosts);
  const sweep = await createSweep(database.db, { trigger: 'cli', kinds: ['liveness'] }, new Date());
  const t0 = performance.now();
  const runs = Array.from({ length: 3 }, () => sweeper(sweep.id));
  for (;;) {
    const done = Number(rowsOf<{ n: unknown }>(await database.db.execute(sql`select count(*) as n from sweep_targets where sweep_id = ${sweep.id} and state = 'done'`))[0]!.n);
    if (done >= TARGETS / 3) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  runs[0]!.child.kill('SIGKILL');
  const ends = await Promise.all(runs.map((r) => r.done));
  const seconds = (performance.now() - t0) / 1000;
  const c = await check(database.db, sweep.id);
  lines.push(
    `3 processes, one SIGKILLed at a third: ${seconds.toFixed(1)} s; exit codes ${ends.map((e) => e.code ?? 'killed').join(', ')}; done ${c.done} of ${TARGETS}, lost ${c.lost}, duplicated results ${c.duplicated} (${c.lost === 0 && c.duplicated === 0 && c.done === TARGETS ? 'none lost, none twice' : 'FAILED'})`,
  );
  console.log(lines.at(-1));
} finally {
  fleet.child.kill('SIGTERM');
  await database.close();
}
console.log(`load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} (shared machine); ${TARGETS} targets, concurrency ${CONCURRENCY} and ${THREADS ?? 'the default number of'} probe thread(s) per process (0: the main thread)`);
process.exit(0);
