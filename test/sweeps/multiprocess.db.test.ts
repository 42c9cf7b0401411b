import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { departments, endpoints, probeResults, sweepTargets, systems } from '../../src/db/schema/index.js';
import { createSweep } from '../../src/sweeps/queue.js';
import { BIN } from '../support/cli.js';
import { backends, openTestDatabase, type TestDatabase } from '../support/db.js';

const TARGETS = 200;
const DELAY_MS = 300;

/** Several `xuncha sweep --join` processes on one PostgreSQL; one is killed with SIGKILL mid-sweep. */
describe.skipIf(!backends.includes('postgres'))('a sweep shared by several processes on PostgreSQL', () => {
  let database: TestDatabase;
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    server = createServer((req, res) => setTimeout(() => res.end(`<title>${req.url}</title>`), DELAY_MS));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
    database = await openTestDatabase('postgres');
    const { db } = database;
    const [d] = await db.insert(departments).values({ code: 'C', name: '市', level: 'city', kind: 'government', path: '/' }).returning();
    await db.update(departments).set({ path: `/${d!.id}/` });
    const rows = await db
      .insert(systems)
      .values(Array.from({ length: TARGETS }, (_, i) => ({ code: `S${i}`, name: `S${i}`, departmentId: d!.id })))
      .returning({ id: systems.id });
    await db.insert(endpoints).values(rows.map((r, i) => ({ systemId: r.id, url: `http://127.0.0.1:${port}/t${i}` })));
  });
  afterAll(async () => {
    await database?.close();
    server?.close();
  });

  const output = new Map<ChildProcess, string>();
  // Both pipes are always drained: a child blocked on a full pipe would look like a hung sweep.
  const worker = (sweepId: number, env: Record<string, string> = {}): ChildProcess => {
    const child = spawn(process.execPath, [BIN, 'sweep', '--join', String(sweepId), '--concurrency', '10', '--json'], {
      env: { ...process.env, DATABASE_URL: database.url!, SWEEP_LEASE_MS: '1500', PROBE_PER_HOST: '10', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    output.set(child, '');
    const keep = (d: Buffer) => output.set(child, (output.get(child)! + d.toString()).slice(-20_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return child;
  };
  const exited = (p: ChildProcess) => new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  const doneCount = async (sweepId: number) =>
    (await database.db.select({ n: sql<number>`count(*)::int` }).from(sweepTargets).where(sql`sweep_id = ${sweepId} and state = 'done'`))[0]!.n;

  it('finishes every target exactly once after a worker is killed', { timeout: 180_000 }, async () => {
    const { db } = database;
    const sweep = await createSweep(db, { trigger: 'cli', kinds: ['liveness'] }, new Date());
    expect(sweep.targets).toBe(TARGETS);

    const a = worker(sweep.id);
    const aExit = exited(a);
    // Kill A once it has stored some results but is mid-sweep, holding leases.
    for (let i = 0; i < 600 && (await doneCount(sweep.id)) < 30; i++) await new Promise((r) => setTimeout(r, 100));
    a.kill('SIGKILL');
    await aExit;
    const doneWhenKilled = await doneCount(sweep.id);
    expect(doneWhenKilled).toBeGreaterThanOrEqual(30);
    expect(doneWhenKilled).toBeLessThan(TARGETS);

    const b = worker(sweep.id);
    const c = worker(sweep.id);
    // Listen for both exits now: C may well finish before B.
    const bExit = exited(b);
    const cExit = exited(c);
    expect(await bExit, output.get(b)).toBe(0);
    expect(await cExit, output.get(c)).toBe(0);
    expect(JSON.parse(output.get(b)!.trim().split('\n').at(-1)!)).toMatchObject({ sweepId: sweep.id, targets: TARGETS, ok: TARGETS, failed: 0 });

    const results = await db
      .select({ n: sql<number>`count(*)::int`, urls: sql<number>`count(distinct ${probeResults.url})::int` })
      .from(probeResults)
      .where(sql`${probeResults.sweepId} = ${sweep.id}`);
    expect(results[0]).toEqual({ n: TARGETS, urls: TARGETS });
    const targets = await db.select().from(sweepTargets).where(sql`sweep_id = ${sweep.id}`);
    expect(targets.every((t) => t.state === 'done' && t.outcome === 'ok')).toBe(true);
    // More than one worker took part, and A's leases were taken over after it died.
    expect(new Set(targets.map((t) => t.leasedBy)).size).toBeGreaterThanOrEqual(2);
    expect(targets.some((t) => t.attempts > 1)).toBe(true);
  });

  it('one process with PROBE_THREADS=3 probes on three threads, each target once', { timeout: 180_000 }, async () => {
    const { db } = database;
    const sweep = await createSweep(db, { trigger: 'cli', kinds: ['liveness'] }, new Date());
    const a = worker(sweep.id, { PROBE_THREADS: '3' });
    expect(await exited(a), output.get(a)).toBe(0);
    const summary = JSON.parse(output.get(a)!.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({ sweepId: sweep.id, targets: TARGETS, ok: TARGETS, failed: 0, probed: TARGETS, threads: 3 });
    expect(summary.peakRssMb).toBeGreaterThan(0);
    const results = await db
      .select({ n: sql<number>`count(*)::int`, urls: sql<number>`count(distinct ${probeResults.url})::int` })
      .from(probeResults)
      .where(sql`${probeResults.sweepId} = ${sweep.id}`);
    expect(results[0]).toEqual({ n: TARGETS, urls: TARGETS });
    const targets = await db.select().from(sweepTargets).where(sql`sweep_id = ${sweep.id}`);
    expect(new Set(targets.map((t) => t.leasedBy)).size).toBe(3);
  });
});
