/**
 * Verdicts: the database side of the reporting core (reports/) — evidence loading, the classification
 * run, findings, policies and the monthly report loader.
 */
import type { Database } from '../db/client.js';
import type { Log } from '../logger.js';
import { classifyAll } from './classify-run.js';

export * from './classify-run.js';
export * from './evidence.js';
export * from './findings.js';
export * from './monthly.js';
export * from './policies.js';
export { localDay, endOfDay } from '../../probes/time.js';

/** The `afterSweep` hook of the Node server: classify every system once a sweep has finished. */
export function classifyAfterSweep(log: Log, timeZone: string, now: () => Date = () => new Date()) {
  return async (database: Database, sweepId: number): Promise<void> => {
    const r = await classifyAll(database.db, { now: now(), timeZone });
    log.info({ sweepId, asOf: r.asOf, policyVersion: r.policyVersion, counts: r.counts, changed: r.changed, findingsOpened: r.findingsOpened }, 'classified after sweep');
  };
}
