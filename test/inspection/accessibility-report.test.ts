import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildMonthlyReport } from '../../reports/monthly/build.js';
import { REPORT_FORMATS, renderReport } from '../../reports/monthly/index.js';
import type { PortalAccessibility } from '../../reports/monthly/input.js';
import { median } from '../../reports/inspection/accessibility.js';
import { monthlyInput, november } from '../reports/monthly-fixture.js';

// The monthly report's per-county accessibility table (issue 11, 适老化 and accessibility): pure, every renderer.
const a11y: Record<string, PortalAccessibility> = {
  'LS-JT-001': { axeMeasured: true, criticalOrSerious: true, altShare: 0.5, careEntryOpens: false },
  'LS-YJ-001': { axeMeasured: true, criticalOrSerious: false, altShare: 0.9, careEntryOpens: true },
  'YS-WJ-002': { axeMeasured: false, criticalOrSerious: null, altShare: 0.25, careEntryOpens: true },
  'LY-JY-002': { axeMeasured: true, criticalOrSerious: true, altShare: null, careEntryOpens: null },
  // Retired: not counted.
  'LY-DSJ-900': { axeMeasured: true, criticalOrSerious: true, altShare: 0, careEntryOpens: false },
};
const input = monthlyInput({ systems: november.map((s) => (a11y[s.code] ? { ...s, accessibility: a11y[s.code] } : s)) });

async function text(format: (typeof REPORT_FORMATS)[number], lang: 'zh' | 'en'): Promise<string> {
  const out = await renderReport(buildMonthlyReport(input), format, lang);
  if (format !== 'xlsx') return typeof out.body === 'string' ? out.body : Buffer.from(out.body).toString('utf8');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(out.body as unknown as ArrayBuffer);
  return wb.worksheets.map((ws) => ws.getSheetValues().flat().map(String).join(' ') + ws.name).join('\n');
}

describe('monthly report: accessibility of portals by county', () => {
  it('counts portals checked, those with critical/serious issues, the median alt share and the care-entry share', () => {
    const r = buildMonthlyReport(input);
    const live = Object.entries(a11y).filter(([code]) => code !== 'LY-DSJ-900').map(([, a]) => a);
    expect(r.accessibility.total).toEqual({
      portals: live.length,
      measured: live.filter((a) => a.axeMeasured).length,
      criticalOrSerious: live.filter((a) => a.criticalOrSerious).length,
      medianAltShare: median(live.flatMap((a) => (a.altShare === null ? [] : [a.altShare]))),
      // Rates are rounded to 4 places, as every rate of the report.
      careEntryShare: Math.round((live.filter((a) => a.careEntryOpens).length / live.filter((a) => a.careEntryOpens !== null).length) * 10_000) / 10_000,
    });
    expect(r.accessibility.total).toMatchObject({ portals: 4, measured: 3, criticalOrSerious: 2, medianAltShare: 0.5 });
    // 兰山区: its two portals, median of 0.5 and 0.9.
    const lanshan = r.accessibility.regions.find((x) => x.portals === 2)!;
    expect(lanshan).toMatchObject({ measured: 2, criticalOrSerious: 1, medianAltShare: 0.7, careEntryShare: 0.5 });
    expect(r.accessibility.regions.reduce((n, x) => n + x.portals, 0)).toBe(4);
  });

  it('is informational: the same statuses, reasons and flags as without it', () => {
    const plain = buildMonthlyReport(monthlyInput());
    const withA11y = buildMonthlyReport(input);
    expect(withA11y.overview).toEqual(plain.overview);
    expect(withA11y.problems).toEqual(plain.problems);
  });

  it('appears in every renderer, in Chinese and English', async () => {
    for (const format of REPORT_FORMATS) {
      for (const lang of ['zh', 'en'] as const) {
        const s = await text(format, lang);
        if (format === 'json') expect(s, `${format} ${lang}`).toContain('"accessibility"');
        else {
          expect(s, `${format} ${lang}`).toContain(lang === 'zh' ? '有严重/重大问题的门户' : 'With critical/serious issues');
          expect(s, `${format} ${lang}`).toContain(lang === 'zh' ? '图片替代文本比例' : 'Images with alt text');
        }
      }
    }
  });

  it('says so when no portal was measured', async () => {
    const r = buildMonthlyReport(monthlyInput());
    expect(r.accessibility.regions).toEqual([]);
    const out = await renderReport(r, 'md', 'zh');
    expect(String(out.body)).toContain('本月没有门户网站的适老化与无障碍检测结果');
  });
});
