import type { ProbeDeps } from '../../probes/deps.js';
import type { Db } from '../db/client.js';
import type { Log } from '../logger.js';
import type { ServiceMetrics } from '../metrics.js';
import { claimCompletion, finishSweepIfComplete, leaseTargets, renewLeases, sweepKinds, UNFINISHED } from './queue.js';
import { probeTarget, type ProbeTargetOptions } from './probe-target.js';
import { storeProbeRecords } from './store.js';
import { ensureProbePartitions } from './partitions.js';
import type { LeasedTarget, ProbeRecord, SweepKind } from './types.js';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { sweepTargets } from '../db/schema/index.js';
import { hostOf } from '../../probes/host.js';

export interface SweepWorkerOptions {
  db: Db;
  deps: ProbeDeps;
  /** Unique per process (host:pid:random): lease ownership. */
  workerId: string;
  timeZone: string;
  /** Work on this sweep only; otherwise on any running sweep. */
  sweepId?: number;
  /** Targets in flight in this worker (PROBE_CONCURRENCY). */
  concurrency: number;
  /** How long a lease lasts without renewal; a killed worker's targets return to the queue after it. */
  leaseMs?: number;
  /** Results are written in batches of this many targets, or after flushMs. */
  batchSize?: number;
  /** The most targets one batch stores (default 2,000); what is left waits for the next, which follows at once. */
  maxBatch?: number;
  flushMs?: number;
  /** Keep waiting for targets leased by other workers until the sweep is done (the CLI does). */
  untilSweepDone?: boolean;
  signal?: AbortSignal;
  now?: () => Date;
  log?: Log;
  metrics?: ServiceMetrics;
  probe?: Omit<ProbeTargetOptions, 'deps' | 'timeZone'>;
  /** Stores a batch (default: `storeBatch` on `db`); a probe thread hands its batches to its process's main thread. */
  store?: (batch: SweepBatch) => Promise<number[]>;
  onBatch?: (stored: number) => void;
  onSweepDone?: (sweepId: number) => Promise<void> | void;
}

export interface SweepWorkerStats {
  targets: number;
  ok: number;
  failed: number;
  /** Results dropped because another worker took the lease over first. */
  lostLeases: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** A worker's finished targets with their records, to be stored together. */
export interface SweepBatch {
  /** The worker holding the targets' leases. */
  workerId: string;
  at: Date;
  timeZone: string;
  targets: Array<{ id: number; records: ProbeRecord[] }>;
}

/**
 * Stores a batch in one transaction: the completion of the targets whose lease the worker still holds,
 * and their records (any other's lease was taken over: its result is dropped, never stored twice).
 * Returns the ids it stored.
 */
export async function storeBatch(db: Db, batch: SweepBatch): Promise<number[]> {
  return db.transaction(async (tx) => {
    const owned = await claimCompletion(tx, batch.workerId, batch.targets.map((b) => ({ id: b.id, outcome: primaryOutcome(b.records) })), batch.at);
    await storeProbeRecords(tx, batch.targets.filter((b) => owned.has(b.id)).flatMap((b) => b.records), batch.timeZone);
    return [...owned];
  });
}

/** The main result of a target for its queue row: its first kind's (liveness, or the pull, when asked). */
function primaryOutcome(records: ProbeRecord[]): string {
  return records[0]?.outcome ?? 'protocol_error';
}

/**
 * One probe worker: leases targets, probes them under the global and per-host limits, and stores
 * results in batches, each batch in one transaction with the completion of its targets.
 */
export async function runSweepWorker(o: SweepWorkerOptions): Promise<SweepWorkerStats> {
  const now = o.now ?? (() => new Date());
  const leaseMs = o.leaseMs ?? 60_000;
  const batchSize = o.batchSize ?? 100;
  const maxBatch = o.maxBatch ?? 2_000;
  const store = o.store ?? ((batch: SweepBatch) => storeBatch(o.db, batch));
  const flushMs = o.flushMs ?? 1_000;
  const stats: SweepWorkerStats = { targets: 0, ok: 0, failed: 0, lostLeases: 0 };
  // Today's and the next days' partitions of probe_results, outside any batch's transaction.
  await ensureProbePartitions(o.db, now());
  const inFlight = new Map<number, LeasedTarget>();
  const waiting: LeasedTarget[] = [];
  // Every target this worker holds, from its lease until its batch is stored. A lease of ours that
  // expired (a late renewal on a loaded machine) can come back to us from leaseTargets while the first
  // copy still waits, runs or sits in the buffer: probed twice, both results would land in one batch,
  // and claimCompletion would own both: a result stored twice.
  const held = new Set<number>();
  const running = new Set<Promise<void>>();
  let buffer: Array<{ target: LeasedTarget; records: ProbeRecord[] }> = [];
  let lastFlush = Date.now();
  const kindsCache = new Map<number, SweepKind[]>();
  const touchedSweeps = new Set<number>();
  let wake: (() => void) | undefined;
  const wakeUp = () => wake?.();

  const renewTimer = setInterval(() => {
    const ids = [...inFlight.keys(), ...buffer.map((b) => b.target.id), ...waiting.map((t) => t.id)];
    renewLeases(o.db, o.workerId, ids, leaseMs, now()).catch((err) => o.log?.warn({ err, workerId: o.workerId }, 'lease renewal failed'));
  }, Math.max(250, Math.floor(leaseMs / 3)));

  const kindsOf = async (sweepId: number) => {
    let k = kindsCache.get(sweepId);
    if (!k) kindsCache.set(sweepId, (k = await sweepKinds(o.db, sweepId)));
    return k;
  };

  const flush = async () => {
    if (!buffer.length) return;
    // The buffer grows while a batch is stored; a batch stays bounded (a probe thread's travels to its main thread).
    const batch = buffer.length > maxBatch ? buffer.splice(0, maxBatch) : buffer;
    if (batch === buffer) buffer = [];
    lastFlush = Date.now();
    const toStore: SweepBatch = { workerId: o.workerId, at: now(), timeZone: o.timeZone, targets: batch.map((b) => ({ id: b.target.id, records: b.records })) };
    const owned = new Set(await store(toStore));
    for (const b of batch) held.delete(b.target.id);
    stats.lostLeases += batch.length - owned.size;
    const records: ProbeRecord[] = [];
    for (const b of batch) {
      if (!owned.has(b.target.id)) continue;
      records.push(...b.records);
      const outcome = primaryOutcome(b.records);
      stats.targets++;
      if (outcome === 'ok') stats.ok++;
      else stats.failed++;
      touchedSweeps.add(b.target.sweepId);
    }
    for (const r of records) {
      o.metrics?.probes.inc({ kind: r.kind, outcome: r.outcome });
      if (r.durationMs !== null) o.metrics?.probeSeconds.observe({ kind: r.kind }, r.durationMs / 1000);
    }
    o.onBatch?.(owned.size);
    for (const sweepId of touchedSweeps) {
      if (await finishSweepIfComplete(o.db, sweepId, now())) {
        touchedSweeps.delete(sweepId);
        o.metrics?.sweepsFinished.inc();
        o.log?.info({ sweepId, workerId: o.workerId }, 'sweep finished');
        await o.onSweepDone?.(sweepId);
      }
    }
  };

  /** Stores everything buffered, a batch at a time: when the work is done or paused. */
  const flushAll = async () => {
    while (buffer.length) await flush();
  };

  const start = (t: LeasedTarget, kinds: SweepKind[]) => {
    inFlight.set(t.id, t);
    o.metrics?.inFlight.set(inFlight.size);
    // A bad URL gets a limiter slot of its own; the probe reports it.
    const host = hostOf(t.url) ?? t.url;
    const p = o.deps.limiter
      .run(host, () => probeTarget(o.db, t, kinds, { deps: o.deps, timeZone: o.timeZone, ...o.probe }))
      .then((records) => {
        buffer.push({ target: t, records });
      })
      .finally(() => {
        inFlight.delete(t.id);
        o.metrics?.inFlight.set(inFlight.size);
        running.delete(p);
        wakeUp();
      });
    running.add(p);
  };

  // Leased targets wait here until a probe slot is free: leasing in chunks keeps the queue table
  // out of the hot path, and the renewal timer keeps these leases alive too.
  let flushing: Promise<void> | undefined;
  const flushInBackground = () => {
    if (flushing || !buffer.length) return;
    flushing = flush().finally(() => {
      flushing = undefined;
      wakeUp();
    });
  };
  let drained = false;

  try {
    while (!o.signal?.aborted) {
      const holding = waiting.length + inFlight.size;
      if (!drained && holding < o.concurrency * 2 && waiting.length < o.concurrency) {
        // Lease what fills the free slots plus a chunk ahead, but a worker holding nothing takes no more
        // than its slots: threads and processes starting together then share a small sweep of heavy
        // targets (200 portal crawls) instead of the first one leasing all of it.
        const limit = Math.min(1000, holding === 0 ? o.concurrency : o.concurrency * 2 - holding);
        const leased = await leaseTargets(o.db, { sweepId: o.sweepId, workerId: o.workerId, limit, leaseMs, now: now() });
        for (const t of leased) {
          if (held.has(t.id)) continue;
          held.add(t.id);
          waiting.push(t);
        }
        // Nothing free right now: others hold the rest, or the queue is empty.
        if (!leased.length) drained = true;
      }
      while (waiting.length && inFlight.size < o.concurrency) {
        const t = waiting.shift()!;
        start(t, await kindsOf(t.sweepId));
      }
      if (buffer.length >= batchSize || (buffer.length && Date.now() - lastFlush >= flushMs)) flushInBackground();
      if (!waiting.length && inFlight.size === 0) {
        await flushing;
        await flushAll();
        if (!drained) continue;
        if (!o.untilSweepDone || o.sweepId === undefined) break;
        if (await sweepDone(o.db, o.sweepId)) break;
        await sleep(Math.min(1000, leaseMs / 4), o.signal);
        drained = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, drained ? flushMs : Math.min(flushMs, 200));
      });
      wake = undefined;
      // Look for more work now and then even after a drain: expired leases of dead workers come back.
      if (drained && waiting.length + inFlight.size < o.concurrency / 2) drained = false;
    }
    await Promise.allSettled([...running]);
    await flushing;
    await flushAll();
  } finally {
    clearInterval(renewTimer);
  }
  return stats;
}

async function sweepDone(db: Db, sweepId: number): Promise<boolean> {
  const [r] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(sweepTargets)
    .where(and(eq(sweepTargets.sweepId, sweepId), inArray(sweepTargets.state, UNFINISHED)));
  return (r?.n ?? 0) === 0;
}
