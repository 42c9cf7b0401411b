import { describe, expect, it } from 'vitest';
import { classify } from '../../reports/classify.js';
import { addDays } from '../../reports/dates.js';
import { inspectionScorecard, type SectionState, type SiteDay, type SiteInspectionEvidence } from '../../reports/inspection/scorecard.js';
import { defaultPolicy } from '../../reports/policy.js';
import { t } from '../../i18n/index.js';
import { AS_OF, healthy } from '../reports/fixtures.js';

const day = (over: Partial<SiteDay> = {}): SiteDay => ({
  day: AS_OF,
  outcome: 'ok',
  homepageItems: 10,
  homepageDated: 10,
  homepageNewest: addDays(AS_OF, -2),
  navigationOnly: false,
  linksChecked: 200,
  linksBroken: 0,
  brokenLinks: [],
  outboundRisks: [],
  wordingHits: 0,
  wording: [],
  ...over,
});
const section = (name: string, type: SectionState['type'], ageDays: number | null, items = 10): SectionState => ({
  name,
  url: `http://x.test/${name}/`,
  type,
  lastDay: AS_OF,
  lastOutcome: 'ok',
  items,
  newest: ageDays === null ? null : addDays(AS_OF, -ageDays),
});
const fresh = (): SectionState[] => [section('要闻', 'dynamic', 1), section('通知公告', 'notice_policy', 30), section('人事任免', 'personnel', 90)];
const visits = (notOpened: number) => Array.from({ length: 7 }, (_, i) => ({ day: addDays(AS_OF, -i), visits: 20, notOpened }));
const card = (ev: Partial<SiteInspectionEvidence>) => inspectionScorecard({ days: [day()], sections: fresh(), visits: visits(0), ...ev }, defaultPolicy, AS_OF);
const result = (c: ReturnType<typeof card>, rule: string) => c.items.find((i) => i.rule === rule)!;

describe('the inspection scorecard (pure)', () => {
  it('a healthy portal passes every veto item, each citing its rule and the policy version', () => {
    const c = card({});
    expect(c.items.map((i) => [i.rule, i.result])).toEqual([
      ['site_unreachable', 'pass'],
      ['homepage_not_updated', 'pass'],
      ['sections_not_updated', 'pass'],
      ['blank_sections', 'pass'],
      ['serious_errors', 'pass'],
    ]);
    expect(c.items.every((i) => i.policyVersion === defaultPolicy.version)).toBe(true);
    expect(c.links).toMatchObject({ checked: 200, broken: 0, brokenRate: 0, outboundRisks: 0 });
  });

  it('站点无法访问: fails at 5% of visits not opened, unmeasured with too few visits', () => {
    expect(result(card({ visits: visits(1) }), 'site_unreachable').result).toBe('fail');
    expect(result(card({ visits: [] }), 'site_unreachable').result).toBe('unmeasured');
  });

  it('网站不更新: no dated item for two weeks fails; undated items count as not updated; a navigation-only homepage is judged by its sections', () => {
    expect(result(card({ days: [day({ homepageNewest: addDays(AS_OF, -15) })] }), 'homepage_not_updated').result).toBe('fail');
    expect(result(card({ days: [day({ homepageNewest: addDays(AS_OF, -14) })] }), 'homepage_not_updated').result).toBe('pass');
    expect(result(card({ days: [day({ homepageNewest: null, homepageDated: 0 })] }), 'homepage_not_updated').result).toBe('fail');
    // A date seen on an earlier check still counts.
    expect(result(card({ days: [day({ homepageNewest: null }), day({ day: addDays(AS_OF, -1), homepageNewest: addDays(AS_OF, -3) })] }), 'homepage_not_updated').result).toBe('pass');
    const nav = card({ days: [day({ homepageItems: 0, homepageDated: 0, homepageNewest: null, navigationOnly: true })] });
    expect(result(nav, 'homepage_not_updated')).toMatchObject({ result: 'pass', evidence: { judged: 'second_level_pages' } });
    const navStale = card({ days: [day({ homepageItems: 0, homepageNewest: null, navigationOnly: true })], sections: [section('要闻', 'dynamic', 40)] });
    expect(result(navStale, 'homepage_not_updated').result).toBe('fail');
  });

  it('栏目不更新: more than 5 stale dynamic sections (2 weeks) or notice/policy sections (6 months) fails; 5 passes', () => {
    const stale = (n: number, type: SectionState['type'], age: number) => Array.from({ length: n }, (_, i) => section(`s${i}`, type, age));
    expect(result(card({ sections: [...fresh(), ...stale(6, 'dynamic', 15)] }), 'sections_not_updated')).toMatchObject({ result: 'fail', evidence: { stale: 6, staleMax: 5 } });
    expect(result(card({ sections: [...fresh(), ...stale(5, 'dynamic', 15)] }), 'sections_not_updated').result).toBe('pass');
    expect(result(card({ sections: [...fresh(), ...stale(6, 'notice_policy', 100)] }), 'sections_not_updated').result).toBe('pass');
    expect(result(card({ sections: [...fresh(), ...stale(3, 'notice_policy', 200), ...stale(3, 'dynamic', 20)] }), 'sections_not_updated').result).toBe('fail');
    // More than 10 should-update sections stale for a year.
    expect(result(card({ sections: [...fresh(), ...stale(11, 'personnel', 400)] }), 'sections_not_updated')).toMatchObject({ result: 'fail', evidence: { longStale: 11 } });
    expect(result(card({ sections: [] }), 'sections_not_updated').result).toBe('unmeasured');
  });

  it('空白栏目: more than 5 sections with no item fails', () => {
    const blank = (n: number) => Array.from({ length: n }, (_, i) => section(`b${i}`, 'other', null, 0));
    expect(result(card({ sections: [...fresh(), ...blank(6)] }), 'blank_sections')).toMatchObject({ result: 'fail', evidence: { blank: 6 } });
    expect(result(card({ sections: [...fresh(), ...blank(5)] }), 'blank_sections').result).toBe('pass');
  });

  it('严重错误: any hit of the wording list fails, with the page and context', () => {
    const hit = { wrong: '中华人民共合国', right: '中华人民共和国', page: 'http://x.test/', context: '依据中华人民共合国有关法律' };
    expect(result(card({ days: [day({ wordingHits: 1, wording: [hit] })] }), 'serious_errors')).toMatchObject({ result: 'fail', evidence: { hits: 1, list: [hit] } });
  });

  it('without a recent inspection (or with the homepage down) the items other than reachability are unmeasured', () => {
    const old = card({ days: [day({ day: addDays(AS_OF, -30) })] });
    expect(old.items.slice(1).every((i) => i.result === 'unmeasured')).toBe(true);
    const down = card({ days: [day({ outcome: 'timeout' })] });
    expect(down.items.slice(1).map((i) => i.evidence.reason)).toEqual(['homepage_failed', 'homepage_failed', 'homepage_failed', 'homepage_failed']);
  });
});

describe('verdicts from the inspection (pure classify)', () => {
  const ev = (si: Partial<SiteInspectionEvidence>) => healthy({ siteInspection: { days: [day()], sections: fresh(), visits: visits(0), ...si } });
  const run = (e: ReturnType<typeof ev>) => classify(e, defaultPolicy, AS_OF);

  it('sections_stale and blank_sections make a portal semi-zombie, citing the rule and policy version', () => {
    const stale = Array.from({ length: 6 }, (_, i) => section(`s${i}`, 'dynamic', 30));
    const r = run(ev({ sections: [...fresh(), ...stale] }));
    expect(r.status).toBe('semi_zombie');
    const reason = r.reasons.find((x) => x.code === 'sections_stale')!;
    expect(reason.evidence).toMatchObject({ rule: 'sections_not_updated', policyVersion: defaultPolicy.version, stale: 6 });
    expect(t('zh', reason.message.key, reason.message.params)).toContain('栏目不更新');
    const blank = run(ev({ sections: [...fresh(), ...Array.from({ length: 6 }, (_, i) => section(`b${i}`, 'other', null, 0))] }));
    expect(blank.reasons.map((x) => x.code)).toContain('blank_sections');
    expect(run(ev({})).status).toBe('active');
  });

  it('flags broken_links above 1%, outbound_link_risk and wording_errors; none on a clean portal', () => {
    const r = run(
      ev({
        days: [
          day({
            linksChecked: 100,
            linksBroken: 3,
            brokenLinks: [{ url: 'http://x.test/404', page: 'http://x.test/', outcome: 'http_error', status: 404 }],
            outboundRisks: [{ url: 'http://lapsed.test/', page: 'http://x.test/', risk: 'domain_unresolvable' }],
            wordingHits: 1,
            wording: [{ wrong: '国务院办工厅', right: '国务院办公厅', page: 'http://x.test/', context: '国务院办工厅印发' }],
          }),
        ],
      }),
    );
    expect(r.flags.map((f) => f.code)).toEqual(expect.arrayContaining(['broken_links', 'outbound_link_risk', 'wording_errors']));
    const broken = r.flags.find((f) => f.code === 'broken_links')!;
    expect(t('zh', broken.message.key, broken.message.params)).toContain('3.0%');
    expect(broken.evidence).toMatchObject({ rule: 'broken_links', policyVersion: defaultPolicy.version, brokenRate: 0.03 });
    expect(run(ev({ days: [day({ linksChecked: 1000, linksBroken: 10 })] })).flags.map((f) => f.code)).not.toContain('broken_links');
    expect(run(ev({})).flags).toEqual([]);
  });
});
