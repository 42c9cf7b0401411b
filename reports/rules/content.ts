import { diffDays, maxDay, minDay, type Day } from '../dates.js';
import { contentUnchangedSince, reason } from './context.js';
import type { Ctx, JsonObject, Reason, VerdictRule } from './types.js';

// Content rules: stale_content, homepage_not_updated.

/** A semi-zombie reason when the content has been unchanged since `since` for `threshold` days or more. */
function unchangedFor(ctx: Ctx, code: 'stale_content' | 'homepage_not_updated', since: Day | null, threshold: number, evidence: JsonObject): Reason | null {
  if (!since) return null;
  const days = diffDays(ctx.asOf, since);
  if (days < threshold) return null;
  return reason(code, 'semi_zombie', since, `reason.${code}`, { days, since }, { unchangedSince: since, days, threshold, ...evidence });
}

function contentReasons(ctx: Ctx): Reason[] {
  const { policy, ev } = ctx;
  const out: (Reason | null)[] = [];
  const c = ev.content;

  if (policy.semiZombie.staleContentScope === 'all' || ctx.hasPortal) {
    out.push(
      unchangedFor(ctx, 'stale_content', contentUnchangedSince(ctx), policy.semiZombie.staleContentDays, {
        lastChanged: c.lastChanged,
        homepageLastChanged: c.homepageLastChanged ?? null,
        sitemapNewestLastmod: c.sitemapNewestLastmod ?? null,
        probeHashLastChange: ctx.hashLastChange,
        observedSince: minDay(c.observedSince, ctx.hashFirstSeen),
      }),
    );
  }

  // The national website indicators' 2-week rule is about government websites: internet-facing portals.
  // A portal that is down is `unreachable`, not also `homepage_not_updated` (see `classify`).
  if (ctx.hasPortal && ev.system.network === 'internet') {
    const lastChange = c.homepageLastChanged != null ? c.homepageLastChanged : maxDay(c.lastChanged, ctx.hashLastChange);
    const since = lastChange ?? minDay(c.observedSince, ctx.hashFirstSeen);
    out.push(
      unchangedFor(ctx, 'homepage_not_updated', since, policy.semiZombie.homepageStaleDays, {
        basedOn: c.homepageLastChanged != null ? 'homepage' : 'content_hash',
      }),
    );
  }
  return out.filter((r): r is Reason => r !== null);
}

export const contentRule: VerdictRule = { codes: ['stale_content', 'homepage_not_updated'], evaluate: contentReasons };
