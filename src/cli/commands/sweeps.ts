import { eq } from 'drizzle-orm';
import { systems } from '../../db/schema/index.js';
import { AppError } from '../../errors.js';
import { createServiceMetrics } from '../../metrics.js';
import { createSweep, sweepProgress } from '../../sweeps/queue.js';
import { newWorkerId } from '../../sweeps/service.js';
import { probeDepsFromConfig, runSweepProcess } from '../../sweeps/process.js';
import { readFileSync } from 'node:fs';
import { SWEEP_KINDS, type SweepKind } from '../../sweeps/kinds/index.js';
import { upsertUsage } from '../../sweeps/usage.js';
import { createLogger } from '../../logger.js';
import { UsageError, type Command } from '../command.js';

function progressBar(done: number, total: number, width = 30): string {
  const share = total ? done / total : 1;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${(share * 100).toFixed(0)}%`;
}

export const sweepCommand: Command = {
  words: ['sweep'],
  usage: `xuncha sweep [--system CODE]… [--concurrency N] [--kinds ${SWEEP_KINDS.join(',')}] [--join ID] [--json]`,
  summary: 'probe now and print a summary',
  options: {
    system: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    kinds: { type: 'string' },
    join: { type: 'string' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    system: 'only this system (repeat for more)',
    concurrency: 'probes in flight (default PROBE_CONCURRENCY)',
    kinds: 'comma list of probe kinds (default all)',
    join: 'help a running sweep by its id instead of starting one',
    json: 'print {"sweepId","targets","ok","failed","seconds"} as JSON',
  },
  async run({ values }, ctx) {
    const concurrency = values.concurrency === undefined ? ctx.config.PROBE_CONCURRENCY : Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000) throw new UsageError('--concurrency must be a whole number from 1 to 10000');
    const kinds = values.kinds === undefined ? undefined : String(values.kinds).split(',').map((k) => k.trim());
    if (kinds?.some((k) => !(SWEEP_KINDS as readonly string[]).includes(k))) throw new UsageError(`--kinds takes ${SWEEP_KINDS.join(', ')}`);
    const join = values.join === undefined ? undefined : Number(values.join);
    if (join !== undefined && (!Number.isInteger(join) || join < 1)) throw new UsageError('--join takes a sweep id');
    probeDepsFromConfig({ ...ctx.config, PROBE_CONCURRENCY: concurrency }); // a bad CIDR or DNS server fails before any sweep starts
    const { db } = await ctx.openDb();
    const started = Date.now();
    const cpuAtStart = process.cpuUsage();
    const sweepId =
      join ??
      (await createSweep(db, { trigger: 'cli', systems: values.system as string[] | undefined, kinds: kinds as SweepKind[] | undefined, requestedBy: ctx.principal.name }, new Date())).id;
    const total = (await sweepProgress(db, sweepId, new Date())).targets;
    let done = (await sweepProgress(db, sweepId, new Date())).done;
    const showBar = ctx.isTTY && !values.json;
    const leaseMs = Number(process.env.SWEEP_LEASE_MS ?? 60_000);
    // The main thread, or probe threads on PostgreSQL (PROBE_THREADS; by default on more than 2 cores).
    const stats = await runSweepProcess({
      config: ctx.config,
      db,
      workerId: newWorkerId,
      sweepId,
      concurrency,
      leaseMs: Number.isFinite(leaseMs) && leaseMs >= 200 ? leaseMs : 60_000,
      untilSweepDone: true,
      log: createLogger(ctx.config.LOG_LEVEL === 'info' ? 'warn' : ctx.config.LOG_LEVEL),
      metrics: createServiceMetrics(),
      onBatch: (n) => {
        done += n;
        if (showBar) process.stderr.write(`\r${progressBar(Math.min(done, total), total)}`);
      },
    });
    if (showBar) process.stderr.write('\n');
    // As the server does after each sweep; a process that only joined leaves it to the one that started it.
    if (join === undefined) await (await import('../../verdicts/classify-run.js')).classifyAll(db, { now: new Date(), timeZone: ctx.config.TZ });
    const p = await sweepProgress(db, sweepId, new Date());
    const seconds = Math.round((Date.now() - started) / 100) / 10;
    if (values.json) {
      const usage = process.resourceUsage();
      // VmHWM: the process's peak resident set, threads included (Linux); maxRSS elsewhere.
      const hwm = /VmHWM:\s+(\d+) kB/.exec((() => { try { return readFileSync('/proc/self/status', 'utf8'); } catch { return ''; } })());
      // CPU of every thread: the process's whole life, and the sweep's own (from the database being open, as `seconds`).
      const sweepCpu = process.cpuUsage(cpuAtStart);
      const resources = {
        peakRssMb: Math.round((hwm ? Number(hwm[1]) : usage.maxRSS) / 1024),
        threads: stats.threads,
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        sweepCpuSeconds: (sweepCpu.user + sweepCpu.system) / 1e6,
      };
      ctx.out(JSON.stringify({ sweepId, targets: p.targets, ok: p.ok, failed: p.failed, seconds: (Date.now() - started) / 1000, probed: stats.targets, ...resources }));
    } else {
      const outcomes = Object.entries(p.outcomes)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      ctx.out(`sweep ${sweepId}: ${p.targets} targets, ${p.ok} ok, ${p.failed} failed in ${seconds}s${outcomes ? ` (${outcomes})` : ''}`);
    }
    return 0;
  },
};

export const usageImportLogCommand: Command = {
  words: ['usage', 'import-log'],
  usage: 'xuncha usage import-log FILE --system CODE',
  summary: 'nginx/Apache combined access log (plain or .gz) to daily usage',
  args: [{ name: '<file>', description: 'access log, plain or .gz' }],
  options: { system: { type: 'string' } },
  optionHelp: { system: 'code of the system the log belongs to' },
  async run({ positionals, values }, ctx) {
    const file = positionals[0];
    if (!file || positionals.length > 1) throw new UsageError('give exactly one log FILE');
    if (!values.system) throw new UsageError('--system CODE is required');
    const { db } = await ctx.openDb();
    const [system] = await db.select({ id: systems.id }).from(systems).where(eq(systems.code, String(values.system)));
    if (!system) throw new AppError('not_found', `system ${values.system} not found`);
    const { summarizeAccessLog } = await import('../../../probes/usage/access-log.js');
    const summary = await summarizeAccessLog(file, { timeZone: ctx.config.TZ });
    if (summary.error) throw new AppError('bad_request', `${file}: ${summary.error}`);
    if (summary.parsed === 0) throw new AppError('bad_request', `${file}: no line is in the combined log format (${summary.malformed} malformed)`);
    const points = summary.days.flatMap((d) => [
      { date: d.date, metric: 'visits' as const, value: d.requests },
      { date: d.date, metric: 'active_users' as const, value: d.distinctClients },
    ]);
    await upsertUsage(db, system.id, points, 'log', new Date());
    const first = summary.days[0]?.date;
    const last = summary.days.at(-1)?.date;
    ctx.out(`${summary.parsed} requests over ${summary.days.length} days (${first} … ${last}) stored for ${values.system}; ${summary.malformed} malformed lines skipped`);
    for (const m of summary.malformedSamples.slice(0, 3)) ctx.err(`malformed line ${m.line}: ${m.text}`);
    return 0;
  },
};
