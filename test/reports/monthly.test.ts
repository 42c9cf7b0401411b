import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildMonthlyReport, inputsHash } from '../../reports/monthly/build.js';
import { csvField, renderCsv } from '../../reports/monthly/csv.js';
import { renderHtml } from '../../reports/monthly/html.js';
import { renderReport, REPORT_FORMATS } from '../../reports/monthly/index.js';
import { renderJson } from '../../reports/monthly/json.js';
import { renderMarkdown } from '../../reports/monthly/markdown.js';
import { renderXlsx } from '../../reports/monthly/xlsx.js';
import { neutralizeFormula } from '../../reports/formula.js';
import type { MonthlyReportInput } from '../../reports/monthly/input.js';
import { monthlyInput, november } from './monthly-fixture.js';

const report = buildMonthlyReport(monthlyInput());

describe('monthly report: figures', () => {
  it('counts systems, new and retired this month, and statuses with month-on-month change', () => {
    const o = report.overview;
    expect(o.systems).toEqual({ now: 11, previous: 11, delta: 0, new: 1, retired: 1 });
    expect(o.statusCounts.active).toEqual({ now: 5, previous: 4, delta: 1 });
    expect(o.statusCounts.semi_zombie).toEqual({ now: 2, previous: 3, delta: -1 });
    expect(o.statusCounts.insufficient_evidence.now).toBe(1);
    expect(o.statusCounts.exempt.now).toBe(1);
    expect(o.zombie).toEqual({ now: 2, previous: 2, delta: 0, new: 1, cleared: 1 });
    expect(o.semiZombie).toEqual({ now: 2, previous: 3, delta: -1, new: 1, cleared: 2 });
  });

  it('上云率 = on the government cloud ÷ cloudRequired; IPv6 支持率 over internet-facing systems', () => {
    const o = report.overview;
    expect(o.cloud).toEqual({ numerator: 8, denominator: 10, rate: 0.8, previousRate: 0.8, delta: 0 });
    expect(o.ipv6).toMatchObject({ numerator: 5, denominator: 7, rate: 0.7143, previousRate: 0.5714, delta: 0.1429, measured: 7 });
    expect(o.ipv6.secondLevelAvg).toBeCloseTo((0.97 * 5 + 0.6) / 6, 4);
    expect(o.availability).toMatchObject({ numerator: 6376, denominator: 7180, rate: 0.888, measuredSystems: 10, systemsBelow: 2 });
    expect(o.flags).toEqual({ not_on_gov_cloud: 2, ipv6_not_ready: 2, mlps_missing: 1, probe_blocked: 0, inspection_unreachable: 0, broken_links: 0, outbound_link_risk: 0, wording_errors: 0 });
  });

  it('clean-up progress: done, in progress, overdue as of the report day', () => {
    expect(report.overview.cleanup).toEqual({ total: 6, done: 2, doneThisMonth: 2, inProgress: 2, overdue: 2, openedThisMonth: 1 });
  });

  it('ranks departments by problem systems, zombies, overdue cases, cloud rate', () => {
    expect(report.departments.map((d) => [d.rank, d.unit.code])).toEqual([
      [1, 'LY-JY'],
      [2, 'YS-WJ'],
      [3, 'LS-JT'],
      [4, 'KFQ'],
      [5, 'LY-DSJ'],
      [6, 'LY-SL'],
      [7, 'LS-YJ-ZJ'],
    ]);
    const jy = report.departments[0]!;
    expect(jy).toMatchObject({ problems: 2, zombie: { now: 1, previous: 1, delta: 0 }, semiZombie: { now: 1, previous: 0, delta: 1 }, cleanup: { done: 0, inProgress: 1, overdue: 1 } });
    expect(jy.cloud).toMatchObject({ rate: 0.5, previousRate: 0.5, delta: 0 });
    expect(jy.region?.cityLevel).toBe(true);
  });

  it('rolls departments up to their county or district (townships included), the rest to the city level', () => {
    const regionOf = (code: string) => report.departments.find((d) => d.unit.code === code)!.region!;
    expect(regionOf('LS-JT').code).toBe('LS-GOV');
    expect(regionOf('LS-YJ-ZJ').code).toBe('LS-GOV');
    expect(regionOf('YS-WJ').code).toBe('YS-GOV');
    expect(regionOf('KFQ').code).toBe('KFQ');
    expect(regionOf('LY-DSJ')).toMatchObject({ code: '_city', cityLevel: true, name: null });
    const regions = report.regions.map((r) => [r.rank, r.unit.code, r.systems.now, r.problems]);
    expect(regions).toEqual([
      [1, '_city', 5, 2],
      [2, 'YS-GOV', 2, 1],
      [3, 'LS-GOV', 2, 1],
      [4, 'KFQ', 2, 0],
    ]);
    expect(report.regions[1]!.systems).toEqual({ now: 2, previous: 2, delta: 0 });
    expect(report.regions[3]!.systems).toEqual({ now: 2, previous: 1, delta: 1 });
  });

  it('names the problem systems and units', () => {
    const p = report.problems;
    expect(p.zombies.map((s) => [s.code, s.isNew, s.since])).toEqual([
      ['LY-JY-002', false, '2026-10-02'],
      ['YS-WJ-001', true, '2026-05-01'],
    ]);
    expect(p.semiZombies.map((s) => s.code)).toEqual(['LY-JY-001', 'LS-JT-001']);
    expect(p.overdueUnits.map((u) => [u.unit.name, u.count])).toEqual([
      ['临沂市教育局', 1],
      ['沂水县卫生健康局', 1],
    ]);
    expect(p.flagUnits.not_on_gov_cloud.map((u) => u.unit.code)).toEqual(['LY-JY', 'YS-WJ']);
  });

  it('requirements carry deadlines and re-checks', () => {
    expect(report.requirements.rectifyBy).toBe('2026-12-31');
    expect(report.requirements.recheckOn).toBe('2027-01-10');
    expect(report.requirements.items.map((i) => i.kind)).toEqual(['zombie', 'semi_zombie', 'overdue', 'cloud', 'ipv6', 'mlps', 'evidence', 'recheck']);
    const defaults = buildMonthlyReport(monthlyInput({ requirements: null }));
    expect(defaults.requirements).toMatchObject({ rectifyBy: '2026-12-30', recheckOn: '2026-12-31' });
  });

  it('the 12-month history ends with the reported month, leaves gaps, and recomputes the last two months', () => {
    expect(report.history.map((h) => h.month)).toEqual(['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    expect(report.history[2]).toEqual({ month: '2026-02', statusCounts: null, cloud: null, ipv6: null });
    expect(report.history[11]!.statusCounts).toEqual({ active: 5, semi_zombie: 2, zombie: 2, insufficient_evidence: 1, exempt: 1 });
    expect(report.history[10]!.cloud).toEqual({ onCloud: 8, required: 10, rate: 0.8 });
  });

  it('the first report has no month-on-month figures', () => {
    const first = buildMonthlyReport(monthlyInput({ previousSystems: [], history: [] }));
    expect(first.meta.hasPrevious).toBe(false);
    expect(first.overview.systems).toEqual({ now: 11, previous: null, delta: null, new: null, retired: null });
    expect(first.overview.cloud.delta).toBeNull();
    expect(first.departments[0]!.zombie.delta).toBeNull();
    expect(renderHtml(first, 'zh')).toContain('本月为首次通报');
  });

  it('records the policy version and the inputs hash', () => {
    expect(report.meta.policyVersion).toBe('2026-12-default');
    expect(report.meta.inputsHash).toBe(inputsHash(monthlyInput()));
    expect(report.meta.inputsHash).toMatch(/^[0-9a-f]{64}$/);
    expect(inputsHash(monthlyInput({ policyVersion: 'other' }))).not.toBe(report.meta.inputsHash);
  });
});

const hostile = (): MonthlyReportInput =>
  monthlyInput({
    systems: [
      ...november,
      {
        ...november[3]!,
        code: 'EVIL-1',
        name: '<script>alert("x")</script> | =HYPERLINK("http://evil.example","x")',
        departmentCode: 'LY-JY',
      },
      { ...november[3]!, code: '+cmd', name: '@SUM(A1:A2)', departmentCode: 'LY-JY' },
      { ...november[3]!, code: 'EVIL-3', name: '-2+3', departmentCode: 'LY-JY' },
    ],
  });

describe('monthly report: HTML', () => {
  const html = renderHtml(report, 'zh');

  it('is a self-contained printable A4 page with the three sections of a 通报', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('@page');
    expect(html).toContain('size: A4');
    for (const h of ['一、总体情况', '二、主要问题', '三、工作要求']) expect(html).toContain(`<h2>${h}</h2>`);
    expect(html).toContain('数字临沂建设专项小组');
    expect(html).toContain('2026年11月');
  });

  it('draws its charts as inline SVG and a heat table', () => {
    expect((html.match(/<svg /g) ?? []).length).toBe(2);
    expect(html).toContain('近12个月各状态系统数');
    expect(html).toContain('近12个月上云率与IPv6支持率');
    expect(html).toMatch(/<figure class="table-wrap" id="table-heat">[\s\S]*background-color:rgba\(/);
  });

  it('has no scripts, no external resources, no URLs', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/\bsrc=|\bhref=|url\(|@import|@font-face/i);
  });

  it('names units and systems, and states figures', () => {
    expect(html).toContain('临沂市教育局：教育局旧版门户（LY-JY-002）');
    expect(html).toContain('所有入口自2026-10-02起连续60天无法访问');
    expect(html).toContain('上云率80.0%');
    expect(html).toContain('IPv6支持率71.4%，较上月提高14.3个百分点');
    expect(html).toContain('已办结2项（本月2项），整改中2项，逾期2项');
    expect(html).toContain('专项小组将于2027年1月10日组织复查');
    expect(html).toContain('2026-12-default');
    expect(html).toContain(report.meta.inputsHash);
    expect(html).not.toMatch(/\{[a-zA-Z]+\}/);
  });

  it('escapes all text', () => {
    const evil = renderHtml(buildMonthlyReport(hostile()), 'zh');
    expect(evil).not.toContain('<script>');
    expect(evil).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(evil).not.toMatch(/<script/i);
  });

  it('renders in English on request', () => {
    const en = renderHtml(report, 'en');
    expect(en).toContain('<html lang="en">');
    for (const h of ['1. Overview', '2. Main problems', '3. Requirements']) expect(en).toContain(`<h2>${h}</h2>`);
    expect(en).toContain('November 2026');
    expect(en).toContain('All endpoints unreachable for 60 consecutive days since 2026-10-02');
    expect(en).not.toMatch(/一、总体情况|较上月/);
    expect(en).not.toMatch(/\{[a-zA-Z]+\}/);
  });
});

describe('monthly report: Markdown, CSV, JSON', () => {
  it('Markdown has the sections, tables and escaped text', () => {
    const md = renderMarkdown(report, 'zh');
    expect(md).toMatch(/^# 全市政务信息系统巡查通报/);
    for (const h of ['## 一、总体情况', '## 二、主要问题', '## 三、工作要求']) expect(md).toContain(h);
    expect(md).toContain('| 排名 | 单位 | 县区 |');
    const evil = renderMarkdown(buildMonthlyReport(hostile()), 'zh');
    expect(evil).not.toContain('<script>');
    expect(evil).toContain('&lt;script&gt;');
    expect(evil).toContain('\\| =HYPERLINK');
  });

  it('CSV starts with a BOM, uses CRLF and escapes formula-like cells', () => {
    const csv = renderCsv(buildMonthlyReport(hostile()), 'zh');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('\r\n');
    expect(csv).not.toMatch(/[^\r]\n/);
    expect(csv).toContain(`'@SUM(A1:A2)`);
    expect(csv).toContain(`,'+cmd,`);
    expect(csv).toContain(`,'-2+3,`);
    // Every field that starts with a formula character is either escaped or a number we wrote.
    for (const row of csv.slice(1).split('\r\n')) {
      for (const field of row.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []) {
        const v = field.replace(/,$/, '').replace(/^"|"$/g, '');
        if (/^[=+\-@]/.test(v)) expect(v, row).toMatch(/^-?\d+(\.\d+)?%?$/);
      }
    }
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('-3', true)).toBe('-3');
  });

  it('CSV has each table with month-on-month columns', () => {
    const csv = renderCsv(report, 'zh');
    expect(csv).toContain('表1 各单位情况（按问题系统数排名）');
    expect(csv).toContain('排名,单位,县区,系统数,系统数环比,僵尸,僵尸环比,半僵尸,半僵尸环比,上云率,上云率环比（百分点）');
    expect(csv).toContain('1,临沂市教育局'.replace('临沂市教育局', '市教育局'));
    expect(csv).toContain('IPv6支持率,71.4%,14.3');
  });

  it('JSON is the model plus the text, with sorted keys', () => {
    const json = renderJson(report, 'en');
    const parsed = JSON.parse(json);
    expect(parsed.format).toBe('xuncha.monthly-report+json');
    expect(parsed.lang).toBe('en');
    expect(parsed.report.meta.inputsHash).toBe(report.meta.inputsHash);
    expect(parsed.document.sections.map((s: { id: string }) => s.id)).toEqual(['overview', 'problems', 'requirements', 'appendix']);
    const keysSorted = (v: unknown): boolean =>
      Array.isArray(v) ? v.every(keysSorted) : v && typeof v === 'object' ? Object.keys(v).join() === Object.keys(v).sort().join() && Object.values(v).every(keysSorted) : true;
    expect(keysSorted(parsed)).toBe(true);
  });
});

describe('monthly report: XLSX', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('escapes text cells that start with = + - @ like the CSV does', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderXlsx(buildMonthlyReport(hostile()), 'zh')) as unknown as ArrayBuffer);
    const texts: string[] = [];
    for (const ws of wb.worksheets) ws.eachRow((row) => row.eachCell((cell) => { if (typeof cell.value === 'string') texts.push(cell.value); }));
    expect(texts).toContain(`'@SUM(A1:A2)`);
    expect(texts).toContain(`'+cmd`);
    expect(texts).toContain(`'-2+3`);
    for (const v of texts) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    expect(neutralizeFormula('=1+1')).toBe("'=1+1");
    expect(neutralizeFormula('市教育局')).toBe('市教育局');
  });

  it('is byte-reproducible, whatever the clock says', async () => {
    const a = await renderXlsx(report, 'zh');
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-05-17T13:37:21Z'));
    const b = await renderXlsx(report, 'zh');
    vi.setSystemTime(new Date('2027-01-02T03:04:05Z'));
    const c = await renderXlsx(buildMonthlyReport(monthlyInput()), 'zh');
    vi.useRealTimers();
    expect(a.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(Buffer.compare(a, b)).toBe(0);
    expect(Buffer.compare(a, c)).toBe(0);
  });

  it('opens in a spreadsheet reader with one sheet per table and numbers as numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await renderXlsx(report, 'zh')) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['总体情况', '各单位情况', '状态分布', '各县区情况', '问题系统清单', '近12个月']);
    expect(wb.created.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    const dept = wb.getWorksheet('各单位情况')!;
    expect(dept.getRow(2).values).toEqual(expect.arrayContaining(['排名', '单位', '系统数', '系统数环比', '上云率', '上云率环比（百分点）']));
    expect(dept.getCell(3, 2).value).toBe('市教育局');
    const rateCol = (dept.getRow(2).values as unknown[]).indexOf('上云率');
    expect(dept.getCell(3, rateCol).value).toBe(0.5);
    expect(dept.getCell(3, rateCol).numFmt).toBe('0.0%');
    const overview = wb.getWorksheet('总体情况')!;
    const texts: string[] = [];
    overview.eachRow((row) => row.eachCell((cell) => texts.push(String(cell.value))));
    expect(texts).toEqual(expect.arrayContaining(['一、总体情况', '二、主要问题', '三、工作要求']));
  });
});

describe('monthly report: determinism', () => {
  it('the same input gives identical bytes in every format and language', async () => {
    for (const lang of ['zh', 'en'] as const) {
      for (const format of REPORT_FORMATS) {
        const a = await renderReport(buildMonthlyReport(monthlyInput()), format, lang);
        const b = await renderReport(buildMonthlyReport(structuredClone(monthlyInput())), format, lang);
        expect(Buffer.compare(a.body, b.body), `${format}/${lang}`).toBe(0);
      }
    }
  });

  it('row order in the input does not change the report', async () => {
    const shuffle = <T>(xs: T[], seed: number): T[] => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = (seed * (i + 7)) % (i + 1);
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    };
    const base = monthlyInput();
    const expected = renderJson(buildMonthlyReport(base), 'zh');
    const expectedXlsx = await renderXlsx(buildMonthlyReport(base), 'zh');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (seed) => {
        const shuffled: MonthlyReportInput = {
          ...base,
          departments: shuffle(base.departments, seed),
          systems: shuffle(base.systems, seed + 1).map((s) => ({ ...s, reasons: [...s.reasons].reverse(), flags: [...s.flags].reverse() })),
          previousSystems: shuffle(base.previousSystems, seed + 2),
          history: shuffle(base.history, seed + 3),
          findings: shuffle(base.findings, seed + 4),
        };
        expect(inputsHash(shuffled)).toBe(inputsHash(base));
        expect(renderJson(buildMonthlyReport(shuffled), 'zh')).toBe(expected);
      }),
      { numRuns: 50 },
    );
    const shuffledOnce = { ...base, systems: [...base.systems].reverse(), findings: [...base.findings].reverse() };
    expect(Buffer.compare(await renderXlsx(buildMonthlyReport(shuffledOnce), 'zh'), expectedXlsx)).toBe(0);
  });

  it('renderReport gives content types for HTTP and the CLI', async () => {
    const r = await renderReport(report, 'csv', 'zh');
    expect(r.contentType).toBe('text/csv; charset=utf-8');
    expect(r.body.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect((await renderReport(report, 'xlsx')).contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  });
});
