/**
 * Issue 3 figures: a sweep of 10,000 liveness targets on a loopback fleet at concurrency 200 with
 * results stored in PostgreSQL, against the Debian package prometheus-blackbox-exporter (http module,
 * same fleet, same concurrency); then the same with 5% of targets hanging.
 *
 *   apt-get install -y prometheus-blackbox-exporter
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench-pg 55440) npx tsx bench/sweep-fleet.ts
 *   scripts/pg-stop.sh /tmp/xuncha-bench-pg
 *
 * Env: BENCH_TARGETS (10000), BENCH_CONCURRENCY (200), BENCH_TIMEOUT_MS (2000, the hang case's timeout).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

async function startFleet(): Promise<{ child: ChildProcess; hosts: Array<{ ip: string; port: number }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./fleet-process.ts', import.meta.url).pathname, '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
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

/** BENCH_PROFILE=FILE writes a CPU profile of the sweep phase only (not the inventory fill). */
async function profiled<T>(run: () => Promise<T>): Promise<T> {
  const file = process.env.BENCH_PROFILE;
  if (!file) return run();
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  }
}

/** Resets the process's peak RSS (VmHWM) so the next reading covers what follows only. */
function resetPeakRss(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux, or not permitted: the peak then includes the inventory fill */
  }
}

async function runOurs(db: Db, timeoutMs: number): Promise<{ seconds: number; perSecond: number; ok: number; failed: number }> {
  const deps = createProbeDeps({ PROBE_TIMEOUT_MS: timeoutMs, PROBE_CONCURRENCY: CONCURRENCY, PROBE_PER_HOST: CONCURRENCY });
  const sweep = await createSweep(db, { trigger: 'cli', kinds: ['liveness'] }, new Date());
  const t0 = performance.now();
  const stats = await runSweepWorker({ db, deps, workerId: 'bench', timeZone: 'Asia/Shanghai', sweepId: sweep.id, concurrency: CONCURRENCY, probe: { retries: 0 } });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, perSecond: stats.targets / seconds, ok: stats.ok, failed: stats.failed };
}

async function runBlackbox(list: string[], timeoutMs: number): Promise<{ seconds: number; perSecond: number; ok: number; failed: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-bb-'));
  const config = join(dir, 'blackbox.yml');
  writeFileSync(config, `modules:\n  http_2xx:\n    prober: http\n    timeout: ${Math.round(timeoutMs / 1000)}s\n    http:\n      preferred_ip_protocol: ip4\n`);
  const port = 19115;
  const bb = spawn('prometheus-blackbox-exporter', [`--config.file=${config}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=error'], { stdio: 'ignore' });
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
  await pool.close();
  bb.kill('SIGTERM');
  return { seconds, perSecond: list.length / seconds, ok, failed };
}

const database = await benchDatabase();
await fillInventory(database.db, TARGETS);
const fleet = await startFleet();
try {
  console.log(`database: ${database.kind}; targets: ${TARGETS}; concurrency: ${CONCURRENCY}; fleet: ${fleet.hosts.length} loopback hosts`);

  const healthy = urls(fleet.hosts, 0);
  await loadTargets(database.db, healthy);
  const fillRss = peakRssMb();
  resetPeakRss();
  const ours = await profiled(() => runOurs(database.db, 15_000));
  const rss = peakRssMb();
  const theirs = process.env.BENCH_SKIP_PEER ? { seconds: NaN, perSecond: NaN, ok: 0, failed: 0 } : await runBlackbox(healthy, 15_000);
  console.log(`xuncha sweep:       ${ours.seconds.toFixed(2)} s, ${ours.perSecond.toFixed(0)} probes/s (ok ${ours.ok}, failed ${ours.failed}), results stored; peak RSS ${rss.toFixed(0)} MB (sweep phase; ${fillRss.toFixed(0)} MB peak during the inventory fill before it)`);
  console.log(`blackbox exporter:  ${theirs.seconds.toFixed(2)} s, ${theirs.perSecond.toFixed(0)} probes/s (ok ${theirs.ok}, failed ${theirs.failed}), nothing stored`);
  console.log(`throughput ratio ours/theirs: ${(ours.perSecond / theirs.perSecond).toFixed(2)}× (target ≥ 1.5×); peak RSS target < 256 MB: ${rss < 256 ? 'met' : 'missed'}`);

  if (process.env.BENCH_SKIP_HANG) process.exit(0);
  const withHangs = urls(fleet.hosts, 1);
  const hanging = withHangs.filter((u) => u.includes('/hang/')).length;
  await loadTargets(database.db, withHangs);
  const hang = await runOurs(database.db, TIMEOUT_MS);
  const ideal = (hanging * TIMEOUT_MS) / 1000 / CONCURRENCY + ours.seconds;
  console.log(`with ${hanging} hanging targets (timeout ${TIMEOUT_MS} ms): ${hang.seconds.toFixed(2)} s (ok ${hang.ok}, failed ${hang.failed}); ideal bound ${ideal.toFixed(2)} s; ratio ${(hang.seconds / ideal).toFixed(2)}× (target ≤ 1.2×)`);
  console.log(`peak RSS over the whole run: ${peakRssMb().toFixed(0)} MB`);
} finally {
  fleet.child.kill('SIGTERM');
  await database.close();
}
process.exit(0);
