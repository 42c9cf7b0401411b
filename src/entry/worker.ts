import { z } from 'zod';
import { createApp } from '../app.js';
import { TokenVerifier } from '../auth/tokens.js';
import { configSchema, ConfigError } from '../config.js';
import { connectPostgres } from '../db/postgres.js';
import { formatPath } from '../errors.js';
import { problemBody } from '../http/problem.js';
import type { Log } from '../logger.js';
import { sendReminders } from '../reminders.js';
import { createSweep } from '../sweeps/queue.js';
import { SWEEP_KINDS } from '../sweeps/types.js';

/**
 * Cloudflare Workers entry: the same app as on Node, on PostgreSQL through Hyperdrive (binding
 * HYPERDRIVE) or DATABASE_URL. Migrations are not run here: run `xuncha migrate` against the database.
 *
 * Cron triggers (wrangler.toml `[triggers] crons`, in UTC) run `scheduled`: the trigger equal to
 * SWEEP_CRON creates the scheduled sweep, which Node probe processes on the same database (`xuncha
 * serve`, `xuncha sweep --join ID`) lease and run — Workers cannot open the raw sockets probes need;
 * the trigger equal to REMINDER_CRON sends campaign and finding reminders (webhooks; SMTP needs Node).
 */
export interface WorkerEnv {
  HYPERDRIVE?: { connectionString: string };
  DATABASE_URL?: string;
  ADMIN_TOKEN?: string;
  LOG_LEVEL?: string;
  TZ?: string;
  PUBLIC_URL?: string;
  SWEEP_CRON?: string;
  REMINDER_CRON?: string;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** The Worker's variables, checked like the Node ones (src/config.ts): a bad one is named. */
export const workerEnvSchema = z
  .object({
    HYPERDRIVE: z.object({ connectionString: z.string().min(1) }).optional(),
    DATABASE_URL: configSchema.shape.DATABASE_URL,
    ADMIN_TOKEN: configSchema.shape.ADMIN_TOKEN,
    LOG_LEVEL: z.enum(LEVELS).default('info'),
    TZ: configSchema.shape.TZ,
    PUBLIC_URL: configSchema.shape.PUBLIC_URL,
    /** The cron trigger (UTC, exactly as in wrangler.toml) that starts the scheduled sweep. */
    SWEEP_CRON: z.string().optional(),
    /** The cron trigger that sends reminders. */
    REMINDER_CRON: z.string().optional(),
  })
  .refine((e) => e.HYPERDRIVE || e.DATABASE_URL, { path: ['DATABASE_URL'], message: 'DATABASE_URL or a HYPERDRIVE binding is required' });

export type WorkerConfig = z.infer<typeof workerEnvSchema>;

const parsed = new WeakMap<object, WorkerConfig>();

/** Parses the Worker's env once per isolate; throws ConfigError naming the first bad variable. */
export function loadWorkerConfig(env: WorkerEnv): WorkerConfig {
  const hit = parsed.get(env);
  if (hit) return hit;
  // Empty strings mean "unset", as in loadConfig.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '' && v !== undefined));
  const result = workerEnvSchema.safeParse(cleaned);
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw new ConfigError(`invalid environment variable ${formatPath(first.path)}: ${first.message}`);
  }
  parsed.set(env, result.data);
  return result.data;
}

function consoleLog(level: (typeof LEVELS)[number]): Log {
  const min = LEVELS.indexOf(level);
  const at = (l: (typeof LEVELS)[number]) => (obj: object, msg?: string) => {
    if (LEVELS.indexOf(l) >= min) console.log(JSON.stringify({ level: l, msg, ...obj }));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function connect(config: WorkerConfig) {
  // Hyperdrive pools connections itself; a client per request is the recommended pattern.
  return connectPostgres((config.HYPERDRIVE?.connectionString ?? config.DATABASE_URL)!, { max: 1 });
}

interface Ctx {
  waitUntil(p: Promise<unknown>): void;
}

/** What one cron trigger does: which of the two jobs its expression names. */
export function jobsFor(config: WorkerConfig, cron: string): { sweep: boolean; reminders: boolean } {
  return { sweep: config.SWEEP_CRON === cron, reminders: config.REMINDER_CRON === cron };
}

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: Ctx): Promise<Response> {
    let config: WorkerConfig;
    try {
      config = loadWorkerConfig(env);
    } catch (e) {
      const body = problemBody('unavailable', (e as Error).message, undefined, undefined, new URL(request.url).pathname);
      return new Response(JSON.stringify(body), { status: 503, headers: { 'content-type': 'application/problem+json; charset=utf-8' } });
    }
    const database = connect(config);
    const now = () => new Date();
    const app = createApp({
      db: database.db,
      logger: consoleLog(config.LOG_LEVEL),
      now,
      verifier: new TokenVerifier(database.db, config.ADMIN_TOKEN, now),
      timeZone: config.TZ,
    });
    try {
      return await app.fetch(request);
    } finally {
      ctx.waitUntil(database.close());
    }
  },

  async scheduled(controller: { cron: string; scheduledTime: number }, env: WorkerEnv, _ctx: Ctx): Promise<void> {
    const config = loadWorkerConfig(env);
    const log = consoleLog(config.LOG_LEVEL);
    const jobs = jobsFor(config, controller.cron);
    if (!jobs.sweep && !jobs.reminders) {
      log.warn({ cron: controller.cron, SWEEP_CRON: config.SWEEP_CRON ?? null, REMINDER_CRON: config.REMINDER_CRON ?? null }, 'a cron trigger matches neither SWEEP_CRON nor REMINDER_CRON: nothing to do');
      return;
    }
    const at = new Date(controller.scheduledTime);
    const database = connect(config);
    try {
      if (jobs.sweep) {
        // The same slot as SweepService's schedule on Node: a Node server whose SWEEP_CRON fires in
        // the same minute finds this sweep instead of starting a second one.
        const slot = `cron:${at.toISOString().slice(0, 16)}`;
        const sweep = await createSweep(database.db, { trigger: 'cron', slot, kinds: [...SWEEP_KINDS], requestedBy: 'schedule' }, at);
        log.info({ sweepId: sweep.id, targets: sweep.targets, created: sweep.created, slot }, sweep.created ? 'scheduled sweep started; Node probe processes run it' : 'scheduled sweep already started');
      }
      if (jobs.reminders) await sendReminders(database.db, at, { timeZone: config.TZ, baseUrl: config.PUBLIC_URL, log });
    } finally {
      await database.close();
    }
  },
};
