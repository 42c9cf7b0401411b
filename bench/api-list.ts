/**
 * GET /api/v1/systems?department=…&limit=50 with 10,000 systems, 50 concurrent connections
 * (autocannon in its own process). Target from issue 14: p99 under 50 ms on a 2-core machine, and close
 * to the floor (a bare node:http server sending the same bytes): p99 ≤ 2× floor, requests/s ≥ 0.7× floor.
 * Each run: plain GETs (served from the page cache after the first), conditional GETs with the page's
 * ETag (304s), then the floor. The app is built as `xuncha serve` builds it: pino access log (to
 * /dev/null), prom-client metrics, the sign-in limiter.
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench 55440) npx tsx bench/api-list.ts
 *   npx tsx bench/api-list.ts              # PGlite
 * BENCH_RUNS (default 3), BENCH_SECONDS (15), BENCH_SYSTEMS (10000);
 * BENCH_PROFILE=FILE.cpuprofile writes a CPU profile of this process (the server) over the 200s runs,
 * and prints the top 15 functions by self time.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { serve } from '@hono/node-server';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { createServer } from 'node:http';
import pino from 'pino';
import { createApp } from '../src/app.js';
import { InstanceKeys } from '../src/auth/keys.js';
import { TokenVerifier } from '../src/auth/tokens.js';
import { SignInLimiter } from '../src/http/sign-in-limit.js';
import { createLogger } from '../src/logger.js';
import { createServiceMetrics } from '../src/metrics.js';
import { benchDatabase, fillInventory } from './support.js';
import { selfTimeTop } from './profile-summary.js';

const SYSTEMS = Number(process.env.BENCH_SYSTEMS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const PROFILE = process.env.BENCH_PROFILE;
const TARGET_P99_MS = 50;
const TOKEN = 'bench-admin-token-0123456789';

const database = await benchDatabase();
const { countyCodes, departmentCodes } = await fillInventory(database.db, SYSTEMS);
const now = () => new Date();
const app = createApp({
  db: database.db,
  // As `xuncha serve` logs (a line per request, synchronous writes), into /dev/null.
  logger: createLogger('info', pino.destination({ dest: '/dev/null', sync: true })),
  now,
  verifier: new TokenVerifier(database.db, TOKEN, now),
  keys: new InstanceKeys(database.db, undefined),
  metrics: createServiceMetrics({ processMetrics: true }),
  signInLimiter: new SignInLimiter(database.db, { maxFailures: 10, windowSeconds: 900, blockSeconds: 900, now }),
  clientAddress: (c) => getConnInfo(c).remote.address,
});
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const port = (server.address() as { port: number }).port;

// The measured request is a county page (its 20 departments and ~830 systems), the heavier of the two
// common filters; autocannon's CLI takes one URL.
const paths = [...countyCodes.slice(0, 4), ...departmentCodes.slice(0, 4)].map((d) => `/api/v1/systems?department=${d}&limit=50`);
// The load generator runs in its own process so it does not share the server's event loop.
const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const url = `http://127.0.0.1:${port}${paths[0]}`;
const first = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
if (first.status !== 200) throw new Error(`the list answered ${first.status}`);
const etag = first.headers.get('etag') ?? '';
const page = Buffer.from(await first.arrayBuffer());
const bytes = page.byteLength;
/** Runs autocannon against `target`; `cpuUs` is this (the server's) process's CPU time per answered request. */
async function cannon(extra: string[], target = url): Promise<any> {
  const cpu0 = process.cpuUsage();
  const out = await autocannon(extra, target);
  const cpu = process.cpuUsage(cpu0);
  return { ...out, cpuUs: (cpu.user + cpu.system) / Math.max(out.requests.total, 1) };
}
function autocannon(extra: string[], target: string): Promise<any> {
  const args = ['-c', '50', '-d', String(SECONDS), '-j', '-H', `authorization=Bearer ${TOKEN}`, ...extra];
  return new Promise<any>((resolve, reject) => {
    const child = spawn(process.execPath, [autocannonBin, ...args, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`))));
  });
}

// The floor on this machine right now: a bare node:http server in this process sending the same bytes.
const bare = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', etag }).end(page));
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const floorUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}/`;

const session = PROFILE ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  cpuUs: number;
  c304rps: number;
  c304p99: number;
  c304: number;
  c304total: number;
  c304cpuUs: number;
  floorRps: number;
  floorP99: number;
  floorCpuUs: number;
  load: [number, number];
}
const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  const load0 = loadavg()[0]!;
  if (session) await session.post('Profiler.start');
  const result = await cannon([]);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(RUNS > 1 ? PROFILE!.replace(/(\.cpuprofile)?$/, `.${i + 1}.cpuprofile`) : PROFILE!, JSON.stringify(profile));
    if (i === 0) {
      console.log(`profile of run 1 (200s), self time top 15:`);
      for (const row of selfTimeTop(profile, 15)) console.log(`  ${row.pct.toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}  ${row.where}`);
    }
  }
  const conditional = await cannon(['-H', `if-none-match=${etag}`]);
  const floor = await cannon([], floorUrl);
  const run: Run = {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    cpuUs: result.cpuUs,
    c304rps: conditional.requests.average,
    c304p99: conditional.latency.p99,
    c304: conditional.non2xx,
    c304total: conditional.requests.total,
    c304cpuUs: conditional.cpuUs,
    floorRps: floor.requests.average,
    floorP99: floor.latency.p99,
    floorCpuUs: floor.cpuUs,
    load: [load0, loadavg()[0]!],
  };
  runs.push(run);
  console.log(
    `run ${i + 1}: 200s ${run.rps.toFixed(0)} req/s p50 ${run.p50} p99 ${run.p99} max ${run.max} ms cpu ${run.cpuUs.toFixed(0)} µs/req non-2xx ${run.non2xx} errors ${run.errors} | ` +
      `304s ${run.c304rps.toFixed(0)} req/s p99 ${run.c304p99} ms cpu ${run.c304cpuUs.toFixed(0)} µs/req (${run.c304} of ${run.c304total} 304) | ` +
      `floor ${run.floorRps.toFixed(0)} req/s p99 ${run.floorP99} ms cpu ${run.floorCpuUs.toFixed(0)} µs/req | ours/floor p99 ${(run.p99 / Math.max(run.floorP99, 1)).toFixed(2)}× req/s ${(run.rps / run.floorRps).toFixed(2)}× | ` +
      `load ${run.load[0].toFixed(2)} → ${run.load[1].toFixed(2)}`,
  );
}
bare.close();
server.close();
await database.close();

function stats(values: number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  return `min ${f(s[0]!)}  median ${f(s[Math.floor((s.length - 1) / 2)]!)}  max ${f(s[s.length - 1]!)}`;
}
const col = (k: (r: Run) => number) => stats(runs.map(k).map((v) => Math.round(v * 100) / 100));
console.log(`database: ${database.kind}; systems: ${SYSTEMS}; connections: 50; duration: ${SECONDS}s × ${RUNS} runs; page ${bytes} bytes; load average ${runs.map((r) => `${r.load[0].toFixed(2)}→${r.load[1].toFixed(2)}`).join(', ')} (2-core shared machine)`);
console.log(`200s p99 ms:            ${col((r) => r.p99)}`);
console.log(`200s requests/s:        ${col((r) => Math.round(r.rps))}`);
console.log(`304s p99 ms:            ${col((r) => r.c304p99)}`);
console.log(`304s requests/s:        ${col((r) => Math.round(r.c304rps))}`);
console.log(`floor p99 ms:           ${col((r) => r.floorP99)}`);
console.log(`floor requests/s:       ${col((r) => Math.round(r.floorRps))}`);
console.log(`server CPU µs/request:  200s ${col((r) => r.cpuUs)} | 304s ${col((r) => r.c304cpuUs)} | floor ${col((r) => r.floorCpuUs)}`);
console.log(`ours/floor CPU/request: ${col((r) => r.cpuUs / r.floorCpuUs)}  (less load-dependent than latency, yet it still grows with contention)`);
console.log(`ours/floor p99:         ${col((r) => r.p99 / Math.max(r.floorP99, 1))}  (aim ≤ 2×)`);
console.log(`ours/floor requests/s:  ${col((r) => r.rps / r.floorRps)}  (aim ≥ 0.7×)`);
const medianP99 = [...runs.map((r) => r.p99)].sort((a, b) => a - b)[Math.floor((runs.length - 1) / 2)]!;
console.log(`non-2xx in 200s runs: ${runs.reduce((n, r) => n + r.non2xx, 0)}; errors: ${runs.reduce((n, r) => n + r.errors, 0)}`);
console.log(`median p99 vs target ${TARGET_P99_MS} ms: ${(medianP99 / TARGET_P99_MS).toFixed(2)}× (${medianP99 <= TARGET_P99_MS ? 'met' : 'missed'})`);
process.exit(0);
