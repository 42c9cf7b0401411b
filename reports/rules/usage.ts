import type { MessageKey } from '../../i18n/index.js';
import type { UsageMetric } from '../codes.js';
import { addDays, addMonths, diffDays, maxDay, type Day } from '../dates.js';
import type { UsageDay } from '../evidence.js';
import { contentUnchangedSince, reason } from './context.js';
import type { Ctx, Reason, VerdictRule } from './types.js';

// Usage rules: no_usage (with content), low_usage.

function usageSums(rows: UsageDay[], from: Day, to: Day): Record<UsageMetric, number> {
  const sums: Record<UsageMetric, number> = { visits: 0, active_users: 0, logins: 0, transactions: 0 };
  for (const r of rows) if (r.day >= from && r.day <= to) sums[r.metric] += r.value;
  return sums;
}

/**
 * Monthly active users are people, not requests (issue 9): judged on `active_users` where the system
 * reports it, on visits otherwise (then logins, then transactions), never on a mix or a sum of metrics.
 *
 * An `active_users` row is the distinct users of its day (a log import's distinct clients, a daily push)
 * or of its month (a monthly push). Distinct users cannot be added up over days — the same people come
 * back — so a window's figure is its largest row: every user of the busiest day is a user of the month.
 * Visits, logins and transactions count events, so their window sum is an upper bound on the people
 * behind them.
 */
export const USAGE_BASES = ['active_users', 'visits', 'logins', 'transactions'] as const satisfies readonly UsageMetric[];

function usageBasis(rows: UsageDay[], from: Day, to: Day): UsageMetric | null {
  const present = new Set(rows.filter((r) => r.day >= from && r.day <= to).map((r) => r.metric));
  return USAGE_BASES.find((m) => present.has(m)) ?? null;
}

function monthlyUsers(rows: UsageDay[], metric: UsageMetric | null, from: Day, to: Day): number {
  if (metric === null) return 0;
  let n = 0;
  for (const r of rows) {
    if (r.metric !== metric || r.day < from || r.day > to) continue;
    n = metric === 'active_users' ? Math.max(n, r.value) : n + r.value;
  }
  return n;
}

function usageReasons(ctx: Ctx): Reason[] {
  const { policy, asOf } = ctx;
  const coverage = ctx.usageCoverageStart;
  if (coverage === null) return [];
  const seasonal = !!ctx.ev.system.season;
  const seasonStart = addDays(addMonths(asOf, -policy.seasonal.usageWindowMonths), 1);
  const out: Reason[] = [];

  // no_usage: nothing at all for the window, and content unchanged for noContentChangeDays.
  const noUsageFrom = seasonal ? seasonStart : addDays(asOf, -(policy.zombie.noUsageDays - 1));
  let noUsage = false;
  if (coverage <= noUsageFrom) {
    const sums = usageSums(ctx.usageRows, noUsageFrom, asOf);
    const total = sums.visits + sums.active_users + sums.logins + sums.transactions;
    const unchangedSince = contentUnchangedSince(ctx);
    const contentDays = unchangedSince ? diffDays(asOf, unchangedSince) : null;
    if (total === 0 && contentDays !== null && contentDays >= policy.zombie.noContentChangeDays) {
      noUsage = true;
      const lastUse = maxDay(...ctx.usageRows.map((r) => r.day));
      const usageSilentSince = lastUse ? addDays(lastUse, 1) : coverage;
      const usageDays = diffDays(asOf, usageSilentSince) + 1;
      out.push(
        reason(
          'no_usage',
          'zombie',
          maxDay(usageSilentSince, unchangedSince),
          'reason.no_usage',
          { usageDays, contentDays },
          {
            usageWindow: { from: noUsageFrom, to: asOf },
            usageTotal: 0,
            lastUsage: lastUse,
            usageCoveredSince: coverage,
            seasonal,
            contentUnchangedSince: unchangedSince,
            contentDays,
            thresholds: { noUsageDays: seasonal ? `${policy.seasonal.usageWindowMonths} months` : policy.zombie.noUsageDays, noContentChangeDays: policy.zombie.noContentChangeDays },
          },
        ),
      );
    }
  }

  // low_usage: fewer monthly active users than the threshold (no repeat when no_usage already holds).
  if (!noUsage) {
    const window = policy.semiZombie.usageWindowDays;
    const registered = ctx.ev.system.registeredUsers;
    const threshold = Math.max(policy.semiZombie.minMonthlyActiveUsers, Math.ceil(policy.semiZombie.minActiveUserShare * (registered ?? 0)));
    const blocks: { from: Day; to: Day }[] = [];
    if (seasonal) {
      for (let to = asOf; ; to = addDays(to, -window)) {
        const from = addDays(to, -(window - 1));
        if (from < seasonStart) break;
        blocks.push({ from, to });
      }
    } else {
      blocks.push({ from: addDays(asOf, -(window - 1)), to: asOf });
    }
    const first = blocks.at(-1);
    if (first && coverage <= (seasonal ? seasonStart : first.from)) {
      // One metric for the whole judgement: active users when reported anywhere in the judged period.
      const metric = usageBasis(ctx.usageRows, first.from, asOf);
      let best: { from: Day; to: Day; users: number; sums: Record<UsageMetric, number> } | null = null;
      for (const b of blocks) {
        const users = monthlyUsers(ctx.usageRows, metric, b.from, b.to);
        if (!best || users > best.users) best = { ...b, users, sums: usageSums(ctx.usageRows, b.from, b.to) };
      }
      if (best && best.users < threshold) {
        const from = seasonal ? seasonStart : best.from;
        const byPeople = metric === 'active_users' || metric === null;
        const key: MessageKey = seasonal ? (byPeople ? 'reason.low_usage.seasonal' : 'reason.low_usage.seasonal.by_metric') : byPeople ? 'reason.low_usage' : 'reason.low_usage.by_metric';
        out.push(
          reason(
            'low_usage',
            'semi_zombie',
            from,
            key,
            { window, months: policy.seasonal.usageWindowMonths, users: best.users, threshold, metric: metric ?? 'active_users' },
            {
              window: { from, to: asOf },
              bestWindow: { from: best.from, to: best.to },
              seasonal,
              monthlyActiveUsers: best.users,
              basedOn: metric ?? 'none',
              figure: metric === 'active_users' ? 'largest_row' : metric === null ? 'no_usage_rows' : 'window_sum',
              sums: best.sums,
              registeredUsers: registered,
              threshold,
              thresholds: { minMonthlyActiveUsers: policy.semiZombie.minMonthlyActiveUsers, minActiveUserShare: policy.semiZombie.minActiveUserShare },
            },
          ),
        );
      }
    }
  }
  return out;
}

export const usageRule: VerdictRule = { codes: ['no_usage', 'low_usage'], evaluate: usageReasons };
