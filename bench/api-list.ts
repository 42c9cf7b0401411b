/**
 * GET /api/v1/systems?department=…&limit=50 with 10,000 systems, 50 concurrent connections
 * (autocannon). Target from issue 2: p99 under 50 ms on a 2-core machine. Two runs: plain GETs (served
 * from the page cache after the first), and conditional GETs with the page's ETag (304s).
 *   DATABASE_URL=$(scripts/pg-start.sh /tmp/xuncha-bench 55440) npx tsx bench/api-list.ts
 *   npx tsx bench/api-list.ts              # PGlite
 */
import { serve } from '@hono/node-server';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { createServer } from 'node:http';
import { createApp } from '../src/app.js';
import { InstanceKeys } from '../src/auth/keys.js';
import { TokenVerifier } from '../src/auth/tokens.js';
import { silentLog } from '../src/logger.js';
import { benchDatabase, fillInventory } from './support.js';

const SYSTEMS = Number(process.env.BENCH_SYSTEMS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const TARGET_P99_MS = 50;
const TOKEN = 'bench-admin-token-0123456789';

const database = await benchDatabase();
const { countyCodes, departmentCodes } = await fillInventory(database.db, SYSTEMS);
const now = () => new Date();
const app = createApp({ db: database.db, logger: silentLog, now, verifier: new TokenVerifier(database.db, TOKEN, now), keys: new InstanceKeys(database.db, undefined) });
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
const etag = first.headers.get('etag') ?? '';
const bytes = (await first.arrayBuffer()).byteLength;
function cannon(extra: string[], target = url): Promise<any> {
  const args = ['-c', '50', '-d', String(SECONDS), '-j', '-H', `authorization=Bearer ${TOKEN}`, ...extra];
  return new Promise<any>((resolve, reject) => {
    const child = spawn(process.execPath, [autocannonBin, ...args, target], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited ${code}`))));
  });
}
const load0 = loadavg()[0]!;
const result = await cannon([]);
const conditional = await cannon(['-H', `if-none-match=${etag}`]);
// The floor on this machine right now: a bare node:http server in this process sending the same bytes.
const page = Buffer.from(await (await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } })).arrayBuffer());
const bare = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json', etag }).end(page));
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const floor = await cannon([], `http://127.0.0.1:${(bare.address() as { port: number }).port}/`);
bare.close();
server.close();
await database.close();

const p99 = result.latency.p99;
console.log(`database: ${database.kind}; systems: ${SYSTEMS}; connections: 50; duration: ${SECONDS}s; page ${bytes} bytes; load average ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)} (shared machine)`);
console.log(`200s:  requests/s: ${result.requests.average.toFixed(0)}  latency ms: p50 ${result.latency.p50}  p99 ${p99}  max ${result.latency.max}  non-2xx: ${result.non2xx}  errors: ${result.errors}  timeouts: ${result.timeouts}`);
// autocannon counts a 304 as non-2xx; every response of this run should be one.
console.log(`304s:  requests/s: ${conditional.requests.average.toFixed(0)}  latency ms: p50 ${conditional.latency.p50}  p99 ${conditional.latency.p99}  max ${conditional.latency.max}  304 (non-2xx): ${conditional.non2xx} of ${conditional.requests.total}  errors: ${conditional.errors}`);
console.log(`floor (bare node:http, same bytes): requests/s ${floor.requests.average.toFixed(0)}  p50 ${floor.latency.p50}  p99 ${floor.latency.p99}; ours/floor: p99 ${(p99 / Math.max(floor.latency.p99, 1)).toFixed(2)}×, requests/s ${(result.requests.average / floor.requests.average).toFixed(2)}×`);
console.log(`p99 vs target ${TARGET_P99_MS} ms: ${(p99 / TARGET_P99_MS).toFixed(2)}× (${p99 <= TARGET_P99_MS ? 'met' : 'missed'})`);
process.exit(0);
