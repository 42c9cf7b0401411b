import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { campaignDepartments, campaignItems, campaigns, departments, transfers } from '../db/schema/index.js';
import type { Notifier, NotifyResult } from '../notify/index.js';
import { diffDays } from '../../reports/dates.js';
import { DEFAULT_TIME_ZONE, localDay } from '../../probes/time.js';

export type ReminderStage = '7d' | '1d' | 'overdue';

/**
 * Which reminder is due on `today` for a deadline: `7d` within the last week (but more than a day
 * before), `1d` on the day before and on the deadline day, `overdue` once it has passed. A scheduler
 * that misses a day still sends each stage; dedupe keeps every stage to one message.
 */
export function reminderStage(deadline: string, today: string): ReminderStage | null {
  const left = diffDays(deadline, today);
  if (left < 0) return 'overdue';
  if (left <= 1) return '1d';
  if (left <= 7) return '7d';
  return null;
}

export interface ReminderRun {
  campaigns: number;
  /** Departments a reminder was due for. */
  due: number;
  sent: number;
  failed: number;
  duplicates: number;
  results: Array<NotifyResult & { dedupeKey: string }>;
}

/**
 * Reminds about departments that have not completed an open campaign, at 7 days and 1 day before the
 * deadline and once overdue. Each (department, stage) is sent once per webhook (`notifications` dedupe).
 * Messages go to ops channels, so they link to the campaign's progress page, never to a department's
 * link (which is a credential). Call it from the scheduler, e.g. daily at 09:00.
 */
export async function runCampaignReminders(
  db: Db,
  now: Date,
  notifier: Notifier,
  opts: { baseUrl?: string; timeZone?: string } = {},
): Promise<ReminderRun> {
  const today = localDay(now, opts.timeZone ?? DEFAULT_TIME_ZONE);
  const open = await db.select().from(campaigns).where(eq(campaigns.status, 'open')).orderBy(asc(campaigns.id));
  const run: ReminderRun = { campaigns: 0, due: 0, sent: 0, failed: 0, duplicates: 0, results: [] };
  for (const c of open) {
    const stage = reminderStage(c.deadline, today);
    if (!stage) continue;
    run.campaigns += 1;
    const late = await db
      .select({
        departmentId: campaignDepartments.departmentId,
        code: departments.code,
        name: departments.name,
        pending: sql<number>`(select count(*)::int from ${campaignItems} ci where ci.campaign_id = ${c.id} and ci.department_id = ${campaignDepartments.departmentId} and ci.state = 'pending')`,
        incoming: sql<number>`(select count(*)::int from ${transfers} t where t.campaign_id = ${c.id} and t.to_department_id = ${campaignDepartments.departmentId} and t.state = 'pending')`,
      })
      .from(campaignDepartments)
      .innerJoin(departments, eq(departments.id, campaignDepartments.departmentId))
      .where(and(eq(campaignDepartments.campaignId, c.id), isNull(campaignDepartments.completedAt)))
      .orderBy(asc(departments.path));
    const link = opts.baseUrl ? `${opts.baseUrl.replace(/\/$/, '')}/campaigns/${c.id}` : undefined;
    for (const d of late) {
      run.due += 1;
      const pending = Number(d.pending);
      const incoming = Number(d.incoming);
      const left = diffDays(c.deadline, today);
      const when = stage === 'overdue' ? `已于 ${c.deadline} 截止` : left === 0 ? `今天（${c.deadline}）截止` : `将于 ${c.deadline} 截止（还有 ${left} 天）`;
      const whenEn = stage === 'overdue' ? `was due on ${c.deadline}` : left === 0 ? `is due today (${c.deadline})` : `is due on ${c.deadline} (${left} days left)`;
      const dedupeKey = `campaign:${c.id}:department:${d.code}:reminder:${stage}`;
      const results = await notifier.notify('campaign.reminder', dedupeKey, {
        title: `${stage === 'overdue' ? '【已逾期】' : '【提醒】'}信息系统归属确认：${d.name}`,
        text: [
          `「${c.name}」${when}。`,
          `**${d.name}** 尚有 ${pending} 个系统未确认归属${incoming ? `，${incoming} 个移交待接收` : ''}。`,
          '请通过本单位的确认链接完成确认；如链接遗失，请联系市大数据局重新发放。',
        ].join('\n'),
        en: {
          title: `${stage === 'overdue' ? '[Overdue] ' : '[Reminder] '}System ownership confirmation: ${d.name}`,
          text: `"${c.name}" ${whenEn}. ${d.name} has ${pending} system(s) to confirm${incoming ? ` and ${incoming} transfer(s) to accept` : ''}. Please answer through the department's link.`,
        },
        ...(link ? { link } : {}),
        data: { campaignId: c.id, campaignName: c.name, deadline: c.deadline, stage, departmentCode: d.code, departmentName: d.name, pending, incomingTransfers: incoming },
      });
      for (const r of results) {
        run.results.push({ ...r, dedupeKey });
        if (r.status === 'sent') run.sent += 1;
        else if (r.status === 'failed') run.failed += 1;
        else run.duplicates += 1;
      }
    }
  }
  return run;
}
