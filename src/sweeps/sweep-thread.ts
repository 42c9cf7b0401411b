/**
 * A probe thread of a `xuncha sweep` process (src/sweeps/process.ts starts them): its own database
 * pool, probe limits and lease owner, so it leases and probes exactly as a separate process would; the
 * queue's leases keep threads and processes from probing a target twice. Its batches are stored by the
 * process's main thread (`storeBatch`, one transaction each, as a thread would), which has nothing else
 * to do: storing was a fifth of a probe thread's time, and the probe thread is what limits a sweep.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { connectPostgres } from '../db/postgres.js';
import { createLogger } from '../logger.js';
import { probeDepsFromConfig } from './process.js';
import { runSweepWorker, type SweepBatch, type SweepWorkerStats } from './runner.js';

export interface SweepThreadInput {
  config: Config;
  sweepId: number;
  workerId: string;
  concurrency: number;
  perHost: number;
  leaseMs: number;
  untilSweepDone: boolean;
}

export type SweepThreadMessage =
  | { type: 'store'; id: number; batch: SweepBatch }
  | { type: 'done'; stats: SweepWorkerStats }
  | { type: 'failed'; message: string };

/** The main thread's answer to a `store`: the ids it stored, or why it could not. */
export type SweepStoreReply = { type: 'stored'; id: number; ids: number[] } | { type: 'store-failed'; id: number; message: string };

const input = workerData as SweepThreadInput;
const post = (m: SweepThreadMessage) => parentPort!.postMessage(m);
const database = connectPostgres(input.config.DATABASE_URL!, { max: 3 });
const pending = new Map<number, { resolve: (ids: number[]) => void; reject: (err: Error) => void }>();
let nextStore = 0;
const onReply = (m: SweepStoreReply) => {
  const p = pending.get(m.id);
  if (!p) return;
  pending.delete(m.id);
  if (m.type === 'stored') p.resolve(m.ids);
  else p.reject(new Error(m.message));
};
parentPort!.on('message', onReply);
const store = (batch: SweepBatch) =>
  new Promise<number[]>((resolve, reject) => {
    const id = nextStore++;
    pending.set(id, { resolve, reject });
    post({ type: 'store', id, batch });
  });
try {
  const stats = await runSweepWorker({
    db: database.db,
    deps: probeDepsFromConfig({ ...input.config, PROBE_CONCURRENCY: input.concurrency, PROBE_PER_HOST: input.perHost }),
    workerId: input.workerId,
    timeZone: input.config.TZ,
    sweepId: input.sweepId,
    concurrency: input.concurrency,
    leaseMs: input.leaseMs,
    untilSweepDone: input.untilSweepDone,
    log: createLogger(input.config.LOG_LEVEL === 'info' ? 'warn' : input.config.LOG_LEVEL),
    // Progress is the main thread's to report: it knows what each batch stored.
    store,
  });
  post({ type: 'done', stats });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
} finally {
  parentPort!.off('message', onReply);
  await database.close();
}
