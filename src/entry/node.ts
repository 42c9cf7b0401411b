import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { SignInLimiter } from '../http/sign-in-limit.js';
import type { Logger } from 'pino';
import { createApp } from '../app.js';
import { InstanceKeys } from '../auth/keys.js';
import { TokenVerifier } from '../auth/tokens.js';
import { adminTokenFile, bootstrapAdminToken, inventoryIsEmpty, storeAdminToken } from '../bootstrap.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { openDatabase } from '../db/open.js';
import { createLogger } from '../logger.js';
import cron from 'node-cron';
import { pullSettingsFromConfig } from '../resources/pull-config.js';
import { scheduleResourcePull } from '../resources/schedule.js';
import { everyMinutes } from '../sweeps/portal-cadence.js';
import { ConfigError } from '../config.js';
import { createServiceMetrics } from '../metrics.js';
import { queueDepth } from '../sweeps/queue.js';
import { probeDepsFromConfig } from '../sweeps/process.js';
import { SweepService } from '../sweeps/service.js';
import { scheduleReminders } from '../reminders.js';
import { classifyAfterSweep } from '../verdicts/index.js';

/** Serves swagger-ui's files from node_modules, so /docs works without reaching a CDN. */
function docsAssetReader(): (name: string) => Promise<Uint8Array | null> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Uint8Array>();
  return async (name) => {
    if (!/^[\w.-]+$/.test(name)) return null;
    const hit = cache.get(name);
    if (hit) return hit;
    try {
      const body = new Uint8Array(await readFile(join(dir, name)));
      cache.set(name, body);
      return body;
    } catch {
      return null;
    }
  };
}

export interface RunningServer {
  url: string;
  database: Database;
  logger: Logger;
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Seed the demo inventory when the database is empty (default: only on the embedded database). */
  seedDemo?: boolean;
  /** Told of a generated bootstrap admin token (after it is stored in DATA_DIR/admin-token); default: shown on a terminal. */
  onAdminToken?: (token: string) => void;
  /** Work to run after each finished sweep (classification). */
  afterSweep?: (database: Database, sweepId: number) => Promise<void>;
}

export async function startServer(config: Config, opts: ServeOptions = {}): Promise<RunningServer> {
  const logger = createLogger(config.LOG_LEVEL);
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.PORT}`;
  if (config.PORTAL_CRON && everyMinutes(config.PORTAL_CRON) === null && !cron.validate(config.PORTAL_CRON)) {
    throw new ConfigError(`invalid environment variable PORTAL_CRON: "${config.PORTAL_CRON}" is neither a cron expression nor "@every Nm" (1–1440 minutes)`);
  }
  for (const name of ['SWEEP_CRON', 'REMINDER_CRON', 'BACKUP_CRON', 'RESOURCES_PULL_CRON'] as const) {
    if (config[name] && !cron.validate(config[name])) throw new ConfigError(`invalid environment variable ${name}: "${config[name]}" is not a cron expression`);
  }
  const probeDeps = probeDepsFromConfig(config);
  // Where start-up time goes, in ms since the process started (performance.now()); logged when listening.
  const phases: Record<string, number> = { entered: Math.round(performance.now()) };
  const mark = (name: string) => (phases[name] = Math.round(performance.now()));
  let created: 'image' | 'initdb' | 'existing' | undefined;
  const database = await openDatabase(config, 'xuncha serve', url, {
    onImageWarning: (message) => logger.warn(message),
    onCreated: (how) => (created = how),
  });
  mark('opened');
  try {
    await database.migrate();
    mark('migrated');
    const now = () => new Date();
    const seed = opts.seedDemo ?? database.kind === 'pglite';
    if (seed && (await inventoryIsEmpty(database.db))) {
      const { seedDemo } = await import('../inventory/demo.js');
      const counts = await seedDemo(database.db);
      logger.info(counts, 'loaded the demo inventory into the empty embedded database (set SEED_DEMO=0 to start empty)');
    }
    const token = await bootstrapAdminToken(database.db, config.ADMIN_TOKEN, (t) => storeAdminToken(config.DATA_DIR, t));
    if (token) {
      // The log stream says where the token is, never the token itself.
      logger.warn(
        { file: adminTokenFile(config.DATA_DIR) },
        'no ADMIN_TOKEN was set and the database had no tokens: an admin token was created and stored in this file (mode 0600); read it, then delete the file or set ADMIN_TOKEN',
      );
      (opts.onAdminToken ?? showAdminTokenOnTerminal(adminTokenFile(config.DATA_DIR)))(token);
    }

    mark('bootstrapped');
    const metrics = createServiceMetrics({ processMetrics: true });
    metrics.addCollectedGauge('xuncha_sweep_queue_depth', 'Targets not yet done in running sweeps', () => queueDepth(database.db));
    const sweeps = new SweepService({
      db: database.db,
      deps: probeDeps,
      timeZone: config.TZ,
      concurrency: config.PROBE_CONCURRENCY,
      retentionDays: config.PROBE_RETENTION_DAYS,
      log: logger,
      metrics,
      now,
      afterSweep: (id) => (opts.afterSweep ?? classifyAfterSweep(logger, config.TZ, now))(database, id),
    });
    sweeps.startBackground({ cron: config.SWEEP_CRON || undefined, portalCron: config.PORTAL_CRON || undefined });
    const reminders = config.REMINDER_CRON ? scheduleReminders(database.db, { cron: config.REMINDER_CRON, timeZone: config.TZ, baseUrl: config.PUBLIC_URL, log: logger }) : undefined;
    const backups = config.BACKUP_CRON ? scheduleBackups(database, config, logger) : undefined;
    // Cloud resource utilisation from Prometheus (issue 12), only when RESOURCES_PROMETHEUS_URL is set.
    const pullSettings = pullSettingsFromConfig(config);
    const resourcePull = pullSettings && config.RESOURCES_PULL_CRON ? scheduleResourcePull(database.db, pullSettings, { cron: config.RESOURCES_PULL_CRON, timeZone: config.TZ, log: logger }) : undefined;
    const app = createApp({
      db: database.db,
      logger,
      now,
      verifier: new TokenVerifier(database.db, config.ADMIN_TOKEN, now),
      keys: new InstanceKeys(database.db, config.LINK_SECRET),
      publicUrl: config.PUBLIC_URL,
      docsAsset: docsAssetReader(),
      sweeps,
      metrics,
      timeZone: config.TZ,
      signInLimiter: new SignInLimiter(database.db, {
        maxFailures: config.SIGNIN_MAX_FAILURES,
        windowSeconds: config.SIGNIN_WINDOW_SECONDS,
        blockSeconds: config.SIGNIN_BLOCK_SECONDS,
        now,
      }),
      clientAddress: (c) => getConnInfo(c).remote.address,
    });
    mark('appBuilt');
    const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s));
      s.once('error', reject);
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const realUrl = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
    mark('listening');
    logger.info({ url: realUrl, database: database.kind, ...(created ? { embeddedDatabase: created } : {}), docs: `${realUrl}/docs`, startupMs: phases }, 'xuncha is listening');
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        logger.info('shutting down');
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await reminders?.stop();
        await backups?.stop();
        await resourcePull?.stop();
        await sweeps.stop();
        await database.close();
      })());
    return { url: realUrl, database, logger, stop };
  } catch (e) {
    await database.close();
    throw e;
  }
}

/** BACKUP_CRON: a backup into BACKUP_DIR (default DATA_DIR/backups), keeping the newest BACKUP_KEEP. */
function scheduleBackups(database: Database, config: Config, logger: Logger) {
  const dir = config.BACKUP_DIR ?? join(config.DATA_DIR, 'backups');
  let running: Promise<void> | undefined;
  const task = cron.schedule(
    config.BACKUP_CRON!,
    () => {
      running ??= (async () => {
        try {
          const { backupOpenDatabase, writeScheduledBackup } = await import('../backup.js');
          const bytes = await backupOpenDatabase(database, config);
          const r = await writeScheduledBackup(bytes, dir, config.BACKUP_KEEP, new Date());
          logger.info({ file: r.file, bytes: bytes.length, removed: r.removed.length }, 'scheduled backup written');
        } catch (err) {
          logger.error({ err }, 'scheduled backup failed');
        } finally {
          running = undefined;
        }
      })();
    },
    { timezone: config.TZ },
  );
  return {
    async stop() {
      await task.stop();
      await running;
    },
  };
}

/** Shows the token once, on stderr when that is a terminal (a person at the console); never on a log stream. */
function showAdminTokenOnTerminal(file: string): (token: string) => void {
  return (token) => {
    if (!process.stderr.isTTY) return;
    process.stderr.write(
      `\nNo ADMIN_TOKEN was set and the database had no tokens, so an admin token was created.\n` +
        `It is shown this once (and kept in ${file}, mode 0600); keep it safe:\n\n    ${token}\n\n` +
        `Use it as "Authorization: Bearer <token>", or set ADMIN_TOKEN for later starts.\n\n`,
    );
  };
}

/**
 * `npm start`: serve until SIGTERM/SIGINT, then close the server and the database cleanly. The signal
 * handlers are installed before start-up, so a signal that arrives while the server is still starting
 * (or just after it said it listens) waits for the start and then shuts down cleanly.
 */
export async function runServer(config: Config, opts: ServeOptions = {}): Promise<void> {
  const starting = startServer(config, opts);
  const shutdown = (signal: string) => {
    starting
      .then(async (running) => {
        running.logger.info({ signal }, 'signal received');
        try {
          await running.stop();
        } catch (err) {
          running.logger.error({ err }, 'shutdown failed');
          process.exit(1);
        }
        process.exit(0);
      })
      // A start that failed is reported by the caller of runServer.
      .catch(() => process.exit(1));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await starting;
}
