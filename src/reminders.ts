import cron, { type ScheduledTask } from 'node-cron';
import { runCampaignReminders } from './campaigns/reminders.js';
import type { Db } from './db/client.js';
import type { Log } from './logger.js';
import { createNotifier } from './notify/index.js';
import { runFindingReminders } from './verdicts/findings.js';

/**
 * Campaign (7 days, 1 day, overdue) and finding reminders. Each notification carries a dedupe key,
 * so running this from several processes, or twice a day, sends each reminder once.
 */
export async function sendReminders(db: Db, now: Date, opts: { timeZone: string; baseUrl?: string; log?: Log }): Promise<void> {
  const notifier = createNotifier(db, { now: () => now });
  const campaigns = await runCampaignReminders(db, now, notifier, { baseUrl: opts.baseUrl, timeZone: opts.timeZone });
  const findings = await runFindingReminders(db, now, notifier, { timeZone: opts.timeZone, baseUrl: opts.baseUrl });
  opts.log?.info({ campaignReminders: { sent: campaigns.sent, failed: campaigns.failed }, findingReminders: summary(findings) }, 'reminders sent');
}

export function scheduleReminders(db: Db, opts: { cron: string; timeZone: string; baseUrl?: string; log: Log }): ScheduledTask {
  return cron.schedule(
    opts.cron,
    () => sendReminders(db, new Date(), opts).catch((err) => opts.log.error({ err }, 'reminders failed')),
    { timezone: opts.timeZone, name: 'xuncha-reminders', noOverlap: true },
  );
}

function summary(run: unknown): unknown {
  const r = run as Record<string, unknown>;
  return Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v === 'number'));
}
