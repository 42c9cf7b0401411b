import cron from 'node-cron';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import { cliPrincipal } from '../cli/command.js';
import { pullUtilisation, type PullSettings } from './prometheus.js';
import { lastDays } from './pull-config.js';

/**
 * RESOURCES_PULL_CRON: the server pulls the last three local days from Prometheus, so a day missed while
 * Prometheus was down is filled in once it answers again (a missing day never overwrites figures).
 */
export function scheduleResourcePull(db: Db, settings: PullSettings, opts: { cron: string; timeZone: string; log: Logger; now?: () => Date }) {
  let running: Promise<void> | undefined;
  const principal = { ...cliPrincipal(), name: 'scheduler' };
  const task = cron.schedule(
    opts.cron,
    () => {
      running ??= (async () => {
        try {
          const now = opts.now?.() ?? new Date();
          const s = await pullUtilisation(db, principal, settings, { days: lastDays(now, opts.timeZone, 3), now });
          opts.log.info({ days: s.days, stored: s.stored, missing: s.missing, reasons: s.reasons }, 'resource utilisation pulled');
        } catch (err) {
          opts.log.error({ err }, 'resource utilisation pull failed');
        } finally {
          running = undefined;
        }
      })();
    },
    { timezone: opts.timeZone },
  );
  return {
    async stop() {
      await task.stop();
      await running;
    },
  };
}
