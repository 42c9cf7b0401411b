/**
 * A probe thread of a `xuncha sweep` process (src/sweeps/process.ts starts them): its own database
 * pool, probe limits and lease owner, so it leases, probes and stores batches exactly as a separate
 * process would; the queue's leases keep threads and processes from probing a target twice.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config.js';
import { connectPostgres } from '../db/postgres.js';
import { createLogger } from '../logger.js';
import { probeDepsFromConfig } from './process.js';
import { runSweepWorker, type SweepWorkerStats } from './runner.js';

export interface SweepThreadInput {
  config: Config;
  sweepId: number;
  workerId: string;
  concurrency: number;
  perHost: number;
  leaseMs: number;
  untilSweepDone: boolean;
}

export type SweepThreadMessage = { type: 'batch'; stored: number } | { type: 'done'; stats: SweepWorkerStats } | { type: 'failed'; message: string };

const input = workerData as SweepThreadInput;
const post = (m: SweepThreadMessage) => parentPort!.postMessage(m);
const database = connectPostgres(input.config.DATABASE_URL!, { max: 3 });
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
    onBatch: (stored) => post({ type: 'batch', stored }),
  });
  post({ type: 'done', stats });
} catch (err) {
  post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
} finally {
  await database.close();
}
