import { diffDays, maxDay, minDay } from '../dates.js';
import { contentUnchangedSince, reason } from './context.js';
import type { Ctx, Reason, VerdictRule } from './types.js';

// Content rules: stale_content, homepage_not_updated.

function contentReasons(ctx: Ctx): Reason[] {
  const { policy, asOf, ev } = ctx;
  const out: Reason[] = [];
  const c = ev.content;

  if (policy.semiZombie.staleContentScope === 'all' || ctx.hasPortal) {
    const since = contentUnchangedSince(ctx);
    if (since) {
      const days = diffDays(asOf, since);
      if (days >= policy.semiZombie.staleContentDays) {
        out.push(
          reason('stale_content', 'semi_zombie', since, 'reason.stale_content', { days, since }, {
            unchangedSince: since,
            days,
            threshold: policy.semiZombie.staleContentDays,
            lastChanged: c.lastChanged,
            homepageLastChanged: c.homepageLastChanged ?? null,
            sitemapNewestLastmod: c.sitemapNewestLastmod ?? null,
            probeHashLastChange: ctx.hashLastChange,
            observedSince: minDay(c.observedSince, ctx.hashFirstSeen),
          }),
        );
      }
    }
  }

  // The national website indicators' 2-week rule is about government websites: internet-facing portals.
  // A portal that is down is `unreachable`, not also `homepage_not_updated` (see `classify`).
  if (ctx.hasPortal && ev.system.network === 'internet') {
    const lastChange = c.homepageLastChanged != null ? c.homepageLastChanged : maxDay(c.lastChanged, ctx.hashLastChange);
    const since = lastChange ?? minDay(c.observedSince, ctx.hashFirstSeen);
    if (since) {
      const days = diffDays(asOf, since);
      if (days >= policy.semiZombie.homepageStaleDays) {
        out.push(
          reason('homepage_not_updated', 'semi_zombie', since, 'reason.homepage_not_updated', { days, since }, {
            unchangedSince: since,
            days,
            threshold: policy.semiZombie.homepageStaleDays,
            basedOn: c.homepageLastChanged != null ? 'homepage' : 'content_hash',
          }),
        );
      }
    }
  }
  return out;
}

export const contentRule: VerdictRule = { codes: ['stale_content', 'homepage_not_updated'], evaluate: contentReasons };
