import { createProbeLimiter } from '../../probes/concurrency.js';
import type { ProbeDeps } from '../../probes/deps.js';
import { createProbeResolver } from '../../probes/dns.js';
import type { ProbeClock } from '../../probes/outcome.js';
import { createTargetPolicy } from '../../probes/policy.js';
import { addDays, diffDays, type Day } from '../../reports/dates.js';
import type { UsageMetric } from '../../reports/codes.js';
import { createSweep } from '../../src/sweeps/queue.js';
import { runSweepWorker } from '../../src/sweeps/runner.js';
import type { SweepKind } from '../../src/sweeps/types.js';
import { classifyAll } from '../../src/verdicts/classify-run.js';
import type { TestApp } from '../support/app.js';
import type { CityFleet } from '../support/fleet-city.js';

/**
 * Drives the loopback city through days with an injected clock, as the service would run them: the
 * 02:00 sweep (liveness every day; IPv6 and sitemaps on the given days), the classification that
 * follows a sweep, and each system's usage feed pushing the day's figures through the API at 23:00.
 */

export const TZ = 'Asia/Shanghai';

/** A wall clock the test moves; durations still come from the real monotonic timer. */
export interface SimClock extends ProbeClock {
  set(at: Date): void;
}

export function simClock(start: Date): SimClock {
  let now = start;
  return {
    now: () => now,
    elapsedMs: () => performance.now(),
    set(at) {
      now = at;
    },
  };
}

/** `HH:MM` of a local (Asia/Shanghai, UTC+8, no DST) day as an instant. */
export const at = (day: Day, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);

export interface Lane {
  /** Systems probed in this lane. */
  systems: string[];
  /** The lane's whole-probe timeout. */
  timeoutMs: number;
  /**
   * For a lane of targets that never answer: resolves once every probe of the lane is waiting for its
   * answer. The other lanes start only then, so their work cannot delay this lane's connects (a late
   * connect would be a `connect_timeout`); after it, a hang can only end as a `timeout`.
   */
  waiting?: () => Promise<void>;
}

export interface DriveOptions {
  t: TestApp;
  fleet: CityFleet;
  clock: SimClock;
  first: Day;
  last: Day;
  lanes: Lane[];
  /** Days (besides liveness) with an IPv6 and sitemap sweep of these systems. */
  weekly: { days: Day[]; systems: string[]; kinds: SweepKind[] };
  /** The figures each system's feed pushes for a day (by day index from `first`); none: no feed. */
  usage: Record<string, (index: number) => Partial<Record<UsageMetric, number>>>;
  /** Called after each day, e.g. to record figures. */
  onDay?: (day: Day, index: number) => Promise<void> | void;
}

export interface DriveStats {
  /** Wall-clock and CPU (user + system) milliseconds spent per phase, to keep the scenario cheap. */
  ms: Record<'lanes' | 'weekly' | 'classify' | 'usage', number>;
  cpuMs: Record<'lanes' | 'weekly' | 'classify' | 'usage', number>;
  days: number;
  sweeps: number;
  classifications: number;
  usagePosts: number;
}

/** Runs one sweep to completion with the given deps; the lease clock is the simulated one. */
async function sweep(o: DriveOptions, deps: ProbeDeps, systems: string[], kinds: SweepKind[], slot: string): Promise<void> {
  const { db } = o.t.database;
  const created = await createSweep(db, { trigger: 'cron', systems, kinds, slot, requestedBy: 'schedule' }, o.clock.now());
  await runSweepWorker({
    db,
    deps,
    workerId: `scenario:${slot}`,
    timeZone: TZ,
    sweepId: created.id,
    concurrency: 32,
    now: o.clock.now,
    // One quick retry of a transient failure: the retry path runs, and a reset day stays a reset day.
    probe: { ca: o.fleet.ca, retries: 1, backoffMs: 1 },
  });
}

export async function driveCity(o: DriveOptions): Promise<DriveStats> {
  const resolver = createProbeResolver({ servers: o.fleet.dnsServers, timeoutMs: 5000, tries: 2, clock: o.clock });
  const policy = createTargetPolicy();
  const depsFor = (timeoutMs: number): ProbeDeps => ({ resolver, policy, timeoutMs, clock: o.clock, limiter: createProbeLimiter(64, 8) });
  const lanes = o.lanes.map((l) => ({ ...l, deps: depsFor(l.timeoutMs) }));
  const weeklyDeps = depsFor(Math.max(...o.lanes.map((l) => l.timeoutMs)));
  const stats: DriveStats = { ms: { lanes: 0, weekly: 0, classify: 0, usage: 0 }, cpuMs: { lanes: 0, weekly: 0, classify: 0, usage: 0 }, days: 0, sweeps: 0, classifications: 0, usagePosts: 0 };
  const count = diffDays(o.last, o.first) + 1;
  for (let index = 0; index < count; index++) {
    const day = addDays(o.first, index);
    o.fleet.setDay(day, index);
    o.clock.set(at(day, '02:00'));
    let mark = performance.now();
    let cpu = process.cpuUsage();
    const lap = (phase: keyof DriveStats['ms']) => {
      const t = performance.now();
      const c = process.cpuUsage(cpu);
      stats.ms[phase] += t - mark;
      stats.cpuMs[phase] += (c.user + c.system) / 1000;
      mark = t;
      cpu = process.cpuUsage();
    };
    const running: Promise<void>[] = [];
    for (const lane of lanes.filter((l) => l.waiting)) {
      const waiting = lane.waiting!();
      const done = sweep(o, lane.deps, lane.systems, ['liveness'], `${day}:${lane.systems[0]}`);
      running.push(done);
      // If the lane ends first (it should not), its outcome shows it; nothing waits forever.
      await Promise.race([waiting, done]);
    }
    for (const lane of lanes.filter((l) => !l.waiting)) running.push(sweep(o, lane.deps, lane.systems, ['liveness'], `${day}:${lane.systems[0]}`));
    await Promise.all(running);
    stats.sweeps += running.length;
    lap('lanes');
    if (o.weekly.days.includes(day)) {
      o.clock.set(at(day, '03:00'));
      await sweep(o, weeklyDeps, o.weekly.systems, o.weekly.kinds, `${day}:weekly`);
      stats.sweeps++;
    }
    lap('weekly');
    o.clock.set(at(day, '04:00'));
    await classifyAll(o.t.database.db, { now: o.clock.now(), timeZone: TZ });
    stats.classifications++;
    lap('classify');

    o.clock.set(at(day, '23:00'));
    for (const [code, figures] of Object.entries(o.usage)) {
      const points = Object.entries(figures(index)).map(([metric, value]) => ({ date: day, metric, value }));
      if (!points.length) continue;
      const res = await o.t.call('POST', `/api/v1/systems/${code}/usage`, { body: points });
      if (res.status !== 200) throw new Error(`usage push ${code} ${day}: ${res.status} ${await res.text()}`);
      stats.usagePosts++;
    }
    lap('usage');
    await o.onDay?.(day, index);
    stats.days++;
  }
  return stats;
}
