import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createProbeDeps, type ProbeDeps } from '../../probes/deps.js';
import { PolicyConfigError } from '../../probes/policy.js';
import type { Config } from '../config.js';
import { ConfigError } from '../config.js';
import type { Db } from '../db/client.js';
import type { Log } from '../logger.js';
import type { ServiceMetrics } from '../metrics.js';
import { runSweepWorker, storeBatch, type SweepWorkerStats } from './runner.js';
import type { SweepStoreReply, SweepThreadInput, SweepThreadMessage } from './sweep-thread.js';

/** Probe dependencies from the environment; a bad CIDR or DNS server is a configuration error naming it. */
export function probeDepsFromConfig(config: Config): ProbeDeps {
  try {
    return createProbeDeps(config);
  } catch (e) {
    if (e instanceof PolicyConfigError || e instanceof Error) throw new ConfigError(e.message);
    throw e;
  }
}

/** Heap of each probe thread (V8 old generation), in MB: bounded queues and batches keep a thread far below it. */
export const PROBE_THREAD_HEAP_MB = 64;
/**
 * Young generation of each probe thread, in MB. A probe's objects die young; with 8 MB the scavenger
 * ran so often that the state of the probes in flight was copied and promoted over and over (GC was
 * 16% of a sweep's profile; 11% with 16 MB, 8% with 32 MB). 16 MB keeps a 2-thread sweep process's
 * VmHWM near 210–230 MB, under the 256 MB budget that 32 MB broke (260 MB).
 */
export const PROBE_THREAD_YOUNG_MB = 16;

/**
 * Probe threads a sweep process runs: PROBE_THREADS, else none on 2 cores or fewer and one per core but
 * one above that; 0 means the main thread probes and stores on its own (always so on the embedded
 * database: one process, one connection, no thread could open it). On 2 cores the main thread alone was
 * both faster and cheaper than one probe thread (alternating runs of `bench/sweep-fleet.ts`, PostgreSQL
 * on the same machine, 10,000 targets, concurrency 200: 4,083–4,545 targets/s at 0.21–0.22 ms of the
 * process's CPU per stored probe and 187–193 MB VmHWM, against 3,454–4,031/s at 0.27–0.28 ms and
 * 179–192 MB with one thread; 2,484–2,550/s at 0.50 ms with two): the second core is busy with PostgreSQL, the kernel's connection
 * work and V8's compiler and collector threads, and a thread costs its own isolate (its own JIT warm-up
 * of every hot function, its own start-up, the batches copied between threads) and a capped heap, whose
 * collector works harder. Above 2 cores the threads are what uses the cores.
 */
export function probeThreads(config: Pick<Config, 'PROBE_THREADS' | 'DATABASE_URL'>, concurrency: number, cores = availableParallelism()): number {
  if (!config.DATABASE_URL) return 0;
  return Math.min(config.PROBE_THREADS ?? (cores <= 2 ? 0 : cores - 1), concurrency);
}

/** The thread's script: beside the bundle (dist/sweep-thread.mjs), or the TypeScript source through tsx. */
function threadScript(): URL {
  for (const bundled of [new URL('./sweep-thread.mjs', import.meta.url), new URL('../sweep-thread.mjs', import.meta.url)]) {
    if (existsSync(fileURLToPath(bundled))) return bundled;
  }
  return new URL('./sweep-thread-source.mjs', import.meta.url);
}

export interface SweepProcessOptions {
  config: Config;
  db: Db;
  sweepId: number;
  /** Probes in flight for the whole process, split between the threads. */
  concurrency: number;
  leaseMs: number;
  untilSweepDone: boolean;
  workerId: () => string;
  log?: Log;
  metrics?: ServiceMetrics;
  onBatch?: (stored: number) => void;
}

/**
 * Runs a sweep: with no probe threads (`probeThreads`), one sweep worker on this thread, which probes and
 * stores; else a sweep worker per thread, each with its own pool, lease owner and share of the
 * concurrency and per-host limits, with explicit heap limits, whose batches this thread stores (each in
 * one transaction, completion and records together: storing was a fifth of a probe thread's time, and
 * this thread had nothing else to do). It holds at most one batch per thread at a time (a thread sends
 * its next when the last is stored), each one a thread's buffer, bounded by that thread's heap. A thread
 * that fails fails the run; its leased targets go back to the queue when their leases expire, as a
 * killed process's do.
 */
export async function runSweepProcess(o: SweepProcessOptions): Promise<SweepWorkerStats & { threads: number }> {
  const threads = probeThreads(o.config, o.concurrency);
  if (threads === 0) {
    const deps = probeDepsFromConfig({ ...o.config, PROBE_CONCURRENCY: o.concurrency });
    const stats = await runSweepWorker({ db: o.db, deps, workerId: o.workerId(), timeZone: o.config.TZ, sweepId: o.sweepId, concurrency: o.concurrency, leaseMs: o.leaseMs, untilSweepDone: o.untilSweepDone, log: o.log, metrics: o.metrics, onBatch: o.onBatch });
    return { ...stats, threads };
  }
  const script = threadScript();
  const runs = Array.from({ length: threads }, (_, i) => {
    const input: SweepThreadInput = {
      config: o.config,
      sweepId: o.sweepId,
      workerId: o.workerId(),
      concurrency: Math.ceil(o.concurrency / threads),
      perHost: Math.max(1, Math.floor(o.config.PROBE_PER_HOST / threads)),
      leaseMs: o.leaseMs,
      untilSweepDone: o.untilSweepDone,
    };
    return new Promise<SweepWorkerStats>((resolve, reject) => {
      const worker = new Worker(script, { workerData: input, name: `probe-${i}`, resourceLimits: { maxOldGenerationSizeMb: PROBE_THREAD_HEAP_MB, maxYoungGenerationSizeMb: PROBE_THREAD_YOUNG_MB } });
      let settled = false;
      const reply = (m: SweepStoreReply) => worker.postMessage(m);
      worker.on('message', (m: SweepThreadMessage) => {
        if (m.type === 'store') {
          storeBatch(o.db, m.batch).then(
            (ids) => {
              reply({ type: 'stored', id: m.id, ids });
              o.onBatch?.(ids.length);
            },
            (err: unknown) => reply({ type: 'store-failed', id: m.id, message: err instanceof Error ? err.message : String(err) }),
          );
        } else if (m.type === 'done') (settled = true), resolve(m.stats);
        else (settled = true), reject(new Error(`probe thread ${i}: ${m.message}`));
      });
      worker.on('error', (err) => ((settled = true), reject(err)));
      worker.on('exit', (code) => settled || reject(new Error(`probe thread ${i} stopped with code ${code}`)));
    });
  });
  const all = await Promise.all(runs);
  return all.reduce((a, s) => ({ targets: a.targets + s.targets, ok: a.ok + s.ok, failed: a.failed + s.failed, lostLeases: a.lostLeases + s.lostLeases, threads }), { targets: 0, ok: 0, failed: 0, lostLeases: 0, threads });
}
