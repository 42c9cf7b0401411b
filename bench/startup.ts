/**
 * Start-up figures of issue 14: `xuncha --version` (target < 150 ms) and `xuncha serve` on an empty
 * embedded database (a fresh DATA_DIR, demo seeding off) until /readyz answers 200 (target < 2 s).
 * Runs the bundle users get from `npm ci` (rebuilt first), each measurement BENCH_RUNS times (5),
 * and prints min/median/max with the load average: the machine may be shared.
 *
 *   npx tsx bench/startup.ts
 *
 * BENCH_PHASES=1 also prints where serve's time goes (process start to first line, to listening, to ready).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

async function timeServe(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'xuncha-startup-'));
  const port = await freePort();
  const env = { ...process.env, DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', SEED_DEMO: '0', ADMIN_TOKEN: 'startup-bench-token-0123456789', LOG_LEVEL: 'warn', DATABASE_URL: '' };
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error('xuncha serve exited before it was ready');
      try {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        if (res.status === 200) return performance.now() - t0;
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
process.exit(0);
