import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import cron, { type ScheduledTask } from 'node-cron';
import { everyMinutes, nextPortalVisit } from './portal-cadence.js';
import type { ProbeDeps } from '../../probes/deps.js';
import { requirePermission } from '../auth/access.js';
import type { Principal } from '../auth/tokens.js';
import type { Db } from '../db/client.js';
import { AppError } from '../errors.js';
import type { Log } from '../logger.js';
import type { ServiceMetrics } from '../metrics.js';
import { createSweep, type CreateSweepInput } from './queue.js';
import { runSweepWorker } from './runner.js';
import { pruneProbeResults } from './partitions.js';
import { SWEEP_KINDS } from './types.js';

export interface SweepServiceOptions {
  db: Db;
  deps: ProbeDeps;
  timeZone: string;
  concurrency: number;
  retentionDays: number;
  log: Log;
  metrics: ServiceMetrics;
  now?: () => Date;
  leaseMs?: number;
  /** Called after a sweep finishes (classification runs here). */
  afterSweep?: (sweepId: number) => Promise<void>;
}

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * The sweeps of one process: starts sweeps, works on any running sweep in the background (so several
 * processes on one PostgreSQL share the work), and runs the schedule.
 */
export class SweepService {
  private readonly workerId = newWorkerId();
  private readonly abort = new AbortController();
  private working: Promise<void> | undefined;
  private again = false;
  private poller: NodeJS.Timeout | undefined;
  private task: ScheduledTask | undefined;
  private portalTask: ScheduledTask | undefined;
  private portalTimer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly o: SweepServiceOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** Creates a sweep and makes sure this process works on it. */
  async start(input: CreateSweepInput): Promise<{ id: number; targets: number; created: boolean }> {
    const sweep = await createSweep(this.o.db, input, this.now());
    if (sweep.created) {
      this.o.metrics.sweepsStarted.inc({ trigger: input.trigger });
      this.o.log.info({ sweepId: sweep.id, targets: sweep.targets, trigger: input.trigger }, 'sweep started');
    }
    this.kick();
    return sweep;
  }

  /** Starts the background worker if idle; if busy, it looks again when done. */
  kick(): void {
    if (this.abort.signal.aborted) return;
    if (this.working) {
      this.again = true;
      return;
    }
    this.working = (async () => {
      do {
        this.again = false;
        try {
          await runSweepWorker({
            db: this.o.db,
            deps: this.o.deps,
            workerId: this.workerId,
            timeZone: this.o.timeZone,
            concurrency: this.o.concurrency,
            leaseMs: this.o.leaseMs,
            signal: this.abort.signal,
            now: this.now,
            log: this.o.log,
            metrics: this.o.metrics,
            onSweepDone: (id) => this.finished(id),
          });
        } catch (err) {
          this.o.log.error({ err, workerId: this.workerId }, 'sweep worker failed');
        }
      } while (this.again && !this.abort.signal.aborted);
    })().finally(() => (this.working = undefined));
  }

  private async finished(sweepId: number): Promise<void> {
    try {
      const pruned = await pruneProbeResults(this.o.db, this.o.retentionDays, this.now());
      if (pruned.partitions || pruned.deletedRows) this.o.log.info({ sweepId, ...pruned }, 'pruned raw probe results past retention');
      await this.o.afterSweep?.(sweepId);
    } catch (err) {
      this.o.log.error({ err, sweepId }, 'after-sweep work failed');
    }
  }

  /**
   * Polls for sweeps started by other processes (every few seconds) and runs the cron schedule. The
   * scheduled sweep's slot is unique, so of several processes only one creates it; all help run it.
   */
  /** One portal-cadence visit: liveness of `portal` endpoints only, in a slot unique across processes. */
  portalVisit(at: Date): Promise<{ id: number; targets: number; created: boolean }> {
    const slot = `portal:${at.toISOString().slice(0, 16)}`;
    return this.start({ trigger: 'cron', slot, kinds: ['liveness'], roles: ['portal'], requestedBy: 'portal cadence' });
  }

  private schedulePortal(schedule: string): void {
    const minutes = everyMinutes(schedule);
    const run = (at: Date) => this.portalVisit(at).catch((err) => this.o.log.error({ err }, 'portal visit failed to start'));
    if (minutes === null) {
      this.portalTask = cron.schedule(schedule, () => void run(this.now()), { timezone: this.o.timeZone, name: 'xuncha-portal', noOverlap: true });
      return;
    }
    const arm = () => {
      const next = nextPortalVisit(this.now(), minutes, this.o.timeZone);
      this.portalTimer = setTimeout(() => {
        void run(next);
        arm();
      }, Math.max(0, next.getTime() - this.now().getTime()));
      this.portalTimer.unref();
    };
    arm();
  }

  startBackground(opts: { cron?: string; portalCron?: string; pollMs?: number }): void {
    if (opts.portalCron) this.schedulePortal(opts.portalCron);
    this.poller = setInterval(() => this.kick(), opts.pollMs ?? 5_000);
    this.poller.unref();
    if (opts.cron) {
      this.task = cron.schedule(
        opts.cron,
        () => {
          const at = this.now();
          const slot = `cron:${at.toISOString().slice(0, 16)}`;
          this.start({ trigger: 'cron', slot, kinds: [...SWEEP_KINDS], requestedBy: 'schedule' }).catch((err) => this.o.log.error({ err }, 'scheduled sweep failed to start'));
        },
        { timezone: this.o.timeZone, name: 'xuncha-sweep', noOverlap: true },
      );
    }
  }

  /** When the scheduled sweep (SWEEP_CRON) runs next; null when there is no schedule. */
  nextScheduled(): Date | null {
    try {
      return this.task?.getNextRun() ?? null;
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    if (this.poller) clearInterval(this.poller);
    await this.task?.stop();
    await this.portalTask?.stop();
    if (this.portalTimer) clearTimeout(this.portalTimer);
    await this.working;
  }
}

/** A sweep started on request: needs the sweep permission, and a runtime that probes. */
export async function startSweep(service: SweepService | undefined, principal: Principal, input: Omit<CreateSweepInput, 'requestedBy'>) {
  requirePermission(principal, 'sweep');
  if (!service) throw new AppError('unavailable', 'this deployment does not run probes; start sweeps on a Node process');
  return service.start({ ...input, requestedBy: principal.name });
}
