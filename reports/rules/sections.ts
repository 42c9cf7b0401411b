import { inspectionScorecard } from '../inspection/scorecard.js';
import { reason } from './context.js';
import type { Ctx, JsonObject, Reason, VerdictRule } from './types.js';

// sections_stale, blank_sections: the "栏目不更新" veto item of the national website inspection
// indicators, judged on the site inspection's rollups (reports/inspection/scorecard.ts), portals only.

function sectionReasons(ctx: Ctx): Reason[] {
  const ev = ctx.ev.siteInspection;
  if (!ctx.hasPortal || !ev) return [];
  const card = inspectionScorecard(ev, ctx.policy, ctx.asOf);
  const p = ctx.policy.siteInspection;
  const out: Reason[] = [];
  const stale = card.items.find((i) => i.rule === 'sections_not_updated');
  if (stale?.result === 'fail') {
    const e = stale.evidence as { stale: number; longStale: number };
    out.push(
      reason('sections_stale', 'semi_zombie', card.checkedOn, 'reason.sections_stale', { stale: Math.max(e.stale, e.longStale), dynamicDays: p.dynamicStaleDays, noticeDays: p.noticeStaleDays }, {
        rule: 'sections_not_updated',
        policyVersion: card.policyVersion,
        ...(stale.evidence as JsonObject),
      }),
    );
  }
  const blank = card.items.find((i) => i.rule === 'blank_sections');
  if (blank?.result === 'fail') {
    const e = blank.evidence as { blank: number };
    out.push(reason('blank_sections', 'semi_zombie', card.checkedOn, 'reason.blank_sections', { blank: e.blank, max: p.blankSectionsMax }, { rule: 'blank_sections', policyVersion: card.policyVersion, ...(blank.evidence as JsonObject) }));
  }
  return out;
}

export const sectionsRule: VerdictRule = { codes: ['sections_stale', 'blank_sections'], evaluate: sectionReasons };
