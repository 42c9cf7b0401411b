import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbeLimiter } from '../../probes/concurrency.js';
import type { ProbeDeps } from '../../probes/deps.js';
import { createProbeResolver } from '../../probes/dns.js';
import { systemClock, type ProbeClock } from '../../probes/outcome.js';
import { endpointState, endpoints, inspectionDays, ipv6Changes, probeDays, probeResults, sweepTargets, systems } from '../../src/db/schema/index.js';
import { claimCompletion, createSweep, leaseTargets, sweepProgress } from '../../src/sweeps/queue.js';
import { runSweepWorker, storeBatch, type SweepBatch } from '../../src/sweeps/runner.js';
import { storeProbeRecords } from '../../src/sweeps/store.js';
import type { ProbeRecord } from '../../src/sweeps/types.js';
import { backends } from '../support/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { FLEET } from '../support/fleet.js';
import { startFleetHarness, type FleetHarness } from '../support/fleet-setup.js';

const TZ = 'Asia/Shanghai';

/**
 * The system clock, except that a probe's deadline passes only when the test says so: a loaded machine
 * never turns a slow healthy probe into a timeout, and the hanging one times out without a wait.
 */
function deadlineClock() {
  const pending = new Set<() => void>();
  const waiters: Array<() => void> = [];
  const clock: ProbeClock = {
    ...systemClock,
    setTimer(_ms, fn) {
      pending.add(fn);
      for (const w of waiters.splice(0)) w();
      return () => pending.delete(fn);
    },
  };
  return {
    clock,
    pending: () => pending.size,
    /** Resolves once a probe has started and is waiting for its deadline. */
    started: () => new Promise<void>((resolve) => (pending.size ? resolve() : waiters.push(resolve))),
    /** Every probe still waiting runs out of time now. */
    expireAll() {
      for (const fn of [...pending]) fn();
    },
  };
}

describe.each(backends)('sweeps on %s', (backend) => {
  let t: TestApp;
  let h: FleetHarness;
  let deps: ProbeDeps;
  let deadlines: ReturnType<typeof deadlineClock>;

  beforeAll(async () => {
    h = await startFleetHarness();
    t = await startTestApp(backend);
    deadlines = deadlineClock();
    // Budgets no loaded machine reaches: the only timeout is the one the test lets pass.
    const resolver = createProbeResolver({ servers: h.fleet.dnsServers, timeoutMs: 60_000, tries: 1 });
    deps = { resolver, policy: h.policy, timeoutMs: 60_000, clock: deadlines.clock, limiter: createProbeLimiter(50, 4) };
    await t.call('POST', '/api/v1/departments', { body: { code: 'C', name: '临沂市人民政府', level: 'city', kind: 'government' } });
    const make = async (code: string, urls: string[], extra: Record<string, unknown> = {}) => {
      const res = await t.call('POST', '/api/v1/systems', { body: { code, name: code, departmentCode: 'C', endpoints: urls.map((url) => ({ url })), ...extra } });
      expect(res.status, await res.clone().text()).toBe(201);
    };
    await make('HEALTHY', [h.fleet.url(FLEET.v4, '/healthy'), h.fleet.url(FLEET.dual, '/')]);
    await make('BROKEN', [h.fleet.url(FLEET.v4, '/status/500')]);
    await make('HANGING', [h.fleet.url(FLEET.v4, '/hang')]);
    await make('GONE', [h.fleet.url(FLEET.nxdomain, '/')]);
    await make('METADATA', [h.fleet.url(FLEET.metadata, '/')]);
    await make('PLANNED', [h.fleet.url(FLEET.v4, '/healthy')], { lifecycle: 'planning' });
  });
  afterAll(async () => {
    await t?.close();
    await h?.fleet.close();
  });

  it('probes every endpoint of the probed systems and stores results, rollups and endpoint state', async () => {
    const { db } = t.database;
    const sweep = await createSweep(db, { trigger: 'cli', kinds: ['liveness'] }, new Date());
    expect(sweep.targets).toBe(6); // PLANNED is not probed
    let stored = 0;
    let fiveStored!: () => void;
    const othersDone = new Promise<void>((resolve) => (fiveStored = resolve));
    const worker = runSweepWorker({
      db, deps, workerId: 'w1', timeZone: TZ, sweepId: sweep.id, concurrency: 10, probe: { ca: h.fleet.ca, retries: 0 },
      onBatch: (n) => ((stored += n) >= 5 ? fiveStored() : undefined),
    });
    // Every endpoint but /hang has answered and is stored; then the hanging probe's time runs out.
    await othersDone;
    await deadlines.started();
    expect(deadlines.pending()).toBe(1);
    deadlines.expireAll();
    const stats = await worker;
    expect(stats).toMatchObject({ targets: 6, ok: 2, failed: 4, lostLeases: 0 });

    const progress = await sweepProgress(db, sweep.id, new Date());
    expect(progress).toMatchObject({ status: 'done', targets: 6, done: 6, pending: 0, ok: 2, failed: 4 });
    expect(progress.outcomes).toEqual({ ok: 2, http_error: 1, timeout: 1, dns_nxdomain: 1, blocked_by_policy: 1 });

    const results = await db.select().from(probeResults);
    expect(results).toHaveLength(6);
    const broken = results.find((r) => r.url.endsWith('/status/500'))!;
    expect(broken).toMatchObject({ outcome: 'http_error', httpStatus: 500, kind: 'liveness' });
    expect((broken.detail as { timings: { totalMs: number } }).timings.totalMs).toBeGreaterThanOrEqual(0);

    const [healthy] = await db.select().from(systems).where(eq(systems.code, 'HEALTHY'));
    const [day] = await db.select().from(probeDays).where(eq(probeDays.systemId, healthy!.id));
    expect(day).toMatchObject({ probes: 2, ok: 2, failed: 0 });
    const states = await db.select().from(endpointState).where(eq(endpointState.systemId, healthy!.id));
    expect(states).toHaveLength(2);
    expect(states.every((s) => s.lastOutcome === 'ok' && s.contentHash && s.contentChangedAt)).toBe(true);
  });

  it('keeps a history of IPv6 results: a row when the grade or a link rate changes, none when it repeats', async () => {
    const [sys] = await t.database.db.select({ id: systems.id }).from(systems).where(eq(systems.code, 'BROKEN'));
    const [ep] = await t.database.db.select({ id: endpoints.id }).from(endpoints).where(eq(endpoints.systemId, sys!.id));
    const sweep = await createSweep(t.database.db, { trigger: 'cli', systems: ['BROKEN'], kinds: ['ipv6'] }, new Date());
    const record = (day: string, grade: string, second: number): ProbeRecord => ({
      targetId: 0, sweepId: sweep.id, systemId: sys!.id, endpointId: ep!.id, kind: 'ipv6', url: 'http://x/', at: new Date(`${day}T02:00:00+08:00`),
      outcome: 'ok', httpStatus: null, durationMs: null, detail: {}, contentHash: null,
      ipv6: { grade, secondLevelRate: second, thirdLevelRate: 0.5 },
    });
    for (const r of [record('2026-09-01', 'partial', 0.6), record('2026-09-02', 'partial', 0.601), record('2026-09-03', 'ready', 0.98), record('2026-09-04', 'ready', 0.98)]) {
      await t.database.db.transaction((tx) => storeProbeRecords(tx, [r], TZ));
    }
    const rows = await t.database.db.select().from(ipv6Changes).where(eq(ipv6Changes.endpointId, ep!.id)).orderBy(ipv6Changes.at);
    expect(rows.map((r) => [r.at.toISOString().slice(0, 10), r.grade, r.secondLevelRate])).toEqual([
      ['2026-08-31', 'partial', 0.6],
      ['2026-09-02', 'ready', 0.98],
    ]);
    const [state] = await t.database.db.select().from(endpointState).where(eq(endpointState.endpointId, ep!.id));
    expect(state!.ipv6).toMatchObject({ grade: 'ready' });
  });

  it('changes a stored IPv6 grade only when two sweeps in a row see the new one (no flapping on noise)', async () => {
    const { db } = t.database;
    const [sys] = await db.select({ id: systems.id }).from(systems).where(eq(systems.code, 'HANGING'));
    const [ep] = await db.select({ id: endpoints.id }).from(endpoints).where(eq(endpoints.systemId, sys!.id));
    const sweep = await createSweep(db, { trigger: 'cli', systems: ['HANGING'], kinds: ['ipv6'] }, new Date());
    const record = (day: string, grade: string): ProbeRecord => ({
      targetId: 0, sweepId: sweep.id, systemId: sys!.id, endpointId: ep!.id, kind: 'ipv6', url: 'http://x/', at: new Date(`${day}T10:00:00+08:00`),
      outcome: 'ok', httpStatus: null, durationMs: null, detail: {}, contentHash: null,
      ipv6: { grade, secondLevelRate: 1, thirdLevelRate: 1 },
    });
    const grades: Array<[string, string, string]> = [
      // day, measured grade, stored grade after it
      ['2026-10-01', 'ready', 'ready'],
      ['2026-10-02', 'partial', 'ready'], // one noisy sweep
      ['2026-10-03', 'ready', 'ready'],
      ['2026-10-04', 'partial', 'ready'],
      ['2026-10-05', 'not_ready', 'ready'], // another grade: still no two in a row
      ['2026-10-06', 'not_ready', 'not_ready'], // sustained
      ['2026-10-07', 'not_ready', 'not_ready'],
    ];
    for (const [day, grade, stored] of grades) {
      await db.transaction((tx) => storeProbeRecords(tx, [record(day, grade)], TZ));
      const [state] = await db.select().from(endpointState).where(eq(endpointState.endpointId, ep!.id));
      expect((state!.ipv6 as { grade: string }).grade, day).toBe(stored);
    }
    const rows = await db.select().from(ipv6Changes).where(eq(ipv6Changes.endpointId, ep!.id)).orderBy(ipv6Changes.at);
    // The change is dated when the new grade was first seen (it held from then on).
    expect(rows.map((r) => [r.at.toISOString(), r.grade])).toEqual([
      ['2026-10-01T02:00:00.000Z', 'ready'],
      ['2026-10-05T02:00:00.000Z', 'not_ready'],
    ]);
    const [state] = await db.select().from(endpointState).where(eq(endpointState.endpointId, ep!.id));
    expect(state!.ipv6Pending).toBeNull();
  });

  it('counts portal homepage visits per day for the inspection rule: visits, and those not opened within 15 s', async () => {
    const { db } = t.database;
    const [sys] = await db.select({ id: systems.id }).from(systems).where(eq(systems.code, 'HEALTHY'));
    const eps = await db.select({ id: endpoints.id, role: endpoints.role }).from(endpoints).where(eq(endpoints.systemId, sys!.id)).orderBy(endpoints.id);
    await db.update(endpoints).set({ role: 'portal' }).where(eq(endpoints.id, eps[0]!.id));
    await db.update(endpoints).set({ role: 'app' }).where(eq(endpoints.id, eps[1]!.id));
    const visit = (endpointId: number, hour: number, outcome: string, ms: number): ProbeRecord => ({
      targetId: 0, sweepId: null, systemId: sys!.id, endpointId, kind: 'liveness', url: 'http://x/', at: new Date(`2026-10-10T${String(hour).padStart(2, '0')}:00:00+08:00`),
      outcome, httpStatus: null, durationMs: ms, detail: {}, contentHash: null,
    });
    await db.transaction((tx) =>
      storeProbeRecords(tx, [visit(eps[0]!.id, 1, 'ok', 300), visit(eps[0]!.id, 2, 'ok', 16_000), visit(eps[0]!.id, 3, 'timeout', 15_000), visit(eps[0]!.id, 4, 'challenged', 100), visit(eps[1]!.id, 5, 'timeout', 15_000)], TZ),
    );
    await db.transaction((tx) => storeProbeRecords(tx, [visit(eps[0]!.id, 6, 'ok', 200)], TZ));
    const rows = await db.select().from(inspectionDays).where(and(eq(inspectionDays.systemId, sys!.id), eq(inspectionDays.day, '2026-10-10')));
    // The app endpoint is not a portal; the challenged probe is not a visit of the site.
    expect(rows.map((r) => [r.endpointId, r.day, r.visits, r.notOpened])).toEqual([[eps[0]!.id, '2026-10-10', 4, 2]]);
  });

  it('a portal-cadence sweep probes only portal endpoints, liveness only', async () => {
    const { db } = t.database;
    const sweep = await createSweep(db, { trigger: 'cron', kinds: ['liveness'], roles: ['portal'], slot: 'portal:test' }, new Date());
    const targets = await db.select({ endpointId: sweepTargets.endpointId }).from(sweepTargets).where(eq(sweepTargets.sweepId, sweep.id));
    const roles = await db.select({ id: endpoints.id, role: endpoints.role }).from(endpoints);
    const portalIds = new Set(roles.filter((r) => r.role === 'portal').map((r) => r.id));
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.every((x) => portalIds.has(x.endpointId!))).toBe(true);
    expect(roles.some((r) => r.role !== 'portal')).toBe(true); // the app endpoint exists, and was left out
  });

  it('adds a second sweep into the same day rollup instead of replacing it', async () => {
    const { db } = t.database;
    const sweep = await createSweep(db, { trigger: 'api', systems: ['GONE'], kinds: ['liveness'] }, new Date());
    await runSweepWorker({ db, deps, workerId: 'w2', timeZone: TZ, sweepId: sweep.id, concurrency: 5, probe: { retries: 0 } });
    const [gone] = await db.select().from(systems).where(eq(systems.code, 'GONE'));
    const [day] = await db.select().from(probeDays).where(eq(probeDays.systemId, gone!.id));
    expect(day).toMatchObject({ probes: 2, ok: 0, failed: 2, dnsNxdomain: 2 });
    expect(day!.outcomes).toEqual({ dns_nxdomain: 2 });
  });

  it('hands each batch to the store it is given (a probe thread’s is its main thread), and fails with nothing stored when that store refuses', async () => {
    const { db } = t.database;
    const res = await t.call('POST', '/api/v1/systems', { body: { code: 'STORED-ELSEWHERE', name: 'STORED-ELSEWHERE', departmentCode: 'C', endpoints: [{ url: h.fleet.url(FLEET.nxdomain, '/elsewhere') }] } });
    expect(res.status).toBe(201);
    const handed: SweepBatch[] = [];
    const first = await createSweep(db, { trigger: 'api', systems: ['STORED-ELSEWHERE'], kinds: ['liveness'] }, new Date());
    const stats = await runSweepWorker({ db, deps, workerId: 'w-store', timeZone: TZ, sweepId: first.id, concurrency: 5, probe: { retries: 0 }, store: (b) => (handed.push(b), storeBatch(db, b)) });
    expect(stats).toMatchObject({ targets: 1, failed: 1, lostLeases: 0 });
    expect(handed.flatMap((b) => b.targets.map((x) => x.records[0]!.outcome))).toEqual(['dns_nxdomain']);
    expect(handed[0]).toMatchObject({ workerId: 'w-store', timeZone: TZ });
    expect((await sweepProgress(db, first.id, new Date())).done).toBe(1);

    // At most maxBatch targets a batch, and the last ones are all stored: HEALTHY's two endpoints, both
    // buffered until the end (no batch is due before), go in two.
    const split = await createSweep(db, { trigger: 'api', systems: ['HEALTHY'], kinds: ['liveness'] }, new Date());
    const sizes: number[] = [];
    await runSweepWorker({ db, deps, workerId: 'w-split', timeZone: TZ, sweepId: split.id, concurrency: 5, batchSize: 1000, maxBatch: 1, flushMs: 600_000, probe: { retries: 0 }, store: (b) => (sizes.push(b.targets.length), storeBatch(db, b)) });
    expect(sizes).toEqual([1, 1]);
    expect((await sweepProgress(db, split.id, new Date())).done).toBe(2);

    const second = await createSweep(db, { trigger: 'api', systems: ['STORED-ELSEWHERE'], kinds: ['liveness'] }, new Date());
    const refused = runSweepWorker({ db, deps, workerId: 'w-refused', timeZone: TZ, sweepId: second.id, concurrency: 5, probe: { retries: 0 }, store: () => Promise.reject(new Error('the database went away')) });
    await expect(refused).rejects.toThrow('the database went away');
    const [target] = await db.select({ state: sweepTargets.state }).from(sweepTargets).where(eq(sweepTargets.sweepId, second.id));
    expect(target!.state).toBe('leased'); // back to the queue when its lease expires
    expect(await db.select({ id: probeResults.id }).from(probeResults).where(eq(probeResults.sweepId, second.id))).toEqual([]);
  });

  it('refuses a sweep of an unknown system with a field error', async () => {
    await expect(createSweep(t.database.db, { trigger: 'api', systems: ['NOPE'] }, new Date())).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('gives a dead worker’s targets to another worker, with no duplicated result', async () => {
    const { db } = t.database;
    const sweep = await createSweep(db, { trigger: 'cli', systems: ['HEALTHY', 'BROKEN'], kinds: ['liveness'] }, new Date());
    const before = (await db.select({ n: sql<number>`count(*)::int` }).from(probeResults))[0]!.n;
    // A worker leases everything for a short time and dies.
    const leasedAt = new Date();
    const dead = await leaseTargets(db, { sweepId: sweep.id, workerId: 'dead', limit: 10, leaseMs: 200, now: leasedAt });
    expect(dead).toHaveLength(3);
    // While the lease holds, nobody else can take them.
    expect(await leaseTargets(db, { sweepId: sweep.id, workerId: 'other', limit: 10, leaseMs: 200, now: new Date(leasedAt.getTime() + 199) })).toHaveLength(0);
    // The next worker's clock is past the lease: it takes the targets over.
    const later = () => new Date(Date.now() + 60_000);
    const stats = await runSweepWorker({ db, deps, workerId: 'alive', timeZone: TZ, sweepId: sweep.id, concurrency: 5, now: later, probe: { ca: h.fleet.ca, retries: 0 } });
    expect(stats.targets).toBe(3);
    // The dead worker comes back late: its results are not stored.
    const late = await claimCompletion(db, 'dead', dead.map((d) => ({ id: d.id, outcome: 'ok' })), new Date());
    expect(late.size).toBe(0);
    const after = (await db.select({ n: sql<number>`count(*)::int` }).from(probeResults))[0]!.n;
    expect(after - before).toBe(3);
    const targets = await db.select().from(sweepTargets).where(eq(sweepTargets.sweepId, sweep.id));
    expect(targets.every((x) => x.state === 'done' && x.leasedBy === 'alive' && x.attempts === 2)).toBe(true);
  });

  it('stores each target once when its own lease expired and came back to the same worker while it still held it', async () => {
    const { db } = t.database;
    const sweep = await createSweep(db, { trigger: 'cli', systems: ['HEALTHY', 'BROKEN'], kinds: ['liveness'] }, new Date());
    // A loaded machine renews late: every look at the clock is past the worker's own leases, so each
    // lease query hands back targets it is still probing or has not stored yet.
    let clock = Date.now();
    const late = () => new Date((clock += 2_000));
    const stats = await runSweepWorker({ db, deps, workerId: 'slow', timeZone: TZ, sweepId: sweep.id, concurrency: 1, leaseMs: 1_000, flushMs: 3_600_000, now: late, probe: { ca: h.fleet.ca, retries: 0 } });
    expect(stats.targets).toBe(3);
    const rows = await db.select({ n: sql<number>`count(*)::int`, targets: sql<number>`count(distinct endpoint_id)::int` }).from(probeResults).where(eq(probeResults.sweepId, sweep.id));
    expect(rows[0]).toEqual({ n: 3, targets: 3 });
    const targets = await db.select().from(sweepTargets).where(eq(sweepTargets.sweepId, sweep.id));
    expect(targets.every((x) => x.state === 'done')).toBe(true);
    // The test is about that case: some target was leased again while the worker held it.
    expect(targets.some((x) => x.attempts > 1)).toBe(true);
  });

  it('starts a scheduled slot once, however many processes ask', async () => {
    const { db } = t.database;
    const a = await createSweep(db, { trigger: 'cron', slot: 'cron:test-slot', kinds: ['liveness'] }, new Date());
    const b = await createSweep(db, { trigger: 'cron', slot: 'cron:test-slot', kinds: ['liveness'] }, new Date());
    expect(a.created).toBe(true);
    expect(b).toMatchObject({ id: a.id, created: false });
  });
});
