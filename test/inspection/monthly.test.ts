import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildMonthlyReport } from '../../reports/monthly/build.js';
import { REPORT_FORMATS, renderReport } from '../../reports/monthly/index.js';
import { monthlyInput, november, october } from '../reports/monthly-fixture.js';

// The monthly report's table of portals failing a veto item of the website inspection (issue 11).
const withFailures = (list: typeof november, failing: Record<string, string[]>) => list.map((s) => (failing[s.code] ? { ...s, inspectionFailures: failing[s.code] } : s));
const input = monthlyInput({
  systems: withFailures(november, { 'LS-JT-001': ['sections_not_updated'], 'LY-JY-002': ['homepage_not_updated', 'blank_sections'], 'YS-WJ-002': ['serious_errors'] }),
  previousSystems: withFailures(october, { 'LS-JT-001': ['sections_not_updated'], 'YS-WJ-002': ['serious_errors'], 'KFQ-001': ['blank_sections'] }),
});

describe('monthly report: portals failing a veto item, by county', () => {
  it('counts failing portals per region with the change on last month', () => {
    const r = buildMonthlyReport(input);
    const byRegion = Object.fromEntries(r.inspection.regions.map((x) => [x.region.cityLevel ? '市直' : x.region.code, x.failing]));
    expect(r.inspection.total).toEqual({ now: 3, previous: 3, delta: 0 });
    expect(Object.values(byRegion).reduce((a, f) => a + f.now, 0)).toBe(3);
    expect(r.inspection.regions.some((x) => x.failing.now === 0 && x.failing.previous === 1)).toBe(true);
  });

  it('appears in every renderer, in Chinese and English', async () => {
    const r = buildMonthlyReport(input);
    for (const format of REPORT_FORMATS) {
      for (const lang of ['zh', 'en'] as const) {
        const out = await renderReport(r, format, lang);
        let text: string;
        if (format === 'xlsx') {
          const wb = new ExcelJS.Workbook();
          await wb.xlsx.load(out.body as unknown as ArrayBuffer);
          text = wb.worksheets.map((ws) => ws.getSheetValues().flat().map(String).join(' ') + ws.name).join('\n');
        } else text = typeof out.body === 'string' ? out.body : Buffer.from(out.body).toString('utf8');
        if (format === 'json') expect(text, `${format} ${lang}`).toContain('"inspection"');
        else expect(text, `${format} ${lang}`).toContain(lang === 'zh' ? '不合格门户' : 'Failing portals');
        expect(text, `${format} ${lang}`).toContain('教育局旧版门户');
      }
    }
  });

  it('says so when no portal fails', () => {
    const r = buildMonthlyReport(monthlyInput());
    expect(r.inspection.regions).toEqual([]);
  });
});
