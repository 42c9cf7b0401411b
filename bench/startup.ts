/**
 * Start-up figures of issue 14: `xuncha --version` (target < 150 ms) and `xuncha serve` on an empty
 * embedded database (a fresh DATA_DIR, demo seeding off) until /readyz answers 200 (target < 2 s).
 * Runs the bundle users get from `npm ci` (rebuilt first), each measurement BENCH_RUNS times (5),
 * and prints min/median/max with the load average: the machine may be shared.
 *
 *   npx tsx bench/startup.ts
 *
 * BENCH_PHASES=1 also prints where serve's time goes: the phases serve logs when it listens (startupMs:
 * ms since its process started; src/entry/node.ts), whether the database came from the image, and the
 * CPU time serve used until /readyz answered (from /proc: the machine may be shared, CPU is steadier).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BIN = new URL('../bin/xuncha.mjs', import.meta.url).pathname;

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};
const fmt = (xs: number[]) => {
  const { min, median, max } = stats(xs);
  return `min ${min.toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${max.toFixed(0)} ms`;
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function timeVersion(args = [BIN, '--version']): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`--version exited ${code}`))));
  });
}

const PHASES = process.env.BENCH_PHASES === '1';
/** Per run: what serve said of its phases (ms since its process started), and CPU used until ready. */
const phaseRuns: Array<{ phases: Record<string, number>; created?: string; cpuMs: number; readyMs: number }> = [];

/** utime + stime of a process so far, in ms (Linux /proc; clock ticks are 100 Hz there). */
function cpuMsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

async function timeServe(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-startup-'));
  const port = await freePort();
  const env = { ...process.env, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '0', ADMIN_TOKEN: 'startup-bench-token-0123456789', LOG_LEVEL: PHASES ? 'info' : 'warn', DATABASE_URL: '' };
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', PHASES ? 'pipe' : 'ignore', 'inherit'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  let listening: { startupMs?: Record<string, number>; embeddedDatabase?: string } | undefined;
  if (PHASES) {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as { msg?: string; startupMs?: Record<string, number>; embeddedDatabase?: string; level?: number };
          if (entry.msg === 'xuncha is listening') listening = entry;
          else if ((entry.level ?? 0) >= 40) console.error(`serve: ${entry.msg}`);
        } catch {
          /* not a log line */
        }
      }
    });
  }
  try {
    for (;;) {
      if (exited) throw new Error('xuncha serve exited before it was ready');
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status === 200) {
          const readyMs = performance.now() - t0;
          if (PHASES) {
            const cpuMs = cpuMsOf(child.pid!);
            // The listening line is written before the server answers; give the pipe a moment to deliver it.
            for (let i = 0; i < 100 && !listening; i++) await new Promise((r) => setTimeout(r, 10));
            phaseRuns.push({ phases: listening?.startupMs ?? {}, created: listening?.embeddedDatabase, cpuMs, readyMs });
          }
          return readyMs;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (exited ? r(null) : child.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Median of each phase's own duration (from the previous mark), across the runs. */
function printPhases() {
  const names = ['entered', 'opened', 'migrated', 'bootstrapped', 'appBuilt', 'listening'];
  const labels: Record<string, string> = {
    entered: 'process start → startServer (node, bin, bundle imports)',
    opened: 'open the embedded database (image unpack or initdb, PGlite start)',
    migrated: 'migrator',
    bootstrapped: 'demo seed check, admin token',
    appBuilt: 'metrics, sweeps, schedules, app',
    listening: 'listen',
  };
  const median = (xs: number[]) => stats(xs).median;
  console.log(`serve phases (median of ${phaseRuns.length} runs; embedded database made from: ${[...new Set(phaseRuns.map((r) => r.created ?? '?'))].join(', ')}):`);
  let prev = 0;
  const at: Record<string, number> = {};
  for (const name of names) at[name] = median(phaseRuns.map((r) => r.phases[name] ?? NaN));
  for (const name of names) {
    console.log(`  ${labels[name]}: ${(at[name]! - prev).toFixed(0)} ms (at ${at[name]!.toFixed(0)} ms)`);
    prev = at[name]!;
  }
  console.log(`  → /readyz 200 seen by the bench: at ${median(phaseRuns.map((r) => r.readyMs)).toFixed(0)} ms (spawn to answer)`);
  console.log(`  CPU time of the serve process until ready (user + system): ${fmt(phaseRuns.map((r) => r.cpuMs))}`);
}

execFileSync(process.execPath, [new URL('../scripts/build.mjs', import.meta.url).pathname], { stdio: 'inherit' });
const load0 = loadavg()[0]!;
const version: number[] = [];
for (let i = 0; i < RUNS; i++) version.push(await timeVersion());
// The floor on this machine right now: node starting and exiting with nothing to do.
const bare: number[] = [];
for (let i = 0; i < RUNS; i++) bare.push(await timeVersion(['-e', '0']));
const serve: number[] = [];
for (let i = 0; i < RUNS; i++) serve.push(await timeServe());
console.log(`load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} (shared machine); ${RUNS} runs each`);
console.log(`xuncha --version: ${fmt(version)}; median vs target 150 ms: ${(stats(version).median / 150).toFixed(2)}×`);
console.log(`node -e 0 (the floor): ${fmt(bare)}; --version / floor (medians): ${(stats(version).median / stats(bare).median).toFixed(2)}×`);
console.log(`xuncha serve → /readyz 200 (empty PGlite): ${fmt(serve)}; median vs target 2000 ms: ${(stats(serve).median / 2000).toFixed(2)}×`);
if (PHASES) printPhases();
process.exit(0);
