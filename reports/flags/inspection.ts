import { judgeSiteUnreachable } from '../inspection-rule.js';
import { flag } from '../rules/context.js';
import type { FlagRule } from '../rules/types.js';

// The national inspection rule "site unreachable", judged on the portal cadence's visits (reports/inspection-rule.ts).
export const inspectionFlag: FlagRule = {
  codes: ['inspection_unreachable'],
  evaluate(ctx) {
    if (!(ctx.hasPortal && ctx.ev.inspection?.length)) return [];
    const v = judgeSiteUnreachable(ctx.ev.inspection, ctx.asOf, ctx.policy.inspection);
    if (v.result !== 'fail') return [];
    return [
      flag('inspection_unreachable', 'flag.inspection_unreachable', { share: `${Math.round((v.evidence.share ?? 0) * 1000) / 10}%`, visits: v.evidence.visits, from: v.evidence.from, to: v.evidence.to }, { rule: v.rule, ...v.evidence, policy: { ...ctx.policy.inspection } }),
    ];
  },
};
