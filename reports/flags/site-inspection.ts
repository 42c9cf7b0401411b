import { inspectionScorecard } from '../inspection/scorecard.js';
import { flag, formatPercent } from '../rules/context.js';
import type { Flag, FlagRule, JsonObject } from '../rules/types.js';

// broken_links, outbound_link_risk, wording_errors: what the commercial monitors report beside the veto
// items, from the latest site inspection of the portal (reports/inspection/scorecard.ts).
export const siteInspectionFlag: FlagRule = {
  codes: ['broken_links', 'outbound_link_risk', 'wording_errors'],
  evaluate(ctx) {
    const ev = ctx.ev.siteInspection;
    if (!ctx.hasPortal || !ev) return [];
    const card = inspectionScorecard(ev, ctx.policy, ctx.asOf);
    const p = ctx.policy.siteInspection;
    const out: Flag[] = [];
    const l = card.links;
    const cite = { policyVersion: card.policyVersion, checkedOn: card.checkedOn };
    if (l && l.brokenRate !== null && l.brokenRate > p.brokenRateMax && l.broken >= p.brokenMin) {
      out.push(flag('broken_links', 'flag.broken_links', { checked: l.checked, broken: l.broken, rate: formatPercent(l.brokenRate) }, { rule: 'broken_links', ...cite, checked: l.checked, broken: l.broken, brokenRate: l.brokenRate, brokenRateMax: p.brokenRateMax, list: l.brokenList.slice(0, 20) as unknown as JsonObject[] }));
    }
    if (l && l.risks.length) {
      out.push(flag('outbound_link_risk', 'flag.outbound_link_risk', { count: l.risks.length }, { rule: 'outbound_link_risk', ...cite, list: l.risks.slice(0, 20) as unknown as JsonObject[] }));
    }
    const w = card.items.find((i) => i.rule === 'serious_errors');
    if (w?.result === 'fail') {
      const e = w.evidence as { hits: number; list: Array<{ wrong: string; right: string }> };
      out.push(flag('wording_errors', 'flag.wording_errors', { hits: e.hits, wrong: e.list[0]?.wrong ?? '', right: e.list[0]?.right ?? '' }, { rule: 'serious_errors', ...cite, ...(w.evidence as JsonObject) }));
    }
    return out;
  },
};
