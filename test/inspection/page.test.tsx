import { describe, expect, it } from 'vitest';
import { inspectionScorecard } from '../../reports/inspection/scorecard.js';
import { defaultPolicy } from '../../reports/policy.js';
import { InspectionSection } from '../../src/web/pages/inspection.js';

const card = {
  systemCode: 'P',
  ...inspectionScorecard(
    {
      days: [{ day: '2026-11-30', outcome: 'ok', homepageItems: 0, homepageDated: 0, homepageNewest: null, navigationOnly: false, linksChecked: 10, linksBroken: 1, brokenLinks: [{ url: 'http://x.test/404', page: 'http://x.test/', outcome: 'http_error', status: 404 }], outboundRisks: [], wordingHits: 0, wording: [] }],
      sections: [],
      visits: [],
    },
    defaultPolicy,
    '2026-11-30',
  ),
};

describe('the inspection section of the system page', () => {
  it('shows every veto item by its label and result in Chinese and English, never a raw code', () => {
    const zh = String(<InspectionSection lang="zh" card={card} />);
    for (const label of ['站点无法访问', '网站不更新', '栏目不更新', '空白栏目', '严重错误', '不合格', '无法判定', '未发现带日期的条目', 'http://x.test/404']) expect(zh).toContain(label);
    expect(zh).not.toMatch(/>\s*(homepage_not_updated|sections_not_updated|unmeasured)\s*</);
    const en = String(<InspectionSection lang="en" card={card} />);
    expect(en).toContain('Site not updated');
    expect(en).toContain('Links: 10 checked, 1 broken (10.0%)');
  });
});
